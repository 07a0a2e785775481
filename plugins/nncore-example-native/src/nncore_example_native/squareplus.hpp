// squareplus(x) = (x + sqrt(x^2 + b)) / 2, a smooth ReLU, and its derivative: the kernels
// of the native example plugin.
//
// Header-only: the plugin's Cython module includes it, so there is no library to build or
// link. Each kernel is one pass over contiguous arrays with a body the compiler vectorises,
// for float and for double, given the flags in setup.py: std::sqrt becomes an instruction
// (-fno-math-errno) and the select in squareplus_given_root a blend (-fno-trapping-math).
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include <nncore/dtype.hpp>

namespace nncore_example_native {

// The C++ types of nncore's floating dtypes: the only ones these kernels are built for.
template <class T>
constexpr bool is_nncore_floating =
    std::is_same_v<T, nncore::ctype_of<nncore::DType::float32>::type> ||
    std::is_same_v<T, nncore::ctype_of<nncore::DType::float64>::type>;

// squareplus at x, given s = sqrt(x^2 + b). With t = s + |x|, which never cancels, it is
// t / 2 for x >= 0 and, for x < 0, b / (2 t): the same value as (x + s) / 2, whose sum
// cancels there (at x = -100 float32 would keep 3 digits).
template <class T>
inline T squareplus_given_root(T x, T b, T s) {
  const T t = s + std::abs(x);
  return x >= T(0) ? T(0.5) * t : b / (T(2) * t);
}

template <class T>
void squareplus_forward(const T* __restrict x, T* __restrict y, std::ptrdiff_t n, T b) {
  static_assert(is_nncore_floating<T>, "squareplus: float32 or float64 only");
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const T s = std::sqrt(x[i] * x[i] + b);
    y[i] = squareplus_given_root(x[i], b, s);
  }
}

// grad_x = grad_y * d/dx squareplus(x) with d/dx = (1 + x / s) / 2, written as
// squareplus(x) / s, which does not cancel for negative x either.
template <class T>
void squareplus_backward(const T* __restrict x, const T* __restrict grad_y,
                         T* __restrict grad_x, std::ptrdiff_t n, T b) {
  static_assert(is_nncore_floating<T>, "squareplus: float32 or float64 only");
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const T s = std::sqrt(x[i] * x[i] + b);
    grad_x[i] = grad_y[i] * squareplus_given_root(x[i], b, s) / s;
  }
}

}  // namespace nncore_example_native
