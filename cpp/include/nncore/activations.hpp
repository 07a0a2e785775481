// Activation functions: pointwise activations, PReLU, softmax and log-softmax.
//
// Every function here is differentiable (it records a backward node when an input requires
// grad) and works on float32 and float64 tensors of any shape and strides; integer and bool
// tensors are rejected with a dtype_error naming the op. Forward and backward are single
// fused passes (the backward computes grad * f'(x) in one loop, from the saved input or the
// saved output, whichever the derivative is cheapest from).
//
//   Tensor h = activation(Activation::gelu, x);                 // exact (erf) GELU
//   Tensor y = activation(Activation::leaky_relu, x, 0.2);       // negative slope 0.2
//   Tensor p = softmax(logits, -1, /*log=*/false);               // over the last axis
#pragma once

#include <cstdint>

#include "nncore/tensor.hpp"

namespace nncore {

// Pointwise activations. `alpha` and `beta` are the parameters where one applies:
//   linear      x                                   (a copy; gradient passes through)
//   step        1 if x > 0, alpha if x == 0, 0 if x < 0     (Heaviside; alpha = value at 0)
//   sign        -1, 0 or 1
//   sigmoid     1 / (1 + e^-x)
//   hard_sigmoid  relu6(x + 3) / 6
//   tanh, relu, relu6 = min(max(x, 0), 6)
//   leaky_relu  x if x > 0 else alpha * x
//   elu         x if x > 0 else alpha * (e^x - 1)
//   selu        scale * elu(x, alpha) with the fixed constants of Klambauer et al.
//   gelu        x * Phi(x) (Phi: the standard normal CDF, via erf)
//   gelu_tanh   0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
//   silu        x * sigmoid(x)
//   softplus    log(1 + e^(alpha x)) / alpha, or x where alpha x > beta (alpha = PyTorch's
//               beta, beta = its threshold)
//   softsign    x / (1 + |x|)
//   mish        x * tanh(softplus(x))
//   gaussian    e^(-x^2 / 2)
//   asinh       ln(x + sqrt(x^2 + 1))
enum class Activation : uint8_t {
  linear, step, sign, sigmoid, hard_sigmoid, tanh, relu, relu6, leaky_relu, elu, selu, gelu,
  gelu_tanh, silu, softplus, softsign, mish, gaussian, asinh
};
constexpr int kNumActivations = 19;

const char* activation_name(Activation act);

// step and sign have zero gradient almost everywhere; with straight_through their backward
// passes the incoming gradient unchanged instead (the straight-through estimator).
Tensor activation(Activation act, const Tensor& x, double alpha = 0, double beta = 0,
                  bool straight_through = false);

// max(x, 0) + weight * min(x, 0), with weight broadcast along dim 1 of x (the channels,
// like PyTorch): weight has one element, or as many as x has channels. Differentiable in
// both x and weight.
Tensor prelu(const Tensor& x, const Tensor& weight);

// Softmax (or log-softmax when `log`) along `axis` (negative counts from the end),
// computed as exp(x - max) / sum(exp(x - max)) so large inputs do not overflow.
// Throws std::out_of_range for a bad axis.
Tensor softmax(const Tensor& x, int64_t axis, bool log);

}  // namespace nncore
