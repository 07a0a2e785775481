// Convolution and pooling, channels-last.
//
// Images are NHWC: (batch, height, width, channels). An input may be any strided view --
// the PyTorch-layout API passes an NCHW tensor permuted to NHWC without copying, and the
// kernels read through its strides. Convolution kernels use Keras's layout
// (kernel_h, kernel_w, in_channels / groups, out_channels); outputs are new contiguous NHWC
// tensors. One-dimensional ops are the 2-d ones with height 1.
//
//   ConvOptions o;                       // stride 1, no padding, dilation 1, one group
//   o.pad_top = o.pad_bottom = o.pad_left = o.pad_right = 2;
//   Tensor y = conv2d(x, w, bias, o);    // x (64, 28, 28, 1), w (5, 5, 1, 6) -> (64, 28, 28, 6)
//
// Output size along one axis: floor((in + pad_before + pad_after - dilation * (k - 1) - 1)
// / stride) + 1, PyTorch's formula with padding given per side (so Keras's 'same', which
// may pad one more row at the bottom than at the top, is just another padding).
//
// Every op here is differentiable (autograd records it) and deterministic: work is split
// into chunks that do not depend on the thread count, and partial sums (the weight
// gradient, the scatter of the input gradient) are combined in a fixed order, so results
// are bitwise identical for any number of threads.
#pragma once

#include <cstdint>

#include "nncore/tensor.hpp"

namespace nncore {

struct ConvOptions {
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;
};

// ---- convolution (ops/conv2d.cpp, ops/conv_depthwise.cpp) ----
// x (N, H, W, Cin), w (KH, KW, Cin / groups, Cout), bias (Cout,) or undefined.
// Returns (N, OH, OW, Cout). Groups split channels like PyTorch: output channels
// [g * Cout/groups, (g+1) * Cout/groups) see input channels [g * Cin/groups, ...).
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvOptions& o);

// The transposed convolution: the gradient of conv2d with respect to its input, as an op.
// x (N, H, W, Cin), w (KH, KW, Cout / groups, Cin) -- conv2d's weight for the convolution
// mapping the output back to x, which is also Keras's Conv2DTranspose layout. Output
// size: (in - 1) * stride - pad_before - pad_after + dilation * (k - 1) + output_padding + 1,
// with output_padding < stride or < dilation (as PyTorch requires).
Tensor conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& bias,
                        const ConvOptions& o, int64_t output_padding_h,
                        int64_t output_padding_w);

// conv2d's backward building blocks (not recorded by autograd). gy (N, OH, OW, Cout) is
// the output gradient; OH and OW may differ from the conv's natural output size (windows
// past the input read zeros), which transposed convolutions with output_padding use.
// Input gradient, (N, in_h, in_w, Cin) with Cin = w.size(2) * groups.
Tensor conv2d_backward_input(const Tensor& gy, const Tensor& w, int64_t in_h, int64_t in_w,
                             const ConvOptions& o);
// Weight gradient, (kernel_h, kernel_w, Cin / groups, Cout).
Tensor conv2d_backward_weight(const Tensor& x, const Tensor& gy, int64_t kernel_h,
                              int64_t kernel_w, const ConvOptions& o);

// ---- pooling (ops/pool.cpp) ----
// Windows of kernel_h x kernel_w (dilated for max pooling), PyTorch's rules: with
// ceil_mode the output size rounds up, but a window must start inside the input or its
// top/left padding; padding on each side is at most half the (dilated) kernel.
struct PoolOptions {
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int64_t dilation_h = 1, dilation_w = 1;  // max pooling only
  bool ceil_mode = false;
  // Average pooling: whether padded positions count in the divisor (PyTorch's default;
  // Keras's 'same' does not), and a fixed divisor overriding both when > 0.
  bool count_include_pad = true;
  int64_t divisor_override = 0;
};

// Maximum over each window; NaN propagates. The gradient goes to the first maximum
// (the position PyTorch's indices name).
Tensor max_pool2d(const Tensor& x, const PoolOptions& o);
// The same, also returning the argmax of each output as a flat index h * W + w into its
// image (int64, NHWC like the output), PyTorch's return_indices.
Tensor max_pool2d_with_indices(const Tensor& x, const PoolOptions& o, Tensor& indices);
Tensor avg_pool2d(const Tensor& x, const PoolOptions& o);
// Mean over PyTorch's adaptive windows: rows [floor(i * H / OH), ceil((i + 1) * H / OH)).
Tensor adaptive_avg_pool2d(const Tensor& x, int64_t out_h, int64_t out_w);

// Pooling's backward building blocks (not recorded by autograd): input gradients of shape
// (N, in_h, in_w, C) from output gradients gy (N, OH, OW, C).
Tensor max_pool2d_backward(const Tensor& gy, const Tensor& indices, int64_t in_h,
                           int64_t in_w);
Tensor avg_pool2d_backward(const Tensor& gy, int64_t in_h, int64_t in_w, const PoolOptions& o);
Tensor adaptive_avg_pool2d_backward(const Tensor& gy, int64_t in_h, int64_t in_w);

}  // namespace nncore
