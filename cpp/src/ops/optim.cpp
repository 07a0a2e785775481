// Fused optimizer updates (optim.hpp): argument checks, then one elementwise loop each.
//
// The per-element formulas follow torch.optim's single-tensor code operation by operation
// (same association, same divisions), so trajectories agree with PyTorch to rounding; see
// nncore/optimizers.py for where this departs from Keras and why. Loops are plain
// restrict-qualified element loops with no calls, which compilers vectorise
// (checked with -fopt-info-vec: every *_row loop is vectorised).
#include <cmath>
#include <stdexcept>

#include "nncore/errors.hpp"
#include "nncore/optim.hpp"
#include "nncore/parallel.hpp"

namespace nncore {
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

// Calls fn(T{}) with T the parameter's float type, then records the in-place write.
template <class Fn>
void with_float_type(const Tensor& param, Fn&& fn) {
  if (param.dtype() == DType::float32)
    fn(float{});
  else
    fn(double{});
  param.storage()->bump_version();
}

template <class T>
inline T max_of(T a, T b) { return a > b ? a : b; }  // vectorises, unlike std::max on some

// ---- element loops, one per update. Plain function templates: GCC 12 does not vectorise
// the same loops written inside the nested generic lambdas below.

template <class T>
void sgd_row(int64_t n, T* __restrict p, const T* __restrict g, T* __restrict v, T decay,
             T neg_lr, T mu, bool nesterov) {
  if (v == nullptr) {
    for (int64_t i = 0; i < n; ++i) p[i] = p[i] * decay + neg_lr * g[i];
  } else if (nesterov) {
    for (int64_t i = 0; i < n; ++i) {
      const T vi = mu * v[i] + neg_lr * g[i];
      v[i] = vi;
      p[i] = p[i] * decay + (mu * vi + neg_lr * g[i]);
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const T vi = mu * v[i] + neg_lr * g[i];
      v[i] = vi;
      p[i] = p[i] * decay + vi;
    }
  }
}

template <class T>
void adagrad_row(int64_t n, T* __restrict p, const T* __restrict g, T* __restrict acc,
                 T decay, T neg_lr, T e) {
  for (int64_t i = 0; i < n; ++i) {
    const T a = acc[i] + g[i] * g[i];
    acc[i] = a;
    p[i] = p[i] * decay + neg_lr * (g[i] / (std::sqrt(a) + e));
  }
}

// The (centered, momentum) variants are separate instantiations, each branch-free.
template <class T, bool kCentered, bool kMomentum>
void rmsprop_row(int64_t n, T* __restrict p, const T* __restrict g, T* __restrict sq,
                 T* __restrict ga, T* __restrict buf, T decay, T r, T w, T e, T l, T mu) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T s = sq[i] * r + w * (gi * gi);
    sq[i] = s;
    T var = s;
    if constexpr (kCentered) {
      const T a = ga[i] + w * (gi - ga[i]);  // torch's lerp
      ga[i] = a;
      var = s - a * a;
    }
    const T avg = std::sqrt(var) + e;
    if constexpr (kMomentum) {
      const T b = buf[i] * mu + l * (gi / avg);
      buf[i] = b;
      p[i] = p[i] * decay - b;
    } else {
      p[i] = p[i] * decay - l * (gi / avg);
    }
  }
}

template <class T>
void adadelta_row(int64_t n, T* __restrict p, const T* __restrict g, T* __restrict ag,
                  T* __restrict ad, T decay, T r, T w, T e, T neg_lr) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T a = ag[i] * r + w * (gi * gi);
    ag[i] = a;
    const T delta = std::sqrt(ad[i] + e) / std::sqrt(a + e) * gi;
    ad[i] = ad[i] * r + w * (delta * delta);
    p[i] = p[i] * decay + neg_lr * delta;
  }
}

template <class T, bool kAmsgrad>
void adam_row(int64_t n, T* __restrict p, const T* __restrict g, T* __restrict m,
              T* __restrict v, T* __restrict vmax, T decay, T w1, T b2, T w2, T e, T neg_step,
              T bc2) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T mi = m[i] + w1 * (gi - m[i]);  // torch's lerp, Keras's form
    const T vi = v[i] * b2 + w2 * (gi * gi);
    m[i] = mi;
    v[i] = vi;
    T vu = vi;
    if constexpr (kAmsgrad) {
      vu = max_of(vmax[i], vi);
      vmax[i] = vu;
    }
    p[i] = p[i] * decay + neg_step * (mi / (std::sqrt(vu) / bc2 + e));
  }
}

template <class T>
void adamax_row(int64_t n, T* __restrict p, const T* __restrict g, T* __restrict m,
                T* __restrict u, T decay, T w1, T b2, T e, T neg_clr) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T mi = m[i] + w1 * (gi - m[i]);
    const T ui = max_of(u[i] * b2, std::abs(gi) + e);
    m[i] = mi;
    u[i] = ui;
    p[i] = p[i] * decay + neg_clr * (mi / ui);
  }
}

template <class T>
void nadam_row(int64_t n, T* __restrict p, const T* __restrict g, T* __restrict m,
               T* __restrict v, T decay, T w1, T b2, T w2, T e, T bc2, T cg, T cm) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T mi = m[i] + w1 * (gi - m[i]);
    const T vi = v[i] * b2 + w2 * (gi * gi);
    m[i] = mi;
    v[i] = vi;
    const T denom = std::sqrt(vi / bc2) + e;
    // Two separate additions, like torch's two addcdiv_ calls.
    const T pi = p[i] * decay + cg * (gi / denom);
    p[i] = pi + cm * (mi / denom);
  }
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
    parallel_for(param.numel(), kOptimGrain, [&](int64_t b, int64_t e) {
      sgd_row<T>(e - b, p + b, g + b, vel ? vel + b : nullptr, decay, neg_lr, mu, nesterov);
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
    parallel_for(param.numel(), kOptimGrain, [&](int64_t b, int64_t end) {
      adagrad_row<T>(end - b, p + b, g + b, acc + b, decay, neg_lr, e);
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
    using Row = void (*)(int64_t, T*, const T*, T*, T*, T*, T, T, T, T, T, T);
    const Row row = centered ? (use_momentum ? rmsprop_row<T, true, true>
                                             : rmsprop_row<T, true, false>)
                             : (use_momentum ? rmsprop_row<T, false, true>
                                             : rmsprop_row<T, false, false>);
    parallel_for(param.numel(), kOptimGrain, [&](int64_t b, int64_t end) {
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
    parallel_for(param.numel(), kOptimGrain, [&](int64_t b, int64_t end) {
      adadelta_row<T>(end - b, p + b, g + b, ag + b, ad + b, decay, r, w, e, neg_lr);
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
    parallel_for(param.numel(), kOptimGrain, [&](int64_t b, int64_t end) {
      if (amsgrad)
        adam_row<T, true>(end - b, p + b, g + b, mp + b, vp + b, xp + b, decay, w1, b2, w2, e,
                          neg_step, bc2);
      else
        adam_row<T, false>(end - b, p + b, g + b, mp + b, vp + b, nullptr, decay, w1, b2, w2,
                           e, neg_step, bc2);
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
    parallel_for(param.numel(), kOptimGrain, [&](int64_t b, int64_t end) {
      adamax_row<T>(end - b, p + b, g + b, mp + b, up + b, decay, w1, b2, e, neg_clr);
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
    parallel_for(param.numel(), kOptimGrain, [&](int64_t b, int64_t end) {
      nadam_row<T>(end - b, p + b, g + b, mp + b, vp + b, decay, w1, b2, w2, e, bc2, cg, cm);
    });
  });
}

}  // namespace nncore
