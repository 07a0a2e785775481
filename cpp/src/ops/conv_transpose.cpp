// conv_transpose2d: conv2d's input gradient run as a forward op (ops/conv2d.cpp), plus bias.
#include <stdexcept>

#include "autograd/record.hpp"
#include "nncore/conv.hpp"
#include "nncore/errors.hpp"
#include "nncore/parallel.hpp"
#include "ops/conv_checks.hpp"

namespace nncore {

Tensor conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& bias,
                        const ConvOptions& o, int64_t output_padding_h,
                        int64_t output_padding_w) {
  const char* op = "conv_transpose2d";
  check_conv_inputs(op, x, w, bias, o, true);
  NNC_CHECK(output_padding_h >= 0 && output_padding_w >= 0 &&
                output_padding_h < std::max(o.stride_h, o.dilation_h) &&
                output_padding_w < std::max(o.stride_w, o.dilation_w),
            std::invalid_argument,
            "%s: output_padding (%lld, %lld) must be non-negative and smaller than either the "
            "stride (%lld, %lld) or the dilation (%lld, %lld)", op,
            static_cast<long long>(output_padding_h), static_cast<long long>(output_padding_w),
            static_cast<long long>(o.stride_h), static_cast<long long>(o.stride_w),
            static_cast<long long>(o.dilation_h), static_cast<long long>(o.dilation_w));
  NNC_CHECK(w.size(0) >= 1 && w.size(1) >= 1, std::invalid_argument,
            "%s: the kernel must be at least 1x1, got shape %s", op, shape_str(w.shape()).c_str());
  const int64_t oh = (x.size(1) - 1) * o.stride_h - o.pad_top - o.pad_bottom +
                     o.dilation_h * (w.size(0) - 1) + output_padding_h + 1;
  const int64_t ow = (x.size(2) - 1) * o.stride_w - o.pad_left - o.pad_right +
                     o.dilation_w * (w.size(1) - 1) + output_padding_w + 1;
  NNC_CHECK(x.size(1) >= 1 && x.size(2) >= 1 && oh >= 1 && ow >= 1, std::invalid_argument,
            "%s: the output would be %lldx%lld for input %s and kernel %s: padding too large",
            op, static_cast<long long>(oh), static_cast<long long>(ow), describe(x).c_str(),
            shape_str(w.shape()).c_str());
  Tensor out = conv2d_backward_input(x, w, oh, ow, o);
  if (bias.defined() && out.numel() > 0) {
    const Tensor b = bias.contiguous();
    const int64_t cout = out.size(3), pixels = out.numel() / cout;
    auto add = [&](auto zero) {
      using T = decltype(zero);
      T* po = out.data<T>();
      const T* pb = b.data<T>();
      parallel_for(pixels, std::max<int64_t>(1, 16384 / cout), [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p)
          for (int64_t c = 0; c < cout; ++c) po[p * cout + c] += pb[c];
      });
    };
    if (x.dtype() == DType::float32) add(float{});
    else add(double{});
  }
  return record_conv_transpose2d(x, w, bias, o, std::move(out));
}

}  // namespace nncore
