// AVX2+FMA float32 micro-kernel, 16 x 6 (the shape of BLIS's haswell sgemm kernel).
//
// Each k step loads one column of the A micro-panel as two ymm vectors (16 rows) and
// broadcasts the 6 elements of a B row into 12 FMAs: 12 accumulators + 2 A vectors +
// 1 broadcast fit the 16 ymm registers.
#if defined(__x86_64__) || defined(_M_X64)  // non-x86 builds use the generic kernel
#include <immintrin.h>

#include "gemm/gemm_kernels.hpp"

namespace nncore {
namespace gemm_avx2 {
namespace {

constexpr int kMR = 16;
constexpr int kNR = 6;
constexpr int kPrefetchA = 8;  // k steps ahead

}  // namespace

void ukr_f32_16x6(int64_t k, float alpha, const float* a, const float* b, float beta,
                  float* c, int64_t ldc) {
  __m256 lo[kNR], hi[kNR];
#pragma GCC unroll 6
  for (int j = 0; j < kNR; ++j) {
    lo[j] = _mm256_setzero_ps();
    hi[j] = _mm256_setzero_ps();
    _mm_prefetch(reinterpret_cast<const char*>(c + j * ldc), _MM_HINT_T0);
  }

#pragma GCC unroll 4
  for (int64_t p = 0; p < k; ++p) {
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * kMR), _MM_HINT_T0);
    const __m256 a0 = _mm256_load_ps(a);
    const __m256 a1 = _mm256_load_ps(a + 8);
#pragma GCC unroll 6
    for (int j = 0; j < kNR; ++j) {
      const __m256 bj = _mm256_broadcast_ss(b + j);
      lo[j] = _mm256_fmadd_ps(a0, bj, lo[j]);
      hi[j] = _mm256_fmadd_ps(a1, bj, hi[j]);
    }
    a += kMR;
    b += kNR;
  }

  const __m256 va = _mm256_set1_ps(alpha);
  if (beta == 0.0f) {
    // C is not read: it may hold NaN.
#pragma GCC unroll 6
    for (int j = 0; j < kNR; ++j) {
      _mm256_storeu_ps(c + j * ldc, _mm256_mul_ps(va, lo[j]));
      _mm256_storeu_ps(c + j * ldc + 8, _mm256_mul_ps(va, hi[j]));
    }
  } else {
    const __m256 vb = _mm256_set1_ps(beta);
#pragma GCC unroll 6
    for (int j = 0; j < kNR; ++j) {
      float* cj = c + j * ldc;
      _mm256_storeu_ps(cj, _mm256_fmadd_ps(vb, _mm256_loadu_ps(cj), _mm256_mul_ps(va, lo[j])));
      _mm256_storeu_ps(cj + 8,
                       _mm256_fmadd_ps(vb, _mm256_loadu_ps(cj + 8), _mm256_mul_ps(va, hi[j])));
    }
  }
}

}  // namespace gemm_avx2
}  // namespace nncore

#endif  // x86-64
