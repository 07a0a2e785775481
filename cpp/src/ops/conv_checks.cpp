// Argument checks of the convolution ops.
#include "ops/conv_checks.hpp"

#include <stdexcept>
#include <string>

#include "nncore/errors.hpp"

namespace nncore {
namespace {

std::string describe_all(const Tensor& x, const Tensor& w, const Tensor& bias) {
  std::string s = "input " + describe(x) + ", kernel " + describe(w);
  if (bias.defined()) s += ", bias " + describe(bias);
  return s;
}

}  // namespace

void check_conv_options(const char* op, const ConvOptions& o) {
  NNC_CHECK(o.stride_h >= 1 && o.stride_w >= 1, std::invalid_argument,
            "%s: strides must be positive, got (%lld, %lld)", op,
            static_cast<long long>(o.stride_h), static_cast<long long>(o.stride_w));
  NNC_CHECK(o.dilation_h >= 1 && o.dilation_w >= 1, std::invalid_argument,
            "%s: dilations must be positive, got (%lld, %lld)", op,
            static_cast<long long>(o.dilation_h), static_cast<long long>(o.dilation_w));
  NNC_CHECK(o.pad_top >= 0 && o.pad_bottom >= 0 && o.pad_left >= 0 && o.pad_right >= 0,
            std::invalid_argument,
            "%s: padding must be non-negative, got (top %lld, bottom %lld, left %lld, "
            "right %lld)", op, static_cast<long long>(o.pad_top),
            static_cast<long long>(o.pad_bottom), static_cast<long long>(o.pad_left),
            static_cast<long long>(o.pad_right));
  NNC_CHECK(o.groups >= 1, std::invalid_argument, "%s: groups must be positive, got %lld", op,
            static_cast<long long>(o.groups));
}

void check_conv_inputs(const char* op, const Tensor& x, const Tensor& w, const Tensor& bias,
                       const ConvOptions& o, bool transposed) {
  NNC_CHECK(x.defined() && w.defined(), std::invalid_argument, "%s: undefined tensor", op);
  const bool same = x.dtype() == w.dtype() && (!bias.defined() || bias.dtype() == x.dtype());
  if (!same || !is_floating(x.dtype()))
    throw dtype_error(format_message(
        "%s: input, kernel and bias must share one float dtype (float32 or float64), got %s",
        op, describe_all(x, w, bias).c_str()));
  NNC_CHECK(x.ndim() == 4, std::invalid_argument,
            "%s: the input must be 4-d (batch, height, width, channels), got shape %s (%s)", op,
            shape_str(x.shape()).c_str(), dtype_name(x.dtype()));
  NNC_CHECK(w.ndim() == 4, std::invalid_argument,
            "%s: the kernel must be 4-d (kernel_h, kernel_w, %s), got shape %s (%s)", op,
            transposed ? "out_channels/groups, in_channels" : "in_channels/groups, out_channels",
            shape_str(w.shape()).c_str(), dtype_name(w.dtype()));
  check_conv_options(op, o);
  const long long g = o.groups;
  const int64_t cin = x.size(3);
  NNC_CHECK(cin % o.groups == 0, std::invalid_argument,
            "%s: %lld input channels are not divisible by groups=%lld (%s)", op,
            static_cast<long long>(cin), g, describe_all(x, w, bias).c_str());
  const int64_t cout = transposed ? w.size(2) * o.groups : w.size(3);
  if (transposed) {
    NNC_CHECK(w.size(3) == cin, std::invalid_argument,
              "%s: the kernel expects %lld input channels (its last dim), the input has %lld "
              "(%s)", op, static_cast<long long>(w.size(3)), static_cast<long long>(cin),
              describe_all(x, w, bias).c_str());
  } else {
    NNC_CHECK(cout % o.groups == 0, std::invalid_argument,
              "%s: %lld output channels are not divisible by groups=%lld (%s)", op,
              static_cast<long long>(cout), g, describe_all(x, w, bias).c_str());
    NNC_CHECK(w.size(2) * o.groups == cin, std::invalid_argument,
              "%s: the kernel expects %lld input channels per group (groups=%lld), the input "
              "has %lld channels (%s)", op, static_cast<long long>(w.size(2)), g,
              static_cast<long long>(cin), describe_all(x, w, bias).c_str());
  }
  NNC_CHECK(!bias.defined() || (bias.ndim() == 1 && bias.size(0) == cout),
            std::invalid_argument, "%s: the bias must have shape (%lld,), got %s", op,
            static_cast<long long>(cout), shape_str(bias.shape()).c_str());
}

void conv_out_hw(const char* op, const Tensor& x, const Tensor& w, const ConvOptions& o,
                 int64_t& oh, int64_t& ow) {
  const int64_t eh = o.dilation_h * (w.size(0) - 1) + 1, ew = o.dilation_w * (w.size(1) - 1) + 1;
  const int64_t ph = x.size(1) + o.pad_top + o.pad_bottom;
  const int64_t pw = x.size(2) + o.pad_left + o.pad_right;
  NNC_CHECK(w.size(0) >= 1 && w.size(1) >= 1, std::invalid_argument,
            "%s: the kernel must be at least 1x1, got shape %s", op, shape_str(w.shape()).c_str());
  NNC_CHECK(eh <= ph && ew <= pw, std::invalid_argument,
            "%s: kernel %lldx%lld%s is larger than the padded input %lldx%lld (input %s)", op,
            static_cast<long long>(w.size(0)), static_cast<long long>(w.size(1)),
            (o.dilation_h > 1 || o.dilation_w > 1)
                ? format_message(" (dilated to %lldx%lld)", static_cast<long long>(eh),
                                 static_cast<long long>(ew)).c_str()
                : "",
            static_cast<long long>(ph), static_cast<long long>(pw), describe(x).c_str());
  oh = (ph - eh) / o.stride_h + 1;
  ow = (pw - ew) / o.stride_w + 1;
}

void check_conv_backward_input(const Tensor& gy, const Tensor& w, int64_t in_h, int64_t in_w,
                               const ConvOptions& o) {
  const char* op = "conv2d_backward_input";
  check_conv_options(op, o);
  NNC_CHECK(gy.ndim() == 4 && w.ndim() == 4 && gy.size(3) == w.size(3) &&
                w.size(3) % o.groups == 0 && in_h >= 0 && in_w >= 0,
            std::invalid_argument,
            "%s: output gradient %s, kernel %s and input size %lldx%lld do not match "
            "(groups=%lld)", op, shape_str(gy.shape()).c_str(), shape_str(w.shape()).c_str(),
            static_cast<long long>(in_h), static_cast<long long>(in_w),
            static_cast<long long>(o.groups));
  if (gy.dtype() != w.dtype() || !is_floating(gy.dtype()))
    throw dtype_error(format_message("%s: dtype mismatch between %s and %s", op,
                                     describe(gy).c_str(), describe(w).c_str()));
}

void check_conv_backward_weight(const Tensor& x, const Tensor& gy, const ConvOptions& o) {
  const char* op = "conv2d_backward_weight";
  check_conv_options(op, o);
  NNC_CHECK(x.ndim() == 4 && gy.ndim() == 4 && x.size(0) == gy.size(0) &&
                x.size(3) % o.groups == 0 && gy.size(3) % o.groups == 0,
            std::invalid_argument,
            "%s: input %s and output gradient %s do not match (groups=%lld)", op,
            shape_str(x.shape()).c_str(), shape_str(gy.shape()).c_str(),
            static_cast<long long>(o.groups));
  if (gy.dtype() != x.dtype() || !is_floating(x.dtype()))
    throw dtype_error(format_message("%s: dtype mismatch between %s and %s", op,
                                     describe(x).c_str(), describe(gy).c_str()));
}

}  // namespace nncore
