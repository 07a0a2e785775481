// Hooks through which the ops record their backward nodes (grad_*.cpp). Each returns `out`,
// with a grad_fn attached when grad mode is on and an input requires grad.
#pragma once

#include "nncore/conv.hpp"
#include "nncore/ops.hpp"

namespace nncore {

Tensor record_binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor out);
Tensor record_unary(UnaryOp op, const Tensor& a, Tensor out);
Tensor record_clip(const Tensor& a, bool has_lo, double lo, bool has_hi, double hi, Tensor out);
Tensor record_where(const Tensor& cond, const Tensor& a, const Tensor& b, Tensor out);
Tensor record_reduce(ReduceOp op, const Tensor& a, const bool* mask, bool keepdims, Tensor out);
Tensor record_matmul(const Tensor& a, const Tensor& b, Tensor out);
Tensor record_linear(const Tensor& x, const Tensor& w, const Tensor& bias, Tensor out);

}  // namespace nncore

// ---- convolution and pooling (grad_conv.cpp, grad_pool.cpp) ----
namespace nncore {

Tensor record_conv2d(const Tensor& x, const Tensor& w, const Tensor& bias,
                     const ConvOptions& o, Tensor out);
Tensor record_conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& bias,
                               const ConvOptions& o, Tensor out);
// indices: the argmax of each output within its image (int32 or int64), as the backward
// routes the gradient.
Tensor record_max_pool2d(const Tensor& x, const Tensor& indices, Tensor out);
Tensor record_avg_pool2d(const Tensor& x, const PoolOptions& o, Tensor out);
Tensor record_adaptive_avg_pool2d(const Tensor& x, Tensor out);

}  // namespace nncore

// Recurrent ops (ops/rnn_*.cpp; the node is in grad_rnn.cpp): one node for the whole
// sequence, whose outputs are out.output, out.h_n and (LSTM) out.c_n.
namespace nncore {

struct RnnArgs;
struct RnnTape;
struct RnnOutputs;
void record_rnn(const RnnArgs& args, RnnTape&& tape, const Tensor& x, const Tensor& h0,
                const Tensor& c0, const Tensor& kernel, const Tensor& recurrent_kernel,
                const Tensor& bias, RnnOutputs& out);

}  // namespace nncore
