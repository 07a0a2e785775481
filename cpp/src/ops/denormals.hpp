// Flushing of subnormal floats for the duration of a scope (the calling thread only).
//
// Why: an optimizer's state decays geometrically where a gradient stays zero (a dead ReLU
// unit, a never-seen embedding row), and a squared tiny gradient underflows; once values
// are subnormal, x86 cores take a microcode assist of a hundred cycles or more per
// operation. An Adam step over such a model ran 8x slower. Values below 1.2e-38 (float) /
// 2.2e-308 (double) carry nothing a training step can use, so within the update kernels
// they are read and written as zero (MXCSR's DAZ and FTZ bits), the same on every ISA.
#pragma once

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

namespace nncore {

class FlushDenormals {
 public:
#if defined(__SSE2__)
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFtz | kDaz); }
  ~FlushDenormals() { _mm_setcsr(saved_); }

 private:
  static constexpr unsigned kFtz = 0x8000;  // flush-to-zero: subnormal results become 0
  static constexpr unsigned kDaz = 0x0040;  // denormals-are-zero: subnormal inputs read as 0
  unsigned saved_;
#else
  FlushDenormals() = default;
#endif
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;
};

}  // namespace nncore
