// linear: x @ w + bias in one GEMM (the Dense layer's op, Keras layout: w is (in, out)).
//
// The bias is written into the output rows first and the GEMM accumulates onto it (beta 1),
// so the bias add costs no extra pass over the output. x may have leading batch dims; they
// are folded into the GEMM's rows.
#include <cstring>
#include <stdexcept>

#include "nncore/errors.hpp"
#include "nncore/gemm.hpp"
#include "nncore/ops.hpp"
#include "nncore/parallel.hpp"
#include "autograd/record.hpp"

namespace nncore {
namespace {

template <class T>
void linear_forward(const Tensor& x2, const Tensor& w, const Tensor& bias, const Tensor& out) {
  const int64_t m = x2.size(0), k = x2.size(1), n = w.size(1);
  T* pc = out.data<T>();
  T beta = T(0);
  if (bias.defined()) {
    const Tensor b = bias.contiguous();
    const T* pb = b.data<T>();
    parallel_for(m, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, n)),
                 [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) std::memcpy(pc + i * n, pb, n * sizeof(T));
    });
    beta = T(1);
  }
  gemm(m, n, k, T(1), x2.data<T>(), x2.strides()[0], x2.strides()[1], w.data<T>(),
       w.strides()[0], w.strides()[1], beta, pc, n, 1);
}

}  // namespace

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& bias) {
  NNC_CHECK(x.defined() && w.defined(), std::invalid_argument, "linear: undefined tensor");
  const bool dtypes_match = x.dtype() == w.dtype() && (!bias.defined() || bias.dtype() == x.dtype());
  if (!dtypes_match || !is_floating(x.dtype()))
    throw dtype_error(format_message(
        "linear: input, kernel and bias must share one float dtype, got input %s, kernel %s%s%s",
        describe(x).c_str(), describe(w).c_str(), bias.defined() ? ", bias " : "",
        bias.defined() ? describe(bias).c_str() : ""));
  NNC_CHECK(w.ndim() == 2, std::invalid_argument,
            "linear: the kernel must be 2-d (in_features, out_features), got shape %s",
            shape_str(w.shape()).c_str());
  NNC_CHECK(x.ndim() >= 1 && x.size(x.ndim() - 1) == w.size(0), std::invalid_argument,
            "linear: input of shape %s does not match the kernel of shape %s (expected %lld "
            "input features; %s)", shape_str(x.shape()).c_str(), shape_str(w.shape()).c_str(),
            static_cast<long long>(w.size(0)), dtype_name(x.dtype()));
  NNC_CHECK(!bias.defined() || (bias.ndim() == 1 && bias.size(0) == w.size(1)),
            std::invalid_argument, "linear: the bias must have shape (%lld,), got %s",
            static_cast<long long>(w.size(1)), shape_str(bias.shape()).c_str());
  const int64_t k = w.size(0), n = w.size(1);
  int64_t m = 1;  // rows: the product of x's leading dims (also right when k == 0)
  for (int d = 0; d + 1 < x.ndim(); ++d) m *= x.size(d);
  // Rows keep their strides when x is already 2-d; otherwise fold leading dims.
  const Tensor x2 = x.ndim() == 2 ? x : x.reshape(Dims{m, k});
  Tensor out = Tensor::empty(Dims{m, n}, x.dtype());
  if (m > 0 && n > 0) {
    if (k == 0) {
      if (bias.defined()) copy_(out, bias.expand(Dims{m, n}));
      else fill_(out, 0.0);
    } else if (x.dtype() == DType::float32) {
      linear_forward<float>(x2, w, bias, out);
    } else {
      linear_forward<double>(x2, w, bias, out);
    }
  }
  Dims shape = x.shape();
  shape[shape.size() - 1] = n;
  if (x.ndim() != 2) out = out.view(shape);
  return record_linear(x, w, bias, std::move(out));
}

}  // namespace nncore
