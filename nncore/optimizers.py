"""Optimizers with Keras 3's constructors, each running one fused C++ update per parameter.

    >>> opt = nncore.optimizers.Adam(learning_rate=1e-3)
    >>> loss.backward()
    >>> opt.step(params)              # reads each parameter's .grad (PyTorch style)
    >>> opt.zero_grad(params)
    >>> opt.apply_gradients(zip(grads, params))   # Keras style

Semantics. Argument names, defaults, ``iterations``, learning-rate schedules (called with
``iterations``, 0 for the first update), clipping and weight decay follow Keras 3. Where
Keras and PyTorch place epsilon differently, nncore uses PyTorch's placement, so that
given the same hyper-parameters every optimizer follows its torch.optim counterpart's
trajectory (to rounding). Each class's docstring gives its formula and the torch call that
reproduces it.

Weight decay is decoupled for every optimizer, as in Keras 3 (and torch.optim.AdamW):
before the update, ``param *= 1 - lr * weight_decay``; the gradient is used as given.
PyTorch's ``weight_decay`` for SGD, Adagrad, RMSprop, Adadelta, Adam, Adamax and NAdam
instead adds ``weight_decay * param`` to the gradient (L2). The two agree only for plain
SGD; otherwise reproduce nncore in torch with AdamW / ``NAdam(decoupled_weight_decay=True)``
or by calling ``p.mul_(1 - lr * wd)`` under ``torch.no_grad()`` before ``opt.step()``.

Clipping (Keras 3; at most one of the three may be set): ``clipnorm`` scales each gradient
whose L2 norm exceeds it down to that norm; ``global_clipnorm`` scales all gradients by
``global_clipnorm / global_norm`` when their joint norm exceeds it (like
``torch.nn.utils.clip_grad_norm_``, without its 1e-6); ``clipvalue`` clamps every element
into ``[-clipvalue, clipvalue]``. Gradients below the threshold are left untouched.

State. Per-parameter state (moments, accumulators) is created lazily as nncore tensors of
the parameter's shape and dtype, the first time the parameter is seen (or by ``build``).
``get_state()`` returns a dict of NumPy arrays and ints (``"iterations"``, and
``"<i>/<slot>"`` for the i-th parameter in first-seen order); ``set_state`` restores it
exactly, so training continues bitwise identically.
"""
import numpy as np

from nncore import _core
from nncore._optimizer_base import Optimizer

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax",
           "Nadam"]


def _unit_interval(name, value):
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"`{name}` must be a float between [0, 1], got {value!r}")
    return float(value)


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum. Keras 3's form::

        velocity = momentum * velocity - lr * grad
        param += velocity                          (nesterov: momentum * velocity - lr * grad)

    PyTorch: ``torch.optim.SGD(lr=lr, momentum=momentum, nesterov=nesterov)`` follows the
    same trajectory while lr is constant: torch's buffer is ``b = momentum * b + grad``,
    ``param -= lr * b``, i.e. ``velocity = -lr * b``. Under a changing learning rate they
    differ: Keras (and nncore) fold each step's lr into the velocity, torch applies the
    current lr to the whole buffer. Without momentum, decoupled ``weight_decay`` equals
    torch's ``weight_decay``; with momentum, see the module docstring.
    """

    _config_keys = ("momentum", "nesterov")

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="SGD", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.momentum = _unit_interval("momentum", momentum)
        self.nesterov = bool(nesterov)

    def _slots(self):
        return [("momentum", 0.0)] if self.momentum != 0.0 else []

    def _update(self, p, g, slots, lr, wd, step):
        _core._sgd_update(p, g, slots.get("momentum"), lr, self.momentum, self.nesterov, wd)


class Adagrad(Optimizer):
    """Adagrad::

        accumulator += grad ** 2
        param -= lr * grad / (sqrt(accumulator) + epsilon)

    Keras puts epsilon inside the root (``sqrt(accumulator + epsilon)``); nncore follows
    PyTorch. PyTorch: ``torch.optim.Adagrad(lr=lr, initial_accumulator_value=0.1,
    eps=epsilon)`` (torch's defaults are 0 and 1e-10; nncore keeps Keras's).
    """

    _config_keys = ("initial_accumulator_value", "epsilon")

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adagrad", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = float(epsilon)

    def _slots(self):
        return [("accumulator", self.initial_accumulator_value)]

    def _update(self, p, g, slots, lr, wd, step):
        _core._adagrad_update(p, g, slots["accumulator"], lr, self.epsilon, wd)


class RMSprop(Optimizer):
    """RMSprop, optionally centered and with momentum::

        velocity = rho * velocity + (1 - rho) * grad ** 2
        centered: average_gradient = rho * average_gradient + (1 - rho) * grad
                  denominator = sqrt(velocity - average_gradient ** 2) + epsilon
        else:     denominator = sqrt(velocity) + epsilon
        increment = lr * grad / denominator
        momentum > 0: buffer = momentum * buffer + increment; param -= buffer
        else:         param -= increment

    No bias correction (as in Keras and PyTorch). Keras puts epsilon inside the root;
    nncore follows PyTorch. PyTorch: ``torch.optim.RMSprop(lr=lr, alpha=rho, eps=epsilon,
    momentum=momentum, centered=centered)`` (torch's momentum buffer is this one divided by
    lr: the same trajectory while lr is constant).
    """

    _config_keys = ("rho", "momentum", "epsilon", "centered")

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="rmsprop", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.rho = float(rho)
        self.momentum = _unit_interval("momentum", momentum)
        self.epsilon = float(epsilon)
        self.centered = bool(centered)

    def _slots(self):
        slots = [("velocity", 0.0)]
        if self.centered:
            slots.append(("average_gradient", 0.0))
        if self.momentum > 0:
            slots.append(("momentum", 0.0))
        return slots

    def _update(self, p, g, slots, lr, wd, step):
        _core._rmsprop_update(p, g, slots["velocity"], slots.get("average_gradient"),
                              slots.get("momentum"), lr, self.rho, self.momentum,
                              self.epsilon, self.centered, wd)


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012) with a learning rate::

        accumulated_grad = rho * accumulated_grad + (1 - rho) * grad ** 2
        delta = sqrt(accumulated_delta_var + epsilon) / sqrt(accumulated_grad + epsilon) * grad
        accumulated_delta_var = rho * accumulated_delta_var + (1 - rho) * delta ** 2
        param -= lr * delta

    Keras and PyTorch agree. PyTorch: ``torch.optim.Adadelta(lr=lr, rho=rho, eps=epsilon)``
    (torch's defaults are lr=1.0, rho=0.9, eps=1e-6; nncore keeps Keras's).
    """

    _config_keys = ("rho", "epsilon")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, name="adadelta",
                 **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.rho = float(rho)
        self.epsilon = float(epsilon)

    def _slots(self):
        return [("accumulated_grad", 0.0), ("accumulated_delta_var", 0.0)]

    def _update(self, p, g, slots, lr, wd, step):
        _core._adadelta_update(p, g, slots["accumulated_grad"], slots["accumulated_delta_var"],
                               lr, self.rho, self.epsilon, wd)


class Adam(Optimizer):
    """Adam, optionally AMSGrad::

        m = beta_1 * m + (1 - beta_1) * grad        (momentum slot)
        v = beta_2 * v + (1 - beta_2) * grad ** 2   (velocity slot)
        amsgrad: v_max = max(v_max, v), used for v below
        param -= lr / (1 - beta_1 ** t) * m / (sqrt(v) / sqrt(1 - beta_2 ** t) + epsilon)

    epsilon is added to sqrt(v_hat), as in PyTorch and the Adam paper. Keras's code adds
    it to sqrt(v) (the paper's "epsilon hat"), which is the same as an epsilon of
    ``epsilon / sqrt(1 - beta_2 ** t)`` here: the two differ noticeably in the first steps
    only when epsilon is not negligible against sqrt(v). PyTorch: ``torch.optim.Adam(lr=lr,
    betas=(beta_1, beta_2), eps=epsilon, amsgrad=amsgrad)``; with weight_decay,
    ``torch.optim.AdamW(..., weight_decay=weight_decay)``.
    """

    _config_keys = ("beta_1", "beta_2", "epsilon", "amsgrad")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adam", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.amsgrad = bool(amsgrad)

    def _slots(self):
        slots = [("momentum", 0.0), ("velocity", 0.0)]
        if self.amsgrad:
            slots.append(("velocity_hat", 0.0))
        return slots

    def _update(self, p, g, slots, lr, wd, step):
        _core._adam_update(p, g, slots["momentum"], slots["velocity"],
                           slots.get("velocity_hat"), lr, self.beta_1, self.beta_2,
                           self.epsilon, wd, step, self.amsgrad)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), Keras's default 0.004::

        param *= 1 - lr * weight_decay;  then the Adam update

    PyTorch: ``torch.optim.AdamW(lr=lr, betas=(beta_1, beta_2), eps=epsilon,
    weight_decay=weight_decay, amsgrad=amsgrad)`` (torch's default weight_decay is 0.01).
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name="adamw", **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: `weight_decay` cannot be None")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay,
                         clipnorm, clipvalue, global_clipnorm, name, **kwargs)


class Adamax(Optimizer):
    """Adamax, Adam with the infinity norm::

        m = beta_1 * m + (1 - beta_1) * grad
        u = max(beta_2 * u, |grad| + epsilon)
        param -= lr / (1 - beta_1 ** t) * m / u

    Keras adds epsilon after the max (``u = max(beta_2 * u, |grad|)``, divides by
    ``u + epsilon``); nncore follows PyTorch. PyTorch: ``torch.optim.Adamax(lr=lr,
    betas=(beta_1, beta_2), eps=epsilon)``.
    """

    _config_keys = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="adamax", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)

    def _slots(self):
        return [("m", 0.0), ("u", 0.0)]

    def _update(self, p, g, slots, lr, wd, step):
        _core._adamax_update(p, g, slots["m"], slots["u"], lr, self.beta_1, self.beta_2,
                             self.epsilon, wd, step)


class Nadam(Optimizer):
    """Adam with Nesterov momentum and Dozat's momentum schedule::

        mu_t = beta_1 * (1 - 0.5 * 0.96 ** (0.004 * t));  u_product = prod(mu_1 .. mu_t)
        m, v as in Adam
        m_hat = mu_{t+1} * m / (1 - u_product * mu_{t+1}) + (1 - mu_t) * grad / (1 - u_product)
        param -= lr * m_hat / (sqrt(v / (1 - beta_2 ** t)) + epsilon)

    Keras and PyTorch agree. PyTorch: ``torch.optim.NAdam(lr=lr, betas=(beta_1, beta_2),
    eps=epsilon)`` (momentum_decay=0.004); with weight_decay, add
    ``decoupled_weight_decay=True``. nncore keeps u_product in double; torch keeps its
    mu_product in the default dtype (float32 unless set to float64), so float64 runs match
    torch closely only under ``torch.set_default_dtype(torch.float64)``.
    """

    _config_keys = ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 name="nadam", **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         name, **kwargs)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self._u_product = 1.0

    def _slots(self):
        return [("momentum", 0.0), ("velocity", 0.0)]

    def _mu(self, step):
        return self.beta_1 * (1.0 - 0.5 * 0.96 ** (step * 0.004))

    def _begin_step(self, step):
        self._u_product *= self._mu(step)

    def _update(self, p, g, slots, lr, wd, step):
        _core._nadam_update(p, g, slots["momentum"], slots["velocity"], lr, self.beta_1,
                            self.beta_2, self.epsilon, wd, step, self._mu(step),
                            self._mu(step + 1), self._u_product)

    def _extra_state(self):
        return {"u_product": np.array(self._u_product, dtype=np.float64)}

    def _set_extra_state(self, state):
        if "u_product" not in state:
            raise ValueError(f"{self.name}.set_state: the state has no 'u_product'")
        self._u_product = float(state.pop("u_product"))
