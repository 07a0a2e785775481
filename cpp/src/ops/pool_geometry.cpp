// Output sizes, checks and axis windows of the pooling ops.
#include "ops/pool_geometry.hpp"

#include <algorithm>
#include <stdexcept>

#include "nncore/errors.hpp"
#include "nncore/parallel.hpp"

namespace nncore {
namespace {

// PyTorch's pooling_output_shape, with the padding given per side.
int64_t axis_out(int64_t in, int64_t extent, int64_t stride, int64_t pad_before,
                 int64_t pad_after, bool ceil_mode) {
  const int64_t span = in + pad_before + pad_after - extent;
  int64_t out = (ceil_mode ? ceil_div(span, stride) : span / stride) + 1;
  // With ceil_mode the last window must still start inside the input or its top padding.
  if (ceil_mode && (out - 1) * stride >= in + pad_before) --out;
  return out;
}

}  // namespace

void pool_output_size(const char* op, const Tensor& x, const PoolOptions& o, bool dilated,
                      int64_t& oh, int64_t& ow) {
  NNC_CHECK(x.defined(), std::invalid_argument, "%s: undefined tensor", op);
  if (!is_floating(x.dtype()))
    throw dtype_error(format_message("%s: requires float32 or float64, got %s", op,
                                     describe(x).c_str()));
  NNC_CHECK(x.ndim() == 4, std::invalid_argument,
            "%s: the input must be 4-d (batch, height, width, channels), got shape %s (%s)", op,
            shape_str(x.shape()).c_str(), dtype_name(x.dtype()));
  NNC_CHECK(o.kernel_h >= 1 && o.kernel_w >= 1 && o.stride_h >= 1 && o.stride_w >= 1,
            std::invalid_argument,
            "%s: kernel size and stride must be positive, got kernel (%lld, %lld), stride "
            "(%lld, %lld)", op, static_cast<long long>(o.kernel_h),
            static_cast<long long>(o.kernel_w), static_cast<long long>(o.stride_h),
            static_cast<long long>(o.stride_w));
  const int64_t dh = dilated ? o.dilation_h : 1, dw = dilated ? o.dilation_w : 1;
  NNC_CHECK(dh >= 1 && dw >= 1, std::invalid_argument,
            "%s: dilation must be positive, got (%lld, %lld)", op,
            static_cast<long long>(o.dilation_h), static_cast<long long>(o.dilation_w));
  const int64_t eh = dh * (o.kernel_h - 1) + 1, ew = dw * (o.kernel_w - 1) + 1;
  // PyTorch's rule, for max pooling too: at most half the (undilated) kernel.
  const int64_t limit_h = o.kernel_h / 2, limit_w = o.kernel_w / 2;
  NNC_CHECK(o.pad_top >= 0 && o.pad_bottom >= 0 && o.pad_left >= 0 && o.pad_right >= 0 &&
                o.pad_top <= limit_h && o.pad_bottom <= limit_h && o.pad_left <= limit_w &&
                o.pad_right <= limit_w,
            std::invalid_argument,
            "%s: padding (top %lld, bottom %lld, left %lld, right %lld) must be non-negative "
            "and at most half the kernel %lldx%lld", op, static_cast<long long>(o.pad_top),
            static_cast<long long>(o.pad_bottom), static_cast<long long>(o.pad_left),
            static_cast<long long>(o.pad_right), static_cast<long long>(o.kernel_h),
            static_cast<long long>(o.kernel_w));
  NNC_CHECK(o.divisor_override >= 0, std::invalid_argument,
            "%s: divisor_override must be positive, got %lld", op,
            static_cast<long long>(o.divisor_override));
  const int64_t ph = x.size(1) + o.pad_top + o.pad_bottom;
  const int64_t pw = x.size(2) + o.pad_left + o.pad_right;
  NNC_CHECK(eh <= ph && ew <= pw, std::invalid_argument,
            "%s: kernel %lldx%lld is larger than the padded input %lldx%lld (input %s)", op,
            static_cast<long long>(eh), static_cast<long long>(ew), static_cast<long long>(ph),
            static_cast<long long>(pw), describe(x).c_str());
  oh = axis_out(x.size(1), eh, o.stride_h, o.pad_top, o.pad_bottom, o.ceil_mode);
  ow = axis_out(x.size(2), ew, o.stride_w, o.pad_left, o.pad_right, o.ceil_mode);
}

namespace {

void fill_readers(AxisWindows& a, int64_t in) {
  const int64_t out = static_cast<int64_t>(a.lo.size());
  a.first.assign(in, 0);
  a.last.assign(in, 0);
  int64_t begin = 0, end = 0;
  for (int64_t i = 0; i < in; ++i) {
    while (begin < out && a.hi[begin] <= i) ++begin;
    if (end < begin) end = begin;
    while (end < out && a.lo[end] <= i) ++end;
    a.first[i] = begin;
    a.last[i] = std::max(begin, end);
  }
}

}  // namespace

AxisWindows strided_windows(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad,
                            int64_t pad_after, bool count_pad) {
  AxisWindows a;
  a.lo.resize(out);
  a.hi.resize(out);
  a.size.resize(out);
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * stride - pad;
    const int64_t end = std::min(start + k, in + pad_after);
    a.lo[o] = std::max<int64_t>(start, 0);
    a.hi[o] = std::min(end, in);
    a.size[o] = count_pad ? end - start : a.hi[o] - a.lo[o];
  }
  fill_readers(a, in);
  return a;
}

AxisWindows adaptive_windows(int64_t in, int64_t out) {
  AxisWindows a;
  a.lo.resize(out);
  a.hi.resize(out);
  a.size.resize(out);
  for (int64_t o = 0; o < out; ++o) {
    a.lo[o] = o * in / out;
    a.hi[o] = ceil_div((o + 1) * in, out);
    a.size[o] = a.hi[o] - a.lo[o];
  }
  fill_readers(a, in);
  return a;
}

Tensor channels_dense(const Tensor& x) {
  return x.strides()[3] == 1 || x.size(3) <= 1 ? x : x.contiguous();
}

}  // namespace nncore
