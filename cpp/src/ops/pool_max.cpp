// max_pool2d on channels-last images, and its backward.
//
// The innermost loop runs over channels (contiguous in NHWC) with branch-free selects, so
// it vectorises. A window's taps are visited in row-major order and a tap replaces the
// running maximum when it is larger or NaN, which makes the recorded index PyTorch's: the
// first maximum, and NaN propagates. The backward adds each output gradient at its
// argmax; a thread owns whole images, so the adds are race-free and in a fixed order.
#include <algorithm>
#include <limits>
#include <stdexcept>

#include "autograd/record.hpp"
#include "nncore/autograd.hpp"
#include "nncore/conv.hpp"
#include "nncore/errors.hpp"
#include "nncore/ops.hpp"
#include "nncore/parallel.hpp"
#include "ops/pool_geometry.hpp"

namespace nncore {
namespace {

// One 2x2 window, taps (r0, r0 + C, r1, r1 + C) in row-major order, with the selection rule
// of the general loop. The four taps share one loop over the channels: with few channels
// the general loop pays a vector prologue and remainder per tap.
template <class T, class I, bool with_index>
inline void window2x2(const T* __restrict r0, const T* __restrict r1, int64_t C, I pos0,
                      I pos1, T* __restrict best, I* __restrict arg) {
  for (int64_t c = 0; c < C; ++c) {
    T m = r0[c];
    I at = pos0;
    const T v1 = r0[C + c], v2 = r1[c], v3 = r1[C + c];
    bool take = v1 > m || v1 != v1;
    m = take ? v1 : m;
    at = take ? pos0 + 1 : at;
    take = v2 > m || v2 != v2;
    m = take ? v2 : m;
    at = take ? pos1 : at;
    take = v3 > m || v3 != v3;
    m = take ? v3 : m;
    at = take ? pos1 + 1 : at;
    best[c] = m;
    if (with_index) arg[c] = at;
  }
}

// I: index type (int32 for autograd's own use, int64 for return_indices); with_index
// false skips the indices altogether (inference).
template <class T, class I, bool with_index>
void max_pool_forward(const Tensor& x, const PoolOptions& o, int64_t oh_n, int64_t ow_n,
                      T* out, I* index) {
  const int64_t H = x.size(1), W = x.size(2), C = x.size(3);
  const int64_t sn = x.strides()[0], sh = x.strides()[1], sw = x.strides()[2];
  const T* px = x.data<T>();
  const int64_t rows = x.size(0) * oh_n;
  const int64_t grain = std::max<int64_t>(1, 8192 / std::max<int64_t>(1, ow_n * C * o.kernel_h * o.kernel_w));
  // 2x2 windows with stride 2 that never reach past the right edge or into the padding
  // along the width, with dense channels: each output reads two adjacent pixels of two rows.
  const bool pairs = o.kernel_h == 2 && o.kernel_w == 2 && o.stride_w == 2 &&
                     o.dilation_h == 1 && o.dilation_w == 1 && o.pad_left == 0 &&
                     2 * ow_n <= W && x.strides()[3] == 1 && sw == C;
  parallel_for(rows, grain, [&](int64_t q0, int64_t q1) {
    for (int64_t q = q0; q < q1; ++q) {
      const int64_t n = q / oh_n, oh = q % oh_n;
      const int64_t h0 = oh * o.stride_h - o.pad_top;
      // Taps inside the input: kh in [kh0, kh1) (the padding never wins).
      int64_t kh0 = 0, kh1 = o.kernel_h;
      while (kh0 < kh1 && h0 + kh0 * o.dilation_h < 0) ++kh0;
      while (kh1 > kh0 && h0 + (kh1 - 1) * o.dilation_h >= H) --kh1;
      if (pairs && kh1 - kh0 == 2) {  // the common 2x2, stride 2 window: all taps in one pass
        const T* r0 = px + n * sn + (h0 + kh0) * sh;
        const T* r1 = r0 + sh;
        const I row0 = static_cast<I>((h0 + kh0) * W), row1 = static_cast<I>((h0 + kh0 + 1) * W);
        for (int64_t ow = 0; ow < ow_n; ++ow)
          window2x2<T, I, with_index>(r0 + 2 * ow * sw, r1 + 2 * ow * sw, C, row0 + 2 * ow,
                                      row1 + 2 * ow, out + (q * ow_n + ow) * C,
                                      with_index ? index + (q * ow_n + ow) * C : nullptr);
        continue;
      }
      for (int64_t ow = 0; ow < ow_n; ++ow) {
        const int64_t w0 = ow * o.stride_w - o.pad_left;
        int64_t kw0 = 0, kw1 = o.kernel_w;
        while (kw0 < kw1 && w0 + kw0 * o.dilation_w < 0) ++kw0;
        while (kw1 > kw0 && w0 + (kw1 - 1) * o.dilation_w >= W) --kw1;
        T* __restrict best = out + (q * ow_n + ow) * C;
        I* __restrict arg = with_index ? index + (q * ow_n + ow) * C : nullptr;
        bool first = true;
        for (int64_t kh = kh0; kh < kh1; ++kh) {
          const int64_t ih = h0 + kh * o.dilation_h;
          for (int64_t kw = kw0; kw < kw1; ++kw) {
            const int64_t iw = w0 + kw * o.dilation_w;
            const T* __restrict v = px + n * sn + ih * sh + iw * sw;
            const I pos = static_cast<I>(ih * W + iw);
            if (first) {
              for (int64_t c = 0; c < C; ++c) best[c] = v[c];
              if (with_index)
                for (int64_t c = 0; c < C; ++c) arg[c] = pos;
              first = false;
              continue;
            }
            if (with_index) {
              for (int64_t c = 0; c < C; ++c) {
                const bool take = v[c] > best[c] || v[c] != v[c];
                best[c] = take ? v[c] : best[c];
                arg[c] = take ? pos : arg[c];
              }
            } else {
              for (int64_t c = 0; c < C; ++c) {
                const bool take = v[c] > best[c] || v[c] != v[c];
                best[c] = take ? v[c] : best[c];
              }
            }
          }
        }
        if (first) {  // an empty window cannot happen under the padding rule; be safe
          for (int64_t c = 0; c < C; ++c) best[c] = -std::numeric_limits<T>::infinity();
          if (with_index)
            for (int64_t c = 0; c < C; ++c) arg[c] = 0;
        }
      }
    }
  });
}

template <class T, class I>
void max_pool_backward(const T* gy, const I* index, int64_t n, int64_t out_pixels,
                       int64_t in_pixels, int64_t C, T* gx) {
  parallel_for(n, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, in_pixels * C)),
               [&](int64_t n0, int64_t n1) {
    std::fill(gx + n0 * in_pixels * C, gx + n1 * in_pixels * C, T(0));
    for (int64_t b = n0; b < n1; ++b) {
      T* g = gx + b * in_pixels * C;
      const T* src = gy + b * out_pixels * C;
      const I* idx = index + b * out_pixels * C;
      for (int64_t p = 0; p < out_pixels * C; p += C)
        for (int64_t c = 0; c < C; ++c) g[static_cast<int64_t>(idx[p + c]) * C + c] += src[p + c];
    }
  });
}

Tensor max_pool(const char* op, const Tensor& x_in, const PoolOptions& o, bool want_indices,
                DType index_dtype, Tensor& indices) {
  int64_t oh, ow;
  pool_output_size(op, x_in, o, true, oh, ow);
  NNC_CHECK(x_in.size(1) * x_in.size(2) < (int64_t(1) << 31) || index_dtype == DType::int64,
            std::invalid_argument, "%s: image %s too large for int32 indices", op,
            shape_str(x_in.shape()).c_str());
  const Tensor x = channels_dense(x_in);
  const Dims shape{x.size(0), oh, ow, x.size(3)};
  Tensor out = Tensor::empty(shape, x.dtype());
  if (want_indices) indices = Tensor::empty(shape, index_dtype);
  if (out.numel() == 0) return out;
  auto run = [&](auto zero) {
    using T = decltype(zero);
    if (!want_indices)
      max_pool_forward<T, int32_t, false>(x, o, oh, ow, out.data<T>(), nullptr);
    else if (index_dtype == DType::int32)
      max_pool_forward<T, int32_t, true>(x, o, oh, ow, out.data<T>(), indices.data<int32_t>());
    else
      max_pool_forward<T, int64_t, true>(x, o, oh, ow, out.data<T>(), indices.data<int64_t>());
  };
  if (x.dtype() == DType::float32) run(float{});
  else run(double{});
  return out;
}

}  // namespace

Tensor max_pool2d(const Tensor& x, const PoolOptions& o) {
  // The indices are computed only when a backward will need them.
  const bool grad = should_record(x);
  Tensor indices;
  Tensor out = max_pool("max_pool2d", x, o, grad, DType::int32, indices);
  return grad ? record_max_pool2d(x, indices, std::move(out)) : out;
}

Tensor max_pool2d_with_indices(const Tensor& x, const PoolOptions& o, Tensor& indices) {
  Tensor out = max_pool("max_pool2d", x, o, true, DType::int64, indices);
  return record_max_pool2d(x, indices, std::move(out));
}

Tensor max_pool2d_backward(const Tensor& gy, const Tensor& indices, int64_t in_h,
                           int64_t in_w) {
  NNC_CHECK(gy.ndim() == 4 && gy.shape() == indices.shape(), std::invalid_argument,
            "max_pool2d_backward: output gradient %s and indices %s differ in shape",
            shape_str(gy.shape()).c_str(), shape_str(indices.shape()).c_str());
  NNC_CHECK(indices.dtype() == DType::int32 || indices.dtype() == DType::int64,
            std::invalid_argument, "max_pool2d_backward: indices must be int32 or int64, got %s",
            describe(indices).c_str());
  Tensor gx = Tensor::empty(Dims{gy.size(0), in_h, in_w, gy.size(3)}, gy.dtype());
  if (gx.numel() == 0) return gx;
  const Tensor g = gy.contiguous(), idx = indices.contiguous();
  const int64_t out_pixels = gy.size(1) * gy.size(2), in_pixels = in_h * in_w;
  auto run = [&](auto zero) {
    using T = decltype(zero);
    if (idx.dtype() == DType::int32)
      max_pool_backward(g.data<T>(), idx.data<int32_t>(), gy.size(0), out_pixels, in_pixels,
                        gy.size(3), gx.data<T>());
    else
      max_pool_backward(g.data<T>(), idx.data<int64_t>(), gy.size(0), out_pixels, in_pixels,
                        gy.size(3), gx.data<T>());
  };
  if (gy.dtype() == DType::float32) run(float{});
  else run(double{});
  return gx;
}

}  // namespace nncore
