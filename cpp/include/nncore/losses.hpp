// Fused loss kernels: the parts of losses where composing elementwise ops would cost extra
// passes over memory or lose numerical stability.
#pragma once

#include "nncore/tensor.hpp"

namespace nncore {

// Softmax cross-entropy per row of logits (N, C) against class indices `target` (N,)
// (int64 or int32): log(sum_j exp(x_j)) - x_target, computed with the max subtracted so
// large logits cannot overflow. Returns (N,). Differentiable in the logits; the backward
// is softmax(x) - onehot(target), scaled by the incoming gradient, in one pass.
Tensor softmax_cross_entropy(const Tensor& logits, const Tensor& target);

// The same against target probabilities (N, C): log-sum-exp(x) * sum(p) - sum(p * x).
// Differentiable in the logits only.
Tensor softmax_cross_entropy_soft(const Tensor& logits, const Tensor& target);

}  // namespace nncore
