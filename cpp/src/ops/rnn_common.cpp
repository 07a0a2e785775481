// Argument checks and shared GEMMs of the recurrent ops (rnn_common.hpp).
#include "ops/rnn_common.hpp"

#include <stdexcept>

#include "nncore/dispatch.hpp"
#include "nncore/errors.hpp"

namespace nncore {

const RnnKernels& rnn_kernels() {
  static const RnnKernels table = build_for_active_isa<RnnKernels>(
      fill_rnn_kernels_generic, fill_rnn_kernels_avx2, fill_rnn_kernels_avx512);
  return table;
}

const char* rnn_op_name(RnnCell cell) {
  switch (cell) {
    case RnnCell::lstm: return "lstm";
    case RnnCell::gru: return "gru";
    default: return "simple_rnn";
  }
}

namespace {

bool supported_activation(Activation act) {
  switch (act) {
    case Activation::linear:
    case Activation::sigmoid:
    case Activation::hard_sigmoid:
    case Activation::tanh:
    case Activation::relu:
      return true;
    default:
      return false;
  }
}

void check_activation(const char* op, const char* what, Activation act) {
  NNC_CHECK(supported_activation(act), std::invalid_argument,
            "%s: %s '%s' is not supported by the recurrent kernels (use linear, sigmoid, "
            "hard_sigmoid, tanh or relu)", op, what, activation_name(act));
}

void check_dtype(const char* op, const Tensor& x, const Tensor& t, const char* what) {
  if (t.defined() && t.dtype() != x.dtype())
    throw dtype_error(format_message("%s: %s is a %s but the input is a %s", op, what,
                                     describe(t).c_str(), describe(x).c_str()));
}

// A (batch, units)-shaped argument (h0, c0, recurrent_mask), made contiguous.
Tensor check_state(const char* op, const char* what, const Tensor& t, int64_t batch,
                   int64_t units, const Tensor& x) {
  if (!t.defined()) return t;
  NNC_CHECK(t.ndim() == 2 && t.size(0) == batch && t.size(1) == units, std::invalid_argument,
            "%s: %s must have shape (%lld, %lld) (batch, units) for an input of shape %s, got "
            "shape %s", op, what, static_cast<long long>(batch), static_cast<long long>(units),
            shape_str(x.shape()).c_str(), shape_str(t.shape()).c_str());
  return t.contiguous();
}

}  // namespace

RnnArgs check_rnn_args(RnnCell cell, const Tensor& x, const Tensor& h0, const Tensor& c0,
                       const Tensor& kernel, const Tensor& recurrent_kernel, const Tensor& bias,
                       const Tensor& mask, const Tensor& recurrent_mask,
                       const RnnOptions& options) {
  const char* op = rnn_op_name(cell);
  NNC_CHECK(x.defined() && kernel.defined() && recurrent_kernel.defined(),
            std::invalid_argument, "%s: input, kernel and recurrent_kernel are required", op);
  if (!is_floating(x.dtype()))
    throw dtype_error(format_message("%s: the input must be float32 or float64, got a %s", op,
                                     describe(x).c_str()));
  check_dtype(op, x, kernel, "the kernel");
  check_dtype(op, x, recurrent_kernel, "the recurrent kernel");
  check_dtype(op, x, bias, "the bias");
  check_dtype(op, x, h0, "the initial state h0");
  check_dtype(op, x, c0, "the initial state c0");
  check_dtype(op, x, recurrent_mask, "the recurrent mask");
  NNC_CHECK(x.ndim() == 3, std::invalid_argument,
            "%s: expected an input of shape (batch, time, features), got shape %s (%s)", op,
            shape_str(x.shape()).c_str(), dtype_name(x.dtype()));
  const int k = cell == RnnCell::lstm ? 4 : (cell == RnnCell::gru ? 3 : 1);
  NNC_CHECK(recurrent_kernel.ndim() == 2 && recurrent_kernel.size(0) > 0 &&
                recurrent_kernel.size(1) == k * recurrent_kernel.size(0),
            std::invalid_argument,
            "%s: the recurrent kernel must have shape (units, %d * units), got shape %s", op, k,
            shape_str(recurrent_kernel.shape()).c_str());
  const int64_t units = recurrent_kernel.size(0);
  NNC_CHECK(kernel.ndim() == 2 && kernel.size(1) == k * units, std::invalid_argument,
            "%s: the kernel must have shape (features, %lld) to match the recurrent kernel of "
            "shape %s, got shape %s", op, static_cast<long long>(k * units),
            shape_str(recurrent_kernel.shape()).c_str(), shape_str(kernel.shape()).c_str());
  NNC_CHECK(x.size(2) == kernel.size(0), std::invalid_argument,
            "%s: the input of shape %s has %lld features but the kernel of shape %s expects "
            "%lld", op, shape_str(x.shape()).c_str(), static_cast<long long>(x.size(2)),
            shape_str(kernel.shape()).c_str(), static_cast<long long>(kernel.size(0)));
  NNC_CHECK(x.size(1) > 0, std::invalid_argument,
            "%s: the input of shape %s has no time steps", op, shape_str(x.shape()).c_str());
  if (bias.defined()) {
    const bool split = cell == RnnCell::gru && options.reset_after;
    const bool ok = split ? (bias.ndim() == 2 && bias.size(0) == 2 && bias.size(1) == k * units)
                          : (bias.ndim() == 1 && bias.size(0) == k * units);
    NNC_CHECK(ok, std::invalid_argument, "%s: the bias must have shape %s%lld%s, got shape %s",
              op, split ? "(2, " : "(", static_cast<long long>(k * units), split ? ")" : ",)",
              shape_str(bias.shape()).c_str());
  }
  NNC_CHECK(cell == RnnCell::lstm || !c0.defined(), std::invalid_argument,
            "%s: only the LSTM has a cell state c0", op);
  if (cell != RnnCell::simple) check_activation(op, "recurrent_activation",
                                                options.recurrent_activation);
  check_activation(op, "activation", options.activation);

  RnnArgs a;
  a.cell = cell;
  a.options = options;
  a.batch = x.size(0);
  a.time = x.size(1);
  a.features = x.size(2);
  a.units = units;
  a.gates = k;
  a.dtype = x.dtype();
  a.x = x;
  a.h0 = check_state(op, "the initial state h0", h0, a.batch, units, x);
  a.c0 = check_state(op, "the initial state c0", c0, a.batch, units, x);
  a.recurrent_mask = check_state(op, "the recurrent mask", recurrent_mask, a.batch, units, x);
  a.kernel = kernel;
  a.recurrent_kernel = recurrent_kernel;
  a.bias = bias.defined() ? bias.contiguous() : bias;
  if (mask.defined()) {
    if (mask.dtype() != DType::bool_)
      throw dtype_error(format_message("%s: the mask must be a bool tensor, got a %s", op,
                                       describe(mask).c_str()));
    NNC_CHECK(mask.ndim() == 2 && mask.size(0) == a.batch && mask.size(1) == a.time,
              std::invalid_argument,
              "%s: the mask must have shape (%lld, %lld) (batch, time) for an input of shape "
              "%s, got shape %s", op, static_cast<long long>(a.batch),
              static_cast<long long>(a.time), shape_str(x.shape()).c_str(),
              shape_str(mask.shape()).c_str());
    a.mask = mask.contiguous();
  }
  return a;
}

namespace {

template <class T>
void fill_xh(const RnnArgs& a, T* xh) {
  const RnnXh layout(a.features, a.units);
  const Tensor& x = a.x;
  const T* px = x.data<T>();
  const int64_t sb = x.strides()[0], st = x.strides()[1], sf = x.strides()[2];
  const int64_t f = a.features, w = layout.width, time = a.time;
  parallel_for(a.batch * time, rnn_row_grain(w), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* src = px + (r % a.batch) * sb + (r / a.batch) * st;  // r = t * batch + b
      T* dst = xh + r * w;
      if (sf == 1) std::memcpy(dst, src, f * sizeof(T));
      else for (int64_t j = 0; j < f; ++j) dst[j] = src[j * sf];
      dst[f] = T(1);
      dst[w - 1] = T(1);
    }
  });
}

}  // namespace

Tensor rnn_new_xh(const RnnArgs& a) {
  Tensor xh = Tensor::empty(Dims{a.time, a.batch, RnnXh(a.features, a.units).width}, a.dtype);
  if (a.dtype == DType::float32) fill_xh(a, xh.data<float>());
  else fill_xh(a, xh.data<double>());
  return xh;
}

Tensor rnn_new_output(const RnnArgs& a) {
  if (!a.options.return_sequences) return Tensor();
  return Tensor::empty(Dims{a.batch, a.time, a.units}, a.dtype);
}

Tensor rnn_grad_input(const RnnArgs& a, const Tensor& d_gates) {
  Tensor dx = Tensor::empty(Dims{a.time, a.batch, a.features}, a.dtype);
  const int64_t rows = a.batch * a.time;
  if (a.dtype == DType::float32)
    rnn_input_grad_rows(a, d_gates.data<float>(), rows, dx.data<float>());
  else
    rnn_input_grad_rows(a, d_gates.data<double>(), rows, dx.data<double>());
  return dx.permute(Dims{1, 0, 2});
}

Tensor rnn_grad_weights(const RnnArgs& a, const Tensor& xh, int64_t col0, int64_t cols,
                        const Tensor& dg, int64_t ldg, int64_t n) {
  const int64_t rows = a.batch * a.time, w = RnnXh(a.features, a.units).width;
  Tensor out = Tensor::empty(Dims{cols, n}, a.dtype);
  if (a.dtype == DType::float32)
    rnn_at_b(rows, cols, n, xh.data<float>() + col0, w, 1, dg.data<float>(), ldg,
             out.data<float>(), n);
  else
    rnn_at_b(rows, cols, n, xh.data<double>() + col0, w, 1, dg.data<double>(), ldg,
             out.data<double>(), n);
  return out;
}

}  // namespace nncore
