// Optimizer updates: one fused, in-place pass over a parameter per step.
//
// Each function reads the gradient, updates the optimizer's state tensors (moments,
// accumulators) and writes the new parameter values, all in one loop over the elements, so
// a step costs one trip through memory per parameter. The Python optimizers
// (nncore/optimizers.py) own the state tensors and the step count and call these once per
// parameter; the formulas are documented there, next to the Keras and PyTorch names.
//
//   // 1 Adam step on w with gradient g; m, v start as zeros of w's shape and dtype.
//   adam_update(w, g, m, v, Tensor(), /*lr=*/1e-3, 0.9, 0.999, 1e-7, /*wd=*/0.0, step, false);
//
// Common rules:
// - param, grad and every state tensor: same shape, same dtype (float32 or float64),
//   contiguous. Violations throw std::invalid_argument (shape, layout) or nncore::dtype_error
//   (dtype) naming the op, the shapes and the dtypes.
// - weight_decay is decoupled (Keras 3, torch.optim.AdamW): param *= 1 - lr * weight_decay,
//   applied before the update, which still uses the gradient as given.
// - step counts from 1 (the step being taken), for the bias corrections.
// - Arithmetic is done in the parameter's dtype with coefficients precomputed in double.
//   Every element is independent, so results do not depend on the thread count.
// - The parameter's storage version is bumped (autograd detects modified saved tensors).
//
// A state tensor documented as "undefined unless ..." is passed as Tensor() when unused.
#pragma once

#include <cstdint>

#include "nncore/tensor.hpp"

namespace nncore {

// Keras form: velocity = momentum * velocity - lr * grad; param += velocity
// (nesterov: param += momentum * velocity - lr * grad). velocity: undefined unless momentum.
void sgd_update(const Tensor& param, const Tensor& grad, const Tensor& velocity, double lr,
                double momentum, bool nesterov, double weight_decay);

// accumulator += grad^2; param -= lr * grad / (sqrt(accumulator) + eps).
void adagrad_update(const Tensor& param, const Tensor& grad, const Tensor& accumulator,
                    double lr, double eps, double weight_decay);

// square_avg = rho * square_avg + (1 - rho) * grad^2 (centered: also grad_avg, and the
// variance estimate square_avg - grad_avg^2); increment = lr * grad / (sqrt(.) + eps);
// momentum > 0: buffer = momentum * buffer + increment, param -= buffer.
// grad_avg: undefined unless centered; momentum_buffer: undefined unless momentum > 0.
void rmsprop_update(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                    const Tensor& grad_avg, const Tensor& momentum_buffer, double lr, double rho,
                    double momentum, double eps, bool centered, double weight_decay);

// Zeiler's Adadelta with a learning rate: the rms of past updates over the rms of past
// gradients, both with eps inside the square root.
void adadelta_update(const Tensor& param, const Tensor& grad, const Tensor& accum_grad,
                     const Tensor& accum_delta, double lr, double rho, double eps,
                     double weight_decay);

// Adam / AdamW (AdamW is Adam with weight_decay): eps is added to sqrt(v_hat).
// vmax (the running max of v): undefined unless amsgrad.
void adam_update(const Tensor& param, const Tensor& grad, const Tensor& m, const Tensor& v,
                 const Tensor& vmax, double lr, double beta1, double beta2, double eps,
                 double weight_decay, int64_t step, bool amsgrad);

// Adamax: u = max(beta2 * u, |grad| + eps); param -= lr / (1 - beta1^step) * m / u.
void adamax_update(const Tensor& param, const Tensor& grad, const Tensor& m, const Tensor& u,
                   double lr, double beta1, double beta2, double eps, double weight_decay,
                   int64_t step);

// Nadam with Dozat's momentum schedule. The schedule's scalars are computed by the caller,
// which keeps the running product: mu (this step's momentum), mu_next (the next step's),
// mu_product (product of mu over steps 1..step, including this one).
void nadam_update(const Tensor& param, const Tensor& grad, const Tensor& m, const Tensor& v,
                  double lr, double beta1, double beta2, double eps, double weight_decay,
                  int64_t step, double mu, double mu_next, double mu_product);

}  // namespace nncore
