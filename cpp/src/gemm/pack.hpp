// Packing: copies a strip of A or B into the contiguous layout the micro-kernels read.
//
// Both operands pack the same way, so one routine serves both. A micro-panel is `w`
// lines (rows of A, or columns of B) of `k` elements each, stored k-major:
//
//   dst[p * W + r] = src[r * s_w + p * s_k]     for r < w,   p < k
//   dst[p * W + r] = 0                          for w <= r < W (edge tiles)
//
// For A: W = MR, s_w = row stride, s_k = column stride. For B: W = NR, s_w = column
// stride, s_k = row stride. Any strides work (negative, zero, non-unit); s_w == 1 (a
// plain copy) and s_k == 1 (a transpose) take fast paths. The zero padding makes edge
// tiles safe to feed to a full-tile micro-kernel. Baseline-compiled (SSE2 at most).
#pragma once

#include <cstdint>

namespace nncore {

template <class T>
void pack_panel(int W, int64_t w, int64_t k, const T* src, int64_t s_w, int64_t s_k, T* dst);

// Packs micro-panels [q0, q1) of a block of `lines` lines (panel q starts at line q * W and
// lands at dst + q * W * k). Threads pack disjoint panel ranges of one shared block.
template <class T>
void pack_block(int W, int64_t lines, int64_t k, const T* src, int64_t s_w, int64_t s_k,
                T* dst, int64_t q0, int64_t q1);

}  // namespace nncore
