// AVX2+FMA float64 micro-kernel, 8 x 6 (the shape of BLIS's haswell dgemm kernel).
//
// Each k step loads one column of the A micro-panel as two ymm vectors (8 rows) and
// broadcasts the 6 elements of a B row into 12 FMAs: 12 accumulators + 2 A vectors +
// 1 broadcast fit the 16 ymm registers.
#if defined(__x86_64__) || defined(_M_X64)  // non-x86 builds use the generic kernel
#include <immintrin.h>

#include "gemm/gemm_kernels.hpp"

namespace nncore {
namespace gemm_avx2 {
namespace {

constexpr int kMR = 8;
constexpr int kNR = 6;
constexpr int kPrefetchA = 8;  // k steps ahead

}  // namespace

void ukr_f64_8x6(int64_t k, double alpha, const double* a, const double* b, double beta,
                 double* c, int64_t ldc) {
  __m256d lo[kNR], hi[kNR];
#pragma GCC unroll 6
  for (int j = 0; j < kNR; ++j) {
    lo[j] = _mm256_setzero_pd();
    hi[j] = _mm256_setzero_pd();
    _mm_prefetch(reinterpret_cast<const char*>(c + j * ldc), _MM_HINT_T0);
  }

#pragma GCC unroll 4
  for (int64_t p = 0; p < k; ++p) {
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * kMR), _MM_HINT_T0);
    const __m256d a0 = _mm256_load_pd(a);
    const __m256d a1 = _mm256_load_pd(a + 4);
#pragma GCC unroll 6
    for (int j = 0; j < kNR; ++j) {
      const __m256d bj = _mm256_broadcast_sd(b + j);
      lo[j] = _mm256_fmadd_pd(a0, bj, lo[j]);
      hi[j] = _mm256_fmadd_pd(a1, bj, hi[j]);
    }
    a += kMR;
    b += kNR;
  }

  const __m256d va = _mm256_set1_pd(alpha);
  if (beta == 0.0) {
    // C is not read: it may hold NaN.
#pragma GCC unroll 6
    for (int j = 0; j < kNR; ++j) {
      _mm256_storeu_pd(c + j * ldc, _mm256_mul_pd(va, lo[j]));
      _mm256_storeu_pd(c + j * ldc + 4, _mm256_mul_pd(va, hi[j]));
    }
  } else {
    const __m256d vb = _mm256_set1_pd(beta);
#pragma GCC unroll 6
    for (int j = 0; j < kNR; ++j) {
      double* cj = c + j * ldc;
      _mm256_storeu_pd(cj, _mm256_fmadd_pd(vb, _mm256_loadu_pd(cj), _mm256_mul_pd(va, lo[j])));
      _mm256_storeu_pd(cj + 4,
                       _mm256_fmadd_pd(vb, _mm256_loadu_pd(cj + 4), _mm256_mul_pd(va, hi[j])));
    }
  }
}

}  // namespace gemm_avx2
}  // namespace nncore

#endif  // x86-64
