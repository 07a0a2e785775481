#include "gemm/pack.hpp"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace nncore {
namespace {

// Any strides, any width: the slow but always-correct path.
template <class T>
void pack_any(int W, int64_t w, int64_t k, const T* src, int64_t s_w, int64_t s_k, T* dst) {
  for (int64_t p = 0; p < k; ++p) {
    T* d = dst + p * W;
    const T* s = src + p * s_k;
    int64_t r = 0;
    for (; r < w; ++r) d[r] = s[r * s_w];
    for (; r < W; ++r) d[r] = T(0);
  }
}

// Full panel, lines contiguous in memory (s_w == 1): W elements copied per k step.
template <class T, int W>
void pack_copy(int64_t k, const T* src, int64_t s_k, T* dst) {
  for (int64_t p = 0; p < k; ++p) {
    std::memcpy(dst + p * W, src + p * s_k, W * sizeof(T));
  }
}

// Full panel, each line contiguous along k (s_k == 1): a transpose. Blocks of kB k-steps
// keep W read streams sequential while the writes stay inside a small, cache-hot window.
template <class T, int W>
void pack_transpose(int64_t k, const T* src, int64_t s_w, T* dst) {
  constexpr int kB = 8;
  int64_t p = 0;
  for (; p + kB <= k; p += kB) {
    for (int r = 0; r < W; ++r) {
      const T* s = src + r * s_w + p;
      T* d = dst + p * W + r;
      for (int q = 0; q < kB; ++q) d[q * W] = s[q];
    }
  }
  for (; p < k; ++p)
    for (int r = 0; r < W; ++r) dst[p * W + r] = src[r * s_w + p];
}

#if defined(__SSE2__)
// float specialisation of the transpose: 4 lines x 4 k-steps per SSE 4x4 transpose.
template <int W>
void pack_transpose_f32(int64_t k, const float* src, int64_t s_w, float* dst) {
  static_assert(W % 4 == 0, "width must be a multiple of 4");
  int64_t p = 0;
  for (; p + 4 <= k; p += 4) {
    for (int r = 0; r < W; r += 4) {
      const float* s = src + r * s_w + p;
      __m128 r0 = _mm_loadu_ps(s);
      __m128 r1 = _mm_loadu_ps(s + s_w);
      __m128 r2 = _mm_loadu_ps(s + 2 * s_w);
      __m128 r3 = _mm_loadu_ps(s + 3 * s_w);
      _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
      float* d = dst + p * W + r;
      _mm_storeu_ps(d, r0);
      _mm_storeu_ps(d + W, r1);
      _mm_storeu_ps(d + 2 * W, r2);
      _mm_storeu_ps(d + 3 * W, r3);
    }
  }
  for (; p < k; ++p)
    for (int r = 0; r < W; ++r) dst[p * W + r] = src[r * s_w + p];
}

// double specialisation: 2 lines x 2 k-steps per unpack pair.
template <int W>
void pack_transpose_f64(int64_t k, const double* src, int64_t s_w, double* dst) {
  static_assert(W % 2 == 0, "width must be a multiple of 2");
  int64_t p = 0;
  for (; p + 2 <= k; p += 2) {
    for (int r = 0; r < W; r += 2) {
      const double* s = src + r * s_w + p;
      const __m128d r0 = _mm_loadu_pd(s);
      const __m128d r1 = _mm_loadu_pd(s + s_w);
      double* d = dst + p * W + r;
      _mm_storeu_pd(d, _mm_unpacklo_pd(r0, r1));
      _mm_storeu_pd(d + W, _mm_unpackhi_pd(r0, r1));
    }
  }
  for (; p < k; ++p)
    for (int r = 0; r < W; ++r) dst[p * W + r] = src[r * s_w + p];
}
#endif

template <class T, int W>
void pack_full(int64_t k, const T* src, int64_t s_w, int64_t s_k, T* dst) {
  if (s_w == 1) return pack_copy<T, W>(k, src, s_k, dst);
  if (s_k == 1) {
#if defined(__SSE2__)
    if constexpr (sizeof(T) == 4 && W % 4 == 0)
      return pack_transpose_f32<W>(k, reinterpret_cast<const float*>(src), s_w,
                                   reinterpret_cast<float*>(dst));
    if constexpr (sizeof(T) == 8 && W % 2 == 0)
      return pack_transpose_f64<W>(k, reinterpret_cast<const double*>(src), s_w,
                                   reinterpret_cast<double*>(dst));
#endif
    return pack_transpose<T, W>(k, src, s_w, dst);
  }
  pack_any(W, W, k, src, s_w, s_k, dst);
}

}  // namespace

template <class T>
void pack_panel(int W, int64_t w, int64_t k, const T* src, int64_t s_w, int64_t s_k,
                T* dst) {
  if (w == W) {
    // Widths of the kernels in gemm_config.cpp get unrolled copies.
    switch (W) {
      case 4: return pack_full<T, 4>(k, src, s_w, s_k, dst);
      case 6: return pack_full<T, 6>(k, src, s_w, s_k, dst);
      case 8: return pack_full<T, 8>(k, src, s_w, s_k, dst);
      case 12: return pack_full<T, 12>(k, src, s_w, s_k, dst);
      case 14: return pack_full<T, 14>(k, src, s_w, s_k, dst);
      case 16: return pack_full<T, 16>(k, src, s_w, s_k, dst);
      case 32: return pack_full<T, 32>(k, src, s_w, s_k, dst);
      default: break;
    }
  }
  pack_any(W, w, k, src, s_w, s_k, dst);
}

// Full panels [q0, q1) whose lines are contiguous (s_w == 1): walk k outermost so the reads
// sweep each source row once, left to right, across all panels: one sequential stream the
// hardware prefetcher follows, instead of one short strided stream per panel.
//
// The rows are usually far apart (a panel of a wide matrix), so each one starts a new
// stream the prefetcher has not seen: it is requested a few rows ahead, which is what keeps
// this copy from waiting on the L3 or memory at every row.
template <class T, int W>
void pack_rows(int64_t k, const T* src, int64_t s_k, T* dst, int64_t q0, int64_t q1) {
  constexpr int64_t kRowsAhead = 4;
  constexpr int64_t kLine = 64 / sizeof(T);
  for (int64_t p = 0; p < k; ++p) {
    const T* s = src + p * s_k;
#if defined(__SSE__)
    if (p + kRowsAhead < k)
      for (int64_t e = q0 * W; e < q1 * W; e += kLine)
        _mm_prefetch(reinterpret_cast<const char*>(s + kRowsAhead * s_k + e), _MM_HINT_T0);
#endif
    T* d = dst + p * W;
    for (int64_t q = q0; q < q1; ++q) std::memcpy(d + q * W * k, s + q * W, W * sizeof(T));
  }
}

template <class T>
void pack_block(int W, int64_t lines, int64_t k, const T* src, int64_t s_w, int64_t s_k,
                T* dst, int64_t q0, int64_t q1) {
  const int64_t full = std::min<int64_t>(q1, lines / W);
  if (s_w == 1 && full - q0 > 1) {
    switch (W) {
      case 6: pack_rows<T, 6>(k, src, s_k, dst, q0, full); q0 = full; break;
      case 8: pack_rows<T, 8>(k, src, s_k, dst, q0, full); q0 = full; break;
      case 12: pack_rows<T, 12>(k, src, s_k, dst, q0, full); q0 = full; break;
      case 14: pack_rows<T, 14>(k, src, s_k, dst, q0, full); q0 = full; break;
      case 16: pack_rows<T, 16>(k, src, s_k, dst, q0, full); q0 = full; break;
      case 32: pack_rows<T, 32>(k, src, s_k, dst, q0, full); q0 = full; break;
      default: break;
    }
  }
  for (int64_t q = q0; q < q1; ++q)
    pack_panel<T>(W, std::min<int64_t>(W, lines - q * W), k, src + q * W * s_w, s_w, s_k,
                  dst + q * W * k);
}

template void pack_block<float>(int, int64_t, int64_t, const float*, int64_t, int64_t, float*,
                                int64_t, int64_t);
template void pack_block<double>(int, int64_t, int64_t, const double*, int64_t, int64_t,
                                 double*, int64_t, int64_t);
template void pack_panel<float>(int, int64_t, int64_t, const float*, int64_t, int64_t, float*);
template void pack_panel<double>(int, int64_t, int64_t, const double*, int64_t, int64_t,
                                 double*);

}  // namespace nncore
