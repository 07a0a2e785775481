// AVX-512 float64 micro-kernel, 16 x 14 (the shape of BLIS's skx dgemm kernel).
//
// Each k step loads one column of the A micro-panel as two zmm vectors (16 rows) and
// broadcasts the 14 elements of a B row into 28 FMAs: 28 accumulators + 2 A vectors +
// 1 broadcast use 31 of the 32 zmm registers.
#if defined(__x86_64__) || defined(_M_X64)  // non-x86 builds use the generic kernel
#include <immintrin.h>

#include "gemm/gemm_kernels.hpp"

namespace nncore {
namespace gemm_avx512 {
namespace {

constexpr int kMR = 16;
constexpr int kNR = 14;
constexpr int kPrefetchA = 8;  // k steps ahead; A streams from L2, B sits in L1

}  // namespace

void ukr_f64_16x14(int64_t k, double alpha, const double* a, const double* b, double beta,
                   double* c, int64_t ldc) {
  __m512d lo[kNR], hi[kNR];
#pragma GCC unroll 14
  for (int j = 0; j < kNR; ++j) {
    lo[j] = _mm512_setzero_pd();
    hi[j] = _mm512_setzero_pd();
    // The C tile is touched only at the end; start pulling it in now.
    _mm_prefetch(reinterpret_cast<const char*>(c + j * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + j * ldc + 8), _MM_HINT_T0);
  }

#pragma GCC unroll 2
  for (int64_t p = 0; p < k; ++p) {
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * kMR), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * kMR + 8), _MM_HINT_T0);
    const __m512d a0 = _mm512_load_pd(a);
    const __m512d a1 = _mm512_load_pd(a + 8);
#pragma GCC unroll 14
    for (int j = 0; j < kNR; ++j) {
      const __m512d bj = _mm512_set1_pd(b[j]);
      lo[j] = _mm512_fmadd_pd(a0, bj, lo[j]);
      hi[j] = _mm512_fmadd_pd(a1, bj, hi[j]);
    }
    a += kMR;
    b += kNR;
  }

  const __m512d va = _mm512_set1_pd(alpha);
  if (beta == 0.0) {
    // C is not read: it may hold NaN.
#pragma GCC unroll 14
    for (int j = 0; j < kNR; ++j) {
      _mm512_storeu_pd(c + j * ldc, _mm512_mul_pd(va, lo[j]));
      _mm512_storeu_pd(c + j * ldc + 8, _mm512_mul_pd(va, hi[j]));
    }
  } else {
    const __m512d vb = _mm512_set1_pd(beta);
#pragma GCC unroll 14
    for (int j = 0; j < kNR; ++j) {
      double* cj = c + j * ldc;
      _mm512_storeu_pd(cj, _mm512_fmadd_pd(vb, _mm512_loadu_pd(cj), _mm512_mul_pd(va, lo[j])));
      _mm512_storeu_pd(cj + 8,
                       _mm512_fmadd_pd(vb, _mm512_loadu_pd(cj + 8), _mm512_mul_pd(va, hi[j])));
    }
  }
}

}  // namespace gemm_avx512
}  // namespace nncore

#endif  // x86-64
