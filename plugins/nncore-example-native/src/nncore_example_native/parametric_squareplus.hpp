// Parametric squareplus: y = (x + sqrt(x^2 + b)) / 2 with one learned b > 0 per feature
// (the last axis), and the kernels of its two gradients.
//
// x, y and the gradients are contiguous (rows, features) arrays; b has `features` values.
// With s = sqrt(x^2 + b):
//   dy/dx = (1 + x / s) / 2 = y / s        (the form without cancellation for x < 0)
//   dy/db = 1 / (4 s)
// so the backward kernel computes grad_x and grad_b in one pass, from one square root.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "squareplus.hpp"

namespace nncore_example_native {

template <class T>
void parametric_squareplus_forward(const T* __restrict x, const T* __restrict b,
                                   T* __restrict y, std::ptrdiff_t rows,
                                   std::ptrdiff_t features) {
  static_assert(is_nncore_floating<T>, "parametric squareplus: float32 or float64 only");
  for (std::ptrdiff_t r = 0; r < rows; ++r) {
    const T* xr = x + r * features;
    T* yr = y + r * features;
    for (std::ptrdiff_t f = 0; f < features; ++f) {
      const T s = std::sqrt(xr[f] * xr[f] + b[f]);
      yr[f] = squareplus_given_root(xr[f], b[f], s);
    }
  }
}

// grad_b sums over rows; the sums are kept in double so that float32 gradients of large
// batches do not lose digits to rounding, then stored in T.
template <class T>
void parametric_squareplus_backward(const T* __restrict x, const T* __restrict b,
                                    const T* __restrict grad_y, T* __restrict grad_x,
                                    T* __restrict grad_b, std::ptrdiff_t rows,
                                    std::ptrdiff_t features) {
  static_assert(is_nncore_floating<T>, "parametric squareplus: float32 or float64 only");
  std::vector<double> sum_b(static_cast<std::size_t>(features), 0.0);
  double* __restrict acc = sum_b.data();
  for (std::ptrdiff_t r = 0; r < rows; ++r) {
    const T* xr = x + r * features;
    const T* gr = grad_y + r * features;
    T* gxr = grad_x + r * features;
    for (std::ptrdiff_t f = 0; f < features; ++f) {
      const T s = std::sqrt(xr[f] * xr[f] + b[f]);
      gxr[f] = gr[f] * squareplus_given_root(xr[f], b[f], s) / s;
      acc[f] += static_cast<double>(gr[f]) / (4.0 * static_cast<double>(s));
    }
  }
  for (std::ptrdiff_t f = 0; f < features; ++f) grad_b[f] = static_cast<T>(acc[f]);
}

}  // namespace nncore_example_native
