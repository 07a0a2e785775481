// What the convolution kernels share: the geometry of one conv2d call (sizes, strides of
// the input view, options), the im2col / col2im gathers (im2col.cpp) and the direct
// depthwise kernels (conv_depthwise.cpp). Internal to the engine.
#pragma once

#include <cstdint>

#include "nncore/conv.hpp"
#include "nncore/dtype.hpp"
#include "nncore/parallel.hpp"

namespace nncore {

struct ConvGeometry {
  int64_t n = 0, h = 0, w = 0, c = 0;      // input (N, H, W, C)
  int64_t kh = 0, kw = 0;                  // kernel
  int64_t oh = 0, ow = 0, cout = 0;        // output (N, OH, OW, Cout)
  int64_t groups = 1, cg = 0, coutg = 0;   // channels per group, in and out
  int64_t sh = 1, sw = 1, pt = 0, pl = 0, dh = 1, dw = 1;
  int64_t xs_n = 0, xs_h = 0, xs_w = 0, xs_c = 0;  // element strides of the input view

  // Rows of the im2col matrix per output pixel: (kh, kw, c) in the weight's order.
  int64_t k() const { return kh * kw * cg; }
  // Output rows (n, oh): the unit the drivers split work by.
  int64_t out_rows() const { return n * oh; }
  // The im2col matrix is the input itself (1x1 kernel, stride 1, no padding, and the
  // (N, H, W) dims fold into one stride).
  bool im2col_is_identity() const {
    return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h &&
           ow == w && xs_h == w * xs_w && xs_n == h * xs_h;
  }
};

// Fills the sizes, options and input strides; `x` is the NHWC input view.
ConvGeometry make_geometry(const Tensor& x, int64_t kernel_h, int64_t kernel_w,
                           int64_t out_h, int64_t out_w, int64_t cout, const ConvOptions& o);

// How the im2col matrix (R rows = output pixels, K columns = kh * kw * cg) is stored.
//   rows:   col[r * K + k]  -- long contiguous runs of channels; for many input channels
//   planes: col[k * R + r]  -- long contiguous runs along the output width; for few
enum class ColLayout { rows, planes };

ColLayout choose_col_layout(const ConvGeometry& g);

// The im2col matrix of output rows [q0, q1) (q = n * OH + oh) for one group, zeros where a
// window reaches into the padding. x points at element (0, 0, 0, 0) of the input view.
template <class T>
void im2col(const ConvGeometry& g, const T* x, int64_t group, int64_t q0, int64_t q1,
            ColLayout layout, T* col);

// The adjoint: adds each column entry of output rows [q0, q1) back onto the input pixel it
// was gathered from. gx is a contiguous (N, H, W, C) tensor. Entries are added in a fixed
// order; callers give each thread disjoint images, so no two threads touch one pixel.
template <class T>
void col2im_add(const ConvGeometry& g, const T* col, int64_t group, int64_t q0, int64_t q1,
                ColLayout layout, T* gx);

// Direct depthwise kernels (groups == C == Cout), vectorised over channels.
bool use_depthwise_kernel(const ConvGeometry& g);
template <class T>
void depthwise_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* out);
template <class T>
void depthwise_backward_input(const ConvGeometry& g, const T* gy, const T* w, T* gx);
template <class T>
void depthwise_backward_weight(const ConvGeometry& g, const T* x, const T* gy, T* gw);

// Direct kernels for ungrouped convs with few output channels (conv_direct.cpp).
bool use_direct_kernel(const ConvGeometry& g, int64_t itemsize);
template <class T>
void direct_conv_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* out,
                         DType dtype);
template <class T>
void direct_conv_weight_grad(const ConvGeometry& g, const T* x, const T* gy, T* gw,
                             DType dtype);

// A buffer owned by the calling thread and reused across calls (slot 0..3), so the
// kernels' scratch costs no allocation per chunk.
template <class T>
T* thread_scratch(int slot, int64_t count);

}  // namespace nncore
