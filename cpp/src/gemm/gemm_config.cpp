// Kernels and block sizes per ISA and dtype (BLIS's bli_cntx_init_<arch>).
//
// Block sizes follow BLIS's configurations for the same kernel shapes (skx, haswell);
// on a Cascade Lake Xeon (32 KiB L1d, 1 MiB L2 per core) KC 256..512 and MC 256..640
// measured within noise of each other for f32. The rules behind them:
//   KC x NR floats of B should sit in L1 next to the streaming A panel;
//   MC x KC of packed A should fit in L2; NC is large so B is packed once per KC block.
#include "gemm/gemm_kernels.hpp"

namespace nncore {
namespace {

const GemmConfig<float> kGenericF32{"generic", gemm_generic::ukr<float, 8, 4>, 8, 4,
                                    256, 128, 4096,
                                    gemm_generic::ukr_unpacked_b<float, 8, 4>};
const GemmConfig<double> kGenericF64{"generic", gemm_generic::ukr<double, 8, 4>, 8, 4,
                                     256, 128, 4096,
                                     gemm_generic::ukr_unpacked_b<double, 8, 4>};

#if defined(__x86_64__) || defined(_M_X64)
const GemmConfig<float> kAvx2F32{"avx2", gemm_avx2::ukr_f32_16x6, 16, 6, 256, 144, 4080};
const GemmConfig<double> kAvx2F64{"avx2", gemm_avx2::ukr_f64_8x6, 8, 6, 256, 72, 4080};
const GemmConfig<float> kAvx512F32{"avx512", gemm_avx512::ukr_f32_32x12, 32, 12,
                                   384, 480, 3072, gemm_avx512::ukr_f32_32x12_unpacked_b,
                                   gemm_avx512::ukr_f32_32xn,
                                   gemm_avx512::ukr_f32_32xn_unpacked_b};
const GemmConfig<double> kAvx512F64{"avx512", gemm_avx512::ukr_f64_16x14, 16, 14,
                                    256, 240, 3752};
#endif

}  // namespace

const GemmConfig<float>& gemm_config_f32(Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == Isa::avx512) return kAvx512F32;
  if (isa == Isa::avx2) return kAvx2F32;
#endif
  (void)isa;
  return kGenericF32;
}

const GemmConfig<double>& gemm_config_f64(Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == Isa::avx512) return kAvx512F64;
  if (isa == Isa::avx2) return kAvx2F64;
#endif
  (void)isa;
  return kGenericF64;
}

}  // namespace nncore
