// Walking N operands of one shape, each with its own strides, as a sequence of rows.
//
// Operands are first broadcast to the common shape (stride 0 along broadcast dims). Size-1
// dims are dropped and neighbouring dims that are contiguous in every operand are merged,
// so a contiguous tensor of any shape becomes one long row and the inner kernel sees the
// longest possible runs. The flat element range is split by parallel_for; a chunk may
// start or end mid-row.
#pragma once

#include <cstdint>

#include "nncore/parallel.hpp"
#include "nncore/tensor.hpp"

namespace nncore {

// Elementwise work below this many elements runs on the calling thread.
constexpr int64_t kElementwiseGrain = 32768;

template <int N>
struct StridedLoop {
  int ndim = 0;
  int64_t numel = 1;
  int64_t shape[kMaxDims];
  int64_t strides[N][kMaxDims];  // in elements
  char* base[N];
  int64_t itemsize[N];

  // `operands` must all have shape `shape` (already expanded).
  StridedLoop(const Dims& full_shape, const Tensor* const (&operands)[N]) {
    for (int k = 0; k < N; ++k) {
      base[k] = static_cast<char*>(operands[k]->data_ptr());
      itemsize[k] = static_cast<int64_t>(operands[k]->itemsize());
    }
    numel = full_shape.product();
    for (int d = 0; d < full_shape.size(); ++d) {
      if (full_shape[d] == 1) continue;
      const bool merge = ndim > 0 && [&] {
        for (int k = 0; k < N; ++k)
          if (strides[k][ndim - 1] != operands[k]->strides()[d] * full_shape[d]) return false;
        return true;
      }();
      if (merge) {
        shape[ndim - 1] *= full_shape[d];
        for (int k = 0; k < N; ++k) strides[k][ndim - 1] = operands[k]->strides()[d];
      } else {
        shape[ndim] = full_shape[d];
        for (int k = 0; k < N; ++k) strides[k][ndim] = operands[k]->strides()[d];
        ++ndim;
      }
    }
  }

  // row(n, ptrs, inner_strides) is called for runs of n elements along the last dim.
  template <class Row>
  void run(int64_t grain, Row&& row) const {
    if (numel == 0) return;
    if (ndim == 0) {
      char* ptrs[N];
      int64_t zero[N] = {};
      for (int k = 0; k < N; ++k) ptrs[k] = base[k];
      row(int64_t{1}, ptrs, zero);
      return;
    }
    int64_t inner[N];
    for (int k = 0; k < N; ++k) inner[k] = strides[k][ndim - 1];
    parallel_for(numel, grain, [&](int64_t begin, int64_t end) {
      int64_t idx[kMaxDims];
      int64_t rem = begin;
      for (int d = ndim - 1; d >= 0; --d) {
        idx[d] = rem % shape[d];
        rem /= shape[d];
      }
      int64_t pos = begin;
      char* ptrs[N];
      while (pos < end) {
        for (int k = 0; k < N; ++k) {
          int64_t off = 0;
          for (int d = 0; d < ndim; ++d) off += idx[d] * strides[k][d];
          ptrs[k] = base[k] + off * itemsize[k];
        }
        const int64_t left_in_row = shape[ndim - 1] - idx[ndim - 1];
        const int64_t n = left_in_row < end - pos ? left_in_row : end - pos;
        row(n, ptrs, inner);
        pos += n;
        idx[ndim - 1] += n;
        for (int d = ndim - 1; d > 0 && idx[d] == shape[d]; --d) {
          idx[d] = 0;
          ++idx[d - 1];
        }
      }
    });
  }
};

}  // namespace nncore
