// avg_pool2d and adaptive_avg_pool2d on channels-last images, and their backward.
//
// Both are "separable window" means: output (oh, ow) averages the input rectangle
// rows x cols given per axis by AxisWindows, divided by the product of the two axes'
// counts (or a fixed divisor). The innermost loop runs over channels, contiguous in NHWC.
// The backward is a gather -- each input pixel sums the outputs whose window holds it --
// so threads write disjoint pixels in a fixed order, with no zero-fill and no races.
#include <algorithm>
#include <stdexcept>

#include "autograd/record.hpp"
#include "nncore/conv.hpp"
#include "nncore/errors.hpp"
#include "nncore/parallel.hpp"
#include "ops/pool_geometry.hpp"

namespace nncore {
namespace {

struct WindowPlan {
  AxisWindows h, w;
  int64_t divisor = 0;  // > 0: overrides the window counts
};

template <class T>
void window_mean_forward(const Tensor& x, const WindowPlan& p, T* out) {
  const int64_t C = x.size(3), OH = static_cast<int64_t>(p.h.lo.size());
  const int64_t OW = static_cast<int64_t>(p.w.lo.size());
  const int64_t sn = x.strides()[0], sh = x.strides()[1], sw = x.strides()[2];
  const T* px = x.data<T>();
  const int64_t grain = std::max<int64_t>(1, 8192 / std::max<int64_t>(1, OW * C));
  parallel_for(x.size(0) * OH, grain, [&](int64_t q0, int64_t q1) {
    for (int64_t q = q0; q < q1; ++q) {
      const int64_t n = q / OH, oh = q % OH;
      for (int64_t ow = 0; ow < OW; ++ow) {
        T* __restrict acc = out + (q * OW + ow) * C;
        for (int64_t c = 0; c < C; ++c) acc[c] = T(0);
        for (int64_t ih = p.h.lo[oh]; ih < p.h.hi[oh]; ++ih)
          for (int64_t iw = p.w.lo[ow]; iw < p.w.hi[ow]; ++iw) {
            const T* __restrict v = px + n * sn + ih * sh + iw * sw;
            for (int64_t c = 0; c < C; ++c) acc[c] += v[c];
          }
        const T div = static_cast<T>(p.divisor > 0 ? p.divisor : p.h.size[oh] * p.w.size[ow]);
        for (int64_t c = 0; c < C; ++c) acc[c] /= div;
      }
    }
  });
}

// gy contiguous (N, OH, OW, C); gx contiguous (N, H, W, C), overwritten.
template <class T>
void window_mean_backward(const T* gy, const WindowPlan& p, int64_t N, int64_t H, int64_t W,
                          int64_t C, T* gx) {
  const int64_t OH = static_cast<int64_t>(p.h.lo.size());
  const int64_t OW = static_cast<int64_t>(p.w.lo.size());
  const int64_t grain = std::max<int64_t>(1, 8192 / std::max<int64_t>(1, W * C));
  parallel_for(N * H, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t n = r / H, ih = r % H;
      for (int64_t iw = 0; iw < W; ++iw) {
        T* __restrict acc = gx + (r * W + iw) * C;
        for (int64_t c = 0; c < C; ++c) acc[c] = T(0);
        for (int64_t oh = p.h.first[ih]; oh < p.h.last[ih]; ++oh)
          for (int64_t ow = p.w.first[iw]; ow < p.w.last[iw]; ++ow) {
            const T div =
                static_cast<T>(p.divisor > 0 ? p.divisor : p.h.size[oh] * p.w.size[ow]);
            const T* __restrict g = gy + ((n * OH + oh) * OW + ow) * C;
            for (int64_t c = 0; c < C; ++c) acc[c] += g[c] / div;
          }
      }
    }
  });
}

WindowPlan avg_plan(int64_t H, int64_t W, int64_t OH, int64_t OW, const PoolOptions& o) {
  WindowPlan p;
  p.h = strided_windows(H, OH, o.kernel_h, o.stride_h, o.pad_top, o.pad_bottom,
                        o.count_include_pad);
  p.w = strided_windows(W, OW, o.kernel_w, o.stride_w, o.pad_left, o.pad_right,
                        o.count_include_pad);
  p.divisor = o.divisor_override;
  return p;
}

WindowPlan adaptive_plan(int64_t H, int64_t W, int64_t OH, int64_t OW) {
  WindowPlan p;
  p.h = adaptive_windows(H, OH);
  p.w = adaptive_windows(W, OW);
  return p;
}

Tensor mean_forward(const Tensor& x_in, const WindowPlan& p) {
  const Tensor x = channels_dense(x_in);
  Tensor out = Tensor::empty(Dims{x.size(0), static_cast<int64_t>(p.h.lo.size()),
                                  static_cast<int64_t>(p.w.lo.size()), x.size(3)},
                             x.dtype());
  if (out.numel() == 0) return out;
  if (x.dtype() == DType::float32) window_mean_forward<float>(x, p, out.data<float>());
  else window_mean_forward<double>(x, p, out.data<double>());
  return out;
}

Tensor mean_backward(const Tensor& gy, const WindowPlan& p, int64_t H, int64_t W) {
  Tensor gx = Tensor::empty(Dims{gy.size(0), H, W, gy.size(3)}, gy.dtype());
  if (gx.numel() == 0) return gx;
  const Tensor g = gy.contiguous();
  if (gy.dtype() == DType::float32)
    window_mean_backward<float>(g.data<float>(), p, gy.size(0), H, W, gy.size(3),
                                gx.data<float>());
  else
    window_mean_backward<double>(g.data<double>(), p, gy.size(0), H, W, gy.size(3),
                                 gx.data<double>());
  return gx;
}

void check_adaptive(const char* op, const Tensor& x, int64_t out_h, int64_t out_w) {
  NNC_CHECK(x.defined(), std::invalid_argument, "%s: undefined tensor", op);
  if (!is_floating(x.dtype()))
    throw dtype_error(format_message("%s: requires float32 or float64, got %s", op,
                                     describe(x).c_str()));
  NNC_CHECK(x.ndim() == 4 && x.size(1) >= 1 && x.size(2) >= 1, std::invalid_argument,
            "%s: the input must be 4-d (batch, height, width, channels) with non-empty "
            "height and width, got shape %s (%s)", op, shape_str(x.shape()).c_str(),
            dtype_name(x.dtype()));
  NNC_CHECK(out_h >= 1 && out_w >= 1, std::invalid_argument,
            "%s: output size must be positive, got (%lld, %lld)", op,
            static_cast<long long>(out_h), static_cast<long long>(out_w));
}

}  // namespace

Tensor avg_pool2d(const Tensor& x, const PoolOptions& o) {
  int64_t oh, ow;
  pool_output_size("avg_pool2d", x, o, false, oh, ow);
  Tensor out = mean_forward(x, avg_plan(x.size(1), x.size(2), oh, ow, o));
  return record_avg_pool2d(x, o, std::move(out));
}

Tensor avg_pool2d_backward(const Tensor& gy, int64_t in_h, int64_t in_w, const PoolOptions& o) {
  NNC_CHECK(gy.ndim() == 4, std::invalid_argument,
            "avg_pool2d_backward: the output gradient must be 4-d, got %s",
            shape_str(gy.shape()).c_str());
  return mean_backward(gy, avg_plan(in_h, in_w, gy.size(1), gy.size(2), o), in_h, in_w);
}

Tensor adaptive_avg_pool2d(const Tensor& x, int64_t out_h, int64_t out_w) {
  check_adaptive("adaptive_avg_pool2d", x, out_h, out_w);
  Tensor out = mean_forward(x, adaptive_plan(x.size(1), x.size(2), out_h, out_w));
  return record_adaptive_avg_pool2d(x, std::move(out));
}

Tensor adaptive_avg_pool2d_backward(const Tensor& gy, int64_t in_h, int64_t in_w) {
  NNC_CHECK(gy.ndim() == 4 && in_h >= 1 && in_w >= 1, std::invalid_argument,
            "adaptive_avg_pool2d_backward: output gradient %s, input size %lldx%lld",
            shape_str(gy.shape()).c_str(), static_cast<long long>(in_h),
            static_cast<long long>(in_w));
  return mean_backward(gy, adaptive_plan(in_h, in_w, gy.size(1), gy.size(2)), in_h, in_w);
}

}  // namespace nncore
