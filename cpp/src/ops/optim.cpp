// Fused optimizer updates (optim.hpp): argument checks and coefficients here, then one
// row kernel per chunk from the active ISA's table (optim_kernels.hpp; the per-element
// formulas are in optim_rows_impl.hpp).
#include <cmath>
#include <stdexcept>
#include <type_traits>

#include "nncore/dispatch.hpp"
#include "nncore/errors.hpp"
#include "nncore/optim.hpp"
#include "nncore/parallel.hpp"
#include "ops/denormals.hpp"
#include "ops/optim_kernels.hpp"

namespace nncore {

const OptimKernels& optim_kernels() {
  static const OptimKernels table = build_for_active_isa<OptimKernels>(
      fill_optim_kernels_generic, fill_optim_kernels_avx2, fill_optim_kernels_avx512);
  return table;
}

namespace {

// Elements per chunk. An update reads and writes several arrays per element, so chunks
// are a little smaller than for a plain add. Fixed: boundaries never depend on threads.
constexpr int64_t kOptimGrain = 16384;

void check_state(const char* op, const Tensor& param, const Tensor& t, const char* what) {
  NNC_CHECK(t.defined(), std::invalid_argument, "%s: %s is undefined", op, what);
  if (t.dtype() != param.dtype())
    throw dtype_error(format_message("%s: %s is a %s but the parameter is a %s", op, what,
                                     describe(t).c_str(), describe(param).c_str()));
  NNC_CHECK(t.shape() == param.shape(), std::invalid_argument,
            "%s: %s has shape %s but the parameter has shape %s (%s)", op, what,
            shape_str(t.shape()).c_str(), shape_str(param.shape()).c_str(),
            dtype_name(param.dtype()));
  NNC_CHECK(t.is_contiguous(), std::invalid_argument, "%s: %s (%s) must be contiguous", op,
            what, describe(t).c_str());
}

void check_param(const char* op, const Tensor& param, const Tensor& grad) {
  NNC_CHECK(param.defined(), std::invalid_argument, "%s: parameter is undefined", op);
  if (param.dtype() != DType::float32 && param.dtype() != DType::float64)
    throw dtype_error(format_message("%s: parameters must be float32 or float64, got a %s",
                                     op, describe(param).c_str()));
  // The parameter is written in place: a strided view would need a different kernel.
  NNC_CHECK(param.is_contiguous(), std::invalid_argument,
            "%s: parameter (%s) must be contiguous", op, describe(param).c_str());
  check_state(op, param, grad, "gradient");
}

void check_step(const char* op, int64_t step) {
  NNC_CHECK(step >= 1, std::invalid_argument, "%s: step must be >= 1, got %lld", op,
            static_cast<long long>(step));
}

// Runs fn(begin, end) over fixed chunks of n elements, on the pool's threads, with
// subnormal floats flushed to zero (denormals.hpp).
template <class Fn>
void update_chunks(int64_t n, Fn&& fn) {
  parallel_for(n, kOptimGrain, [&](int64_t b, int64_t e) {
    const FlushDenormals flush;
    fn(b, e);
  });
}

// Calls fn(T{}) with T the parameter's float type, then records the in-place write.
template <class Fn>
void with_float_type(const Tensor& param, Fn&& fn) {
  if (param.dtype() == DType::float32)
    fn(float{});
  else
    fn(double{});
  param.storage()->bump_version();
}

// The row kernels of the active ISA for element type T.
template <class T>
const OptimRowKernels<T>& rows_for() {
  if constexpr (std::is_same_v<T, float>)
    return optim_kernels().f32;
  else
    return optim_kernels().f64;
}

}  // namespace

void sgd_update(const Tensor& param, const Tensor& grad, const Tensor& velocity, double lr,
                double momentum, bool nesterov, double weight_decay) {
  const char* op = "sgd_update";
  check_param(op, param, grad);
  const bool use_momentum = momentum != 0.0;
  if (use_momentum) check_state(op, param, velocity, "velocity");
  with_float_type(param, [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* vel = use_momentum ? velocity.data<T>() : nullptr;
    const T decay = T(1.0 - lr * weight_decay), neg_lr = T(-lr), mu = T(momentum);
    const auto row = rows_for<T>().sgd;
    update_chunks(param.numel(), [&](int64_t b, int64_t e) {
      row(e - b, p + b, g + b, vel ? vel + b : nullptr, decay, neg_lr, mu, nesterov);
    });
  });
}

void adagrad_update(const Tensor& param, const Tensor& grad, const Tensor& accumulator,
                    double lr, double eps, double weight_decay) {
  const char* op = "adagrad_update";
  check_param(op, param, grad);
  check_state(op, param, accumulator, "accumulator");
  with_float_type(param, [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* acc = accumulator.data<T>();
    const T decay = T(1.0 - lr * weight_decay), neg_lr = T(-lr), e = T(eps);
    const auto row = rows_for<T>().adagrad;
    update_chunks(param.numel(), [&](int64_t b, int64_t end) {
      row(end - b, p + b, g + b, acc + b, decay, neg_lr, e);
    });
  });
}

void rmsprop_update(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                    const Tensor& grad_avg, const Tensor& momentum_buffer, double lr, double rho,
                    double momentum, double eps, bool centered, double weight_decay) {
  const char* op = "rmsprop_update";
  check_param(op, param, grad);
  check_state(op, param, square_avg, "square_avg");
  if (centered) check_state(op, param, grad_avg, "grad_avg");
  const bool use_momentum = momentum > 0.0;
  if (use_momentum) check_state(op, param, momentum_buffer, "momentum_buffer");
  with_float_type(param, [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* sq = square_avg.data<T>();
    T* ga = centered ? grad_avg.data<T>() : nullptr;
    T* buf = use_momentum ? momentum_buffer.data<T>() : nullptr;
    const T decay = T(1.0 - lr * weight_decay), r = T(rho), w = T(1.0 - rho), e = T(eps),
            l = T(lr), mu = T(momentum);
    const auto row = rows_for<T>().rmsprop[centered][use_momentum];
    update_chunks(param.numel(), [&](int64_t b, int64_t end) {
      row(end - b, p + b, g + b, sq + b, ga ? ga + b : nullptr, buf ? buf + b : nullptr, decay,
          r, w, e, l, mu);
    });
  });
}

void adadelta_update(const Tensor& param, const Tensor& grad, const Tensor& accum_grad,
                     const Tensor& accum_delta, double lr, double rho, double eps,
                     double weight_decay) {
  const char* op = "adadelta_update";
  check_param(op, param, grad);
  check_state(op, param, accum_grad, "accum_grad");
  check_state(op, param, accum_delta, "accum_delta");
  with_float_type(param, [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* ag = accum_grad.data<T>();
    T* ad = accum_delta.data<T>();
    const T decay = T(1.0 - lr * weight_decay), r = T(rho), w = T(1.0 - rho), e = T(eps),
            neg_lr = T(-lr);
    const auto row = rows_for<T>().adadelta;
    update_chunks(param.numel(), [&](int64_t b, int64_t end) {
      row(end - b, p + b, g + b, ag + b, ad + b, decay, r, w, e, neg_lr);
    });
  });
}

void adam_update(const Tensor& param, const Tensor& grad, const Tensor& m, const Tensor& v,
                 const Tensor& vmax, double lr, double beta1, double beta2, double eps,
                 double weight_decay, int64_t step, bool amsgrad) {
  const char* op = "adam_update";
  check_param(op, param, grad);
  check_state(op, param, m, "m");
  check_state(op, param, v, "v");
  if (amsgrad) check_state(op, param, vmax, "vmax");
  check_step(op, step);
  const double bias1 = 1.0 - std::pow(beta1, static_cast<double>(step));
  const double bias2_sqrt = std::sqrt(1.0 - std::pow(beta2, static_cast<double>(step)));
  with_float_type(param, [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* mp = m.data<T>();
    T* vp = v.data<T>();
    T* xp = amsgrad ? vmax.data<T>() : nullptr;
    const T decay = T(1.0 - lr * weight_decay), w1 = T(1.0 - beta1), b2 = T(beta2),
            w2 = T(1.0 - beta2), e = T(eps), neg_step = T(-(lr / bias1)), bc2 = T(bias2_sqrt);
    const auto row = rows_for<T>().adam[amsgrad];
    update_chunks(param.numel(), [&](int64_t b, int64_t end) {
      row(end - b, p + b, g + b, mp + b, vp + b, xp ? xp + b : nullptr, decay, w1, b2, w2, e,
          neg_step, bc2);
    });
  });
}

void adamax_update(const Tensor& param, const Tensor& grad, const Tensor& m, const Tensor& u,
                   double lr, double beta1, double beta2, double eps, double weight_decay,
                   int64_t step) {
  const char* op = "adamax_update";
  check_param(op, param, grad);
  check_state(op, param, m, "m");
  check_state(op, param, u, "u");
  check_step(op, step);
  const double clr = lr / (1.0 - std::pow(beta1, static_cast<double>(step)));
  with_float_type(param, [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* mp = m.data<T>();
    T* up = u.data<T>();
    const T decay = T(1.0 - lr * weight_decay), w1 = T(1.0 - beta1), b2 = T(beta2), e = T(eps),
            neg_clr = T(-clr);
    const auto row = rows_for<T>().adamax;
    update_chunks(param.numel(), [&](int64_t b, int64_t end) {
      row(end - b, p + b, g + b, mp + b, up + b, decay, w1, b2, e, neg_clr);
    });
  });
}

void nadam_update(const Tensor& param, const Tensor& grad, const Tensor& m, const Tensor& v,
                  double lr, double beta1, double beta2, double eps, double weight_decay,
                  int64_t step, double mu, double mu_next, double mu_product) {
  const char* op = "nadam_update";
  check_param(op, param, grad);
  check_state(op, param, m, "m");
  check_state(op, param, v, "v");
  check_step(op, step);
  const double bias2 = 1.0 - std::pow(beta2, static_cast<double>(step));
  // Weights of the gradient and of the (look-ahead) momentum, as in torch.optim.NAdam.
  const double coef_g = -lr * (1.0 - mu) / (1.0 - mu_product);
  const double coef_m = (-lr * mu_next) / (1.0 - mu_product * mu_next);
  with_float_type(param, [&](auto zero) {
    using T = decltype(zero);
    T* p = param.data<T>();
    const T* g = grad.data<T>();
    T* mp = m.data<T>();
    T* vp = v.data<T>();
    const T decay = T(1.0 - lr * weight_decay), w1 = T(1.0 - beta1), b2 = T(beta2),
            w2 = T(1.0 - beta2), e = T(eps), bc2 = T(bias2), cg = T(coef_g), cm = T(coef_m);
    const auto row = rows_for<T>().nadam;
    update_chunks(param.numel(), [&](int64_t b, int64_t end) {
      row(end - b, p + b, g + b, mp + b, vp + b, decay, w1, b2, w2, e, bc2, cg, cm);
    });
  });
}

}  // namespace nncore
