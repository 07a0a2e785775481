# Optimizers: bindings of the fused C++ update kernels in cpp/src/ops/optim*.
# Thin wrappers: nncore/optimizers.py owns the state and the formulas' documentation. A
# state tensor that a variant does not use is passed as None (an undefined tensor).

cdef extern from "nncore/optim.hpp" namespace "nncore" nogil:
    void c_sgd_update "nncore::sgd_update"(
        const CTensor&, const CTensor&, const CTensor&, double, double, cbool, double) except +
    void c_adagrad_update "nncore::adagrad_update"(
        const CTensor&, const CTensor&, const CTensor&, double, double, double) except +
    void c_rmsprop_update "nncore::rmsprop_update"(
        const CTensor&, const CTensor&, const CTensor&, const CTensor&, const CTensor&, double,
        double, double, double, cbool, double) except +
    void c_adadelta_update "nncore::adadelta_update"(
        const CTensor&, const CTensor&, const CTensor&, const CTensor&, double, double, double,
        double) except +
    void c_adam_update "nncore::adam_update"(
        const CTensor&, const CTensor&, const CTensor&, const CTensor&, const CTensor&, double,
        double, double, double, double, int64_t, cbool) except +
    void c_adamax_update "nncore::adamax_update"(
        const CTensor&, const CTensor&, const CTensor&, const CTensor&, double, double, double,
        double, double, int64_t) except +
    void c_nadam_update "nncore::nadam_update"(
        const CTensor&, const CTensor&, const CTensor&, const CTensor&, double, double, double,
        double, double, int64_t, double, double, double) except +


cdef inline CTensor _opt_state(object t) except *:
    """The engine tensor of an optional state argument (undefined for None)."""
    cdef CTensor undefined
    if t is None:
        return undefined
    if not isinstance(t, Tensor):
        raise TypeError(f"optimizer state must be an nncore.Tensor, got {type(t).__name__}")
    return (<Tensor>t).c


def _sgd_update(Tensor param not None, Tensor grad not None, velocity, double lr,
                double momentum, bint nesterov, double weight_decay):
    cdef CTensor vel = _opt_state(velocity)
    cdef cbool nest = nesterov
    with nogil:
        c_sgd_update(param.c, grad.c, vel, lr, momentum, nest, weight_decay)


def _adagrad_update(Tensor param not None, Tensor grad not None, Tensor accumulator not None,
                    double lr, double epsilon, double weight_decay):
    with nogil:
        c_adagrad_update(param.c, grad.c, accumulator.c, lr, epsilon, weight_decay)


def _rmsprop_update(Tensor param not None, Tensor grad not None, Tensor square_avg not None,
                    grad_avg, momentum_buffer, double lr, double rho, double momentum,
                    double epsilon, bint centered, double weight_decay):
    cdef CTensor ga = _opt_state(grad_avg), buf = _opt_state(momentum_buffer)
    cdef cbool cen = centered
    with nogil:
        c_rmsprop_update(param.c, grad.c, square_avg.c, ga, buf, lr, rho, momentum, epsilon,
                         cen, weight_decay)


def _adadelta_update(Tensor param not None, Tensor grad not None, Tensor accum_grad not None,
                     Tensor accum_delta not None, double lr, double rho, double epsilon,
                     double weight_decay):
    with nogil:
        c_adadelta_update(param.c, grad.c, accum_grad.c, accum_delta.c, lr, rho, epsilon,
                          weight_decay)


def _adam_update(Tensor param not None, Tensor grad not None, Tensor m not None,
                 Tensor v not None, vmax, double lr, double beta_1, double beta_2,
                 double epsilon, double weight_decay, int64_t step, bint amsgrad):
    cdef CTensor vm = _opt_state(vmax)
    cdef cbool ams = amsgrad
    with nogil:
        c_adam_update(param.c, grad.c, m.c, v.c, vm, lr, beta_1, beta_2, epsilon, weight_decay,
                      step, ams)


def _adamax_update(Tensor param not None, Tensor grad not None, Tensor m not None,
                   Tensor u not None, double lr, double beta_1, double beta_2, double epsilon,
                   double weight_decay, int64_t step):
    with nogil:
        c_adamax_update(param.c, grad.c, m.c, u.c, lr, beta_1, beta_2, epsilon, weight_decay,
                        step)


def _nadam_update(Tensor param not None, Tensor grad not None, Tensor m not None,
                  Tensor v not None, double lr, double beta_1, double beta_2, double epsilon,
                  double weight_decay, int64_t step, double mu, double mu_next,
                  double mu_product):
    with nogil:
        c_nadam_update(param.c, grad.c, m.c, v.c, lr, beta_1, beta_2, epsilon, weight_decay,
                       step, mu, mu_next, mu_product)
