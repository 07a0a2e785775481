// AVX-512 float32 micro-kernel, 32 x 12 (the shape of BLIS's skx sgemm kernel).
//
// Each k step loads one column of the A micro-panel as two zmm vectors (32 rows) and
// broadcasts the 12 elements of a B row, one at a time, into 24 FMAs on 24 accumulators.
// 24 accumulators + 2 A vectors leave room for the broadcasts; 14 loads per 24 FMAs keep
// both load ports below saturation while both FMA ports run every cycle.
#if defined(__x86_64__) || defined(_M_X64)  // non-x86 builds use the generic kernel
#include <immintrin.h>

#include "gemm/gemm_kernels.hpp"

namespace nncore {
namespace gemm_avx512 {
namespace {

constexpr int kMR = 32;
constexpr int kNR = 12;
// How far ahead (in k steps) A is prefetched: A streams from L2, B sits in L1.
constexpr int kPrefetchA = 8;

// The body of every kernel here: a 32 x N tile, N <= 12 (N < 12 for the last, partial
// column of tiles, which would otherwise run the full 12 columns into a scratch tile and
// throw the rest away: with a batch of 64 rows as N, that edge is a ninth of the work).
// B element (p, j) is b[p * kNR + j] from a packed micro-panel, or b[p + j * ldb] read
// straight from an unpacked operand whose columns are contiguous along k (kUnpackedB):
// the broadcasts load from anywhere at the same cost, so such an operand needs no packing.
// The arithmetic is the same either way, and for every N.
template <bool kUnpackedB, int N>
inline void ukr_32xn(int64_t k, float alpha, const float* a, const float* b, int64_t ldb,
                     float beta, float* c, int64_t ldc) {
  __m512 lo[N], hi[N];
#pragma GCC unroll 12
  for (int j = 0; j < N; ++j) {
    lo[j] = _mm512_setzero_ps();
    hi[j] = _mm512_setzero_ps();
    // The C tile is touched only at the end; start pulling it in now.
    _mm_prefetch(reinterpret_cast<const char*>(c + j * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + j * ldc + 16), _MM_HINT_T0);
  }
  // Unpacked B: columns 0-5 and 6-11 addressed from two moving pointers at multiples of
  // ldb, which x86 addressing reaches with scaled index registers.
  const float* b6 = kUnpackedB && N > 6 ? b + 6 * ldb : b;

#pragma GCC unroll 4
  for (int64_t p = 0; p < k; ++p) {
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * kMR), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * kMR + 16), _MM_HINT_T0);
    const __m512 a0 = _mm512_load_ps(a);
    const __m512 a1 = _mm512_load_ps(a + 16);
#pragma GCC unroll 12
    for (int j = 0; j < N; ++j) {
      const float bv = kUnpackedB ? (j < 6 ? b[j * ldb] : b6[(j - 6) * ldb]) : b[j];
      const __m512 bj = _mm512_set1_ps(bv);
      lo[j] = _mm512_fmadd_ps(a0, bj, lo[j]);
      hi[j] = _mm512_fmadd_ps(a1, bj, hi[j]);
    }
    a += kMR;
    b += kUnpackedB ? 1 : kNR;
    b6 += 1;
  }

  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {
    // C is not read: it may hold NaN.
#pragma GCC unroll 12
    for (int j = 0; j < N; ++j) {
      _mm512_storeu_ps(c + j * ldc, _mm512_mul_ps(va, lo[j]));
      _mm512_storeu_ps(c + j * ldc + 16, _mm512_mul_ps(va, hi[j]));
    }
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 12
    for (int j = 0; j < N; ++j) {
      float* cj = c + j * ldc;
      _mm512_storeu_ps(cj, _mm512_fmadd_ps(vb, _mm512_loadu_ps(cj), _mm512_mul_ps(va, lo[j])));
      _mm512_storeu_ps(cj + 16,
                       _mm512_fmadd_ps(vb, _mm512_loadu_ps(cj + 16), _mm512_mul_ps(va, hi[j])));
    }
  }
}

template <bool kUnpackedB>
void ukr_32xn_any(int64_t n, int64_t k, float alpha, const float* a, const float* b,
                  int64_t ldb, float beta, float* c, int64_t ldc) {
  switch (n) {
    case 1: return ukr_32xn<kUnpackedB, 1>(k, alpha, a, b, ldb, beta, c, ldc);
    case 2: return ukr_32xn<kUnpackedB, 2>(k, alpha, a, b, ldb, beta, c, ldc);
    case 3: return ukr_32xn<kUnpackedB, 3>(k, alpha, a, b, ldb, beta, c, ldc);
    case 4: return ukr_32xn<kUnpackedB, 4>(k, alpha, a, b, ldb, beta, c, ldc);
    case 5: return ukr_32xn<kUnpackedB, 5>(k, alpha, a, b, ldb, beta, c, ldc);
    case 6: return ukr_32xn<kUnpackedB, 6>(k, alpha, a, b, ldb, beta, c, ldc);
    case 7: return ukr_32xn<kUnpackedB, 7>(k, alpha, a, b, ldb, beta, c, ldc);
    case 8: return ukr_32xn<kUnpackedB, 8>(k, alpha, a, b, ldb, beta, c, ldc);
    case 9: return ukr_32xn<kUnpackedB, 9>(k, alpha, a, b, ldb, beta, c, ldc);
    case 10: return ukr_32xn<kUnpackedB, 10>(k, alpha, a, b, ldb, beta, c, ldc);
    case 11: return ukr_32xn<kUnpackedB, 11>(k, alpha, a, b, ldb, beta, c, ldc);
    default: return ukr_32xn<kUnpackedB, 12>(k, alpha, a, b, ldb, beta, c, ldc);
  }
}

}  // namespace

void ukr_f32_32x12(int64_t k, float alpha, const float* a, const float* b, float beta,
                   float* c, int64_t ldc) {
  ukr_32xn<false, kNR>(k, alpha, a, b, 0, beta, c, ldc);
}

void ukr_f32_32x12_unpacked_b(int64_t k, float alpha, const float* a, const float* b,
                              int64_t ldb, float beta, float* c, int64_t ldc) {
  ukr_32xn<true, kNR>(k, alpha, a, b, ldb, beta, c, ldc);
}

void ukr_f32_32xn(int64_t n, int64_t k, float alpha, const float* a, const float* b,
                  float beta, float* c, int64_t ldc) {
  ukr_32xn_any<false>(n, k, alpha, a, b, 0, beta, c, ldc);
}

void ukr_f32_32xn_unpacked_b(int64_t n, int64_t k, float alpha, const float* a,
                             const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  ukr_32xn_any<true>(n, k, alpha, a, b, ldb, beta, c, ldc);
}

}  // namespace gemm_avx512
}  // namespace nncore

#endif  // x86-64
