#include "nncore/dispatch.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#define NNCORE_X86 1
#endif

namespace nncore {
namespace {

#ifdef NNCORE_X86
uint64_t read_xcr0() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}
#endif

Isa detect() {
#ifdef NNCORE_X86
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return Isa::generic;
  const bool osxsave = ecx & (1u << 27);
  const bool fma = ecx & (1u << 12);
  const bool avx = ecx & (1u << 28);
  if (!osxsave || !avx) return Isa::generic;
  const uint64_t xcr0 = read_xcr0();
  const bool os_ymm = (xcr0 & 0x6) == 0x6;         // SSE and AVX state saved by the OS
  const bool os_zmm = (xcr0 & 0xe6) == 0xe6;       // plus opmask and ZMM state
  if (!os_ymm) return Isa::generic;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return Isa::generic;
  const bool avx2 = ebx & (1u << 5);
  const bool avx512f = ebx & (1u << 16);
  const bool avx512dq = ebx & (1u << 17);
  const bool avx512bw = ebx & (1u << 30);
  const bool avx512vl = ebx & (1u << 31);
  if (avx512f && avx512dq && avx512bw && avx512vl && fma && os_zmm) return Isa::avx512;
  if (avx2 && fma) return Isa::avx2;
#endif
  return Isa::generic;
}

Isa choose() {
  const Isa best = detect();
  const char* forced = std::getenv("NNCORE_ISA");
  if (forced == nullptr || *forced == '\0') return best;
  Isa want = best;
  if (std::strcmp(forced, "generic") == 0) want = Isa::generic;
  else if (std::strcmp(forced, "avx2") == 0) want = Isa::avx2;
  else if (std::strcmp(forced, "avx512") == 0) want = Isa::avx512;
  // Only ever lower the choice: running an ISA the CPU lacks would crash.
  return static_cast<int>(want) < static_cast<int>(best) ? want : best;
}

}  // namespace

Isa detected_isa() {
  static const Isa isa = detect();
  return isa;
}

Isa active_isa() {
  static const Isa isa = choose();
  return isa;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::avx512: return "avx512";
    case Isa::avx2: return "avx2";
    default: return "generic";
  }
}

}  // namespace nncore
