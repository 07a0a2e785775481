// Argument checks shared by the convolution ops (conv2d.cpp, conv_transpose.cpp), with
// messages naming the op, the shapes and the dtypes.
#pragma once

#include <cstdint>

#include "nncore/conv.hpp"
#include "nncore/dtype.hpp"

namespace nncore {

// x (N, H, W, C), w 4-d, bias (out_channels,) or undefined, one float dtype, valid options,
// channels divisible by groups. conv2d's weight is (KH, KW, C / groups, Cout); a transposed
// convolution's is (KH, KW, Cout / groups, C).
void check_conv_inputs(const char* op, const Tensor& x, const Tensor& w, const Tensor& bias,
                       const ConvOptions& o, bool transposed);
// Output height and width of conv2d; throws when the dilated kernel does not fit in the
// padded input.
void conv_out_hw(const char* op, const Tensor& x, const Tensor& w, const ConvOptions& o,
                 int64_t& oh, int64_t& ow);
void check_conv_options(const char* op, const ConvOptions& o);
void check_conv_backward_input(const Tensor& gy, const Tensor& w, int64_t in_h, int64_t in_w,
                               const ConvOptions& o);
void check_conv_backward_weight(const Tensor& x, const Tensor& gy, const ConvOptions& o);

// fn(float{}) or fn(double{}) by dtype (callers have checked it is floating).
template <class Fn>
void visit_float(DType t, Fn&& fn) {
  if (t == DType::float32) fn(float{});
  else fn(double{});
}

}  // namespace nncore
