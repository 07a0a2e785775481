"""The Optimizer base class: learning rate and schedules, clipping, lazily created
per-parameter state, get_state/set_state, get_config/from_config. The concrete optimizers
and the semantics shared by all of them are documented in nncore/optimizers.py."""
import re

import numpy as np

from nncore import _core, schedules
from nncore._core import Tensor
from nncore.autograd import no_grad

__all__ = ["Optimizer"]

# Keras 3 constructor options nncore accepts but does not implement (default values only).
_UNSUPPORTED = {"use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                "loss_scale_factor": None, "gradient_accumulation_steps": None}


def _non_negative(name, value):
    if value is not None and not value >= 0:
        raise ValueError(f"`{name}` must be >= 0, got {value!r}")
    return value


class Optimizer:
    """Base class. A subclass lists its hyper-parameters in ``_config_keys``, its state
    tensors in ``_slots()`` and implements ``_update(param, grad, slots, lr, wd, step)``."""

    _config_keys = ()

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, **kwargs):
        for key, value in kwargs.items():
            if key not in _UNSUPPORTED:
                raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument "
                                f"{key!r}")
            if value != _UNSUPPORTED[key]:
                raise NotImplementedError(f"{type(self).__name__}: `{key}` is not supported "
                                          f"by nncore")
        clipping = [n for n, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                   ("global_clipnorm", global_clipnorm)) if v is not None]
        if len(clipping) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can "
                             f"be set, got {', '.join(clipping)}")
        self.clipnorm = _non_negative("clipnorm", clipnorm)
        self.clipvalue = _non_negative("clipvalue", clipvalue)
        self.global_clipnorm = _non_negative("global_clipnorm", global_clipnorm)
        self.weight_decay = _non_negative("weight_decay", weight_decay)
        self.name = name or re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__).lower()
        self._learning_rate = self._check_learning_rate(learning_rate)
        self.iterations = 0
        self._params = []    # in first-seen order: the "<i>" of get_state's keys
        self._state = {}     # id(param) -> {slot name: Tensor}; _params keeps ids unique
        self._pending = {}   # index -> {slot: array} restored before the param was seen

    # ---------------------------------------------------------------- learning rate

    @staticmethod
    def _check_learning_rate(lr):
        if isinstance(lr, schedules.LearningRateSchedule) or callable(lr):
            return lr
        lr = float(lr)
        if not lr >= 0:
            raise ValueError(f"`learning_rate` must be >= 0, got {lr!r}")
        return lr

    def _current_learning_rate(self):
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            return float(lr(self.iterations))
        if callable(lr):  # Keras: a callable without arguments
            return float(lr())
        return lr

    @property
    def learning_rate(self):
        """The learning rate of the next update (a schedule is evaluated at iterations)."""
        return self._current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value):
        if (isinstance(self._learning_rate, schedules.LearningRateSchedule)
                and not isinstance(value, schedules.LearningRateSchedule)):
            raise TypeError("This optimizer was created with a LearningRateSchedule; its "
                            "learning rate cannot be set to a number")
        self._learning_rate = self._check_learning_rate(value)

    # ---------------------------------------------------------------- state

    def _slots(self):
        """[(slot name, initial value)] for each parameter."""
        return []

    def build(self, params):
        """Creates the state of parameters not seen before (in the order given)."""
        for p in params:
            _check_param(p, self.name)
            if id(p) in self._state:
                continue
            slots = {name: _core.full_like(p, value) for name, value in self._slots()}
            index = len(self._params)
            self._params.append(p)
            self._state[id(p)] = slots
            if index in self._pending:
                _assign_slots(slots, self._pending.pop(index), index, self.name)

    def _extra_state(self):
        return {}

    def _set_extra_state(self, state):
        pass

    def get_state(self):
        """{"iterations": int, "<i>/<slot>": ndarray, ...}: copies, safe to save."""
        state = {"iterations": int(self.iterations)}
        for i, p in enumerate(self._params):
            for name, t in self._state[id(p)].items():
                state[f"{i}/{name}"] = np.array(t.numpy(), copy=True)
        state.update(self._extra_state())
        return state

    def set_state(self, state, params=None):
        """Restores get_state()'s output. Parameters are matched by position in
        first-seen order; state for parameters not seen yet is applied when they are
        (pass ``params`` to build them now)."""
        state = dict(state)
        if "iterations" not in state:
            raise ValueError(f"{self.name}.set_state: the state has no 'iterations'")
        iterations = int(state.pop("iterations"))
        self._set_extra_state(state)
        expected = {name for name, _ in self._slots()}
        per_param = {}
        for key, value in state.items():
            index, _, slot = str(key).partition("/")
            if not index.isdigit() or slot not in expected:
                raise ValueError(f"{self.name}.set_state: unexpected entry {key!r} (slots of "
                                 f"this optimizer: {sorted(expected)})")
            per_param.setdefault(int(index), {})[slot] = np.asarray(value)
        for index, slots in per_param.items():
            if set(slots) != expected:
                raise ValueError(f"{self.name}.set_state: parameter {index} has slots "
                                 f"{sorted(slots)}, expected {sorted(expected)}")
        if params is not None:
            self.build(params)
        self._pending = {}
        for index, slots in per_param.items():
            if index < len(self._params):
                _assign_slots(self._state[id(self._params[index])], slots, index, self.name)
            else:
                self._pending[index] = slots
        self.iterations = iterations

    # ---------------------------------------------------------------- config

    def get_config(self):
        """JSON-able constructor arguments (a schedule as {"class_name", "config"})."""
        lr = self._learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):
            lr = schedules.serialize(lr)
        elif callable(lr):
            lr = self._current_learning_rate()
        config = {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                  "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                  "clipvalue": self.clipvalue}
        config.update({key: getattr(self, key) for key in self._config_keys})
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"],
                                                            custom_objects)
        return cls(**config)

    # ---------------------------------------------------------------- updates

    def apply_gradients(self, grads_and_vars):
        """Applies one update to each parameter whose gradient is not None (Keras)."""
        grads, params = [], []
        for g, p in grads_and_vars:
            if g is not None:
                grads.append(g)
                params.append(p)
        if not params:
            raise ValueError(f"{self.name}: no gradients provided for any variable")
        self._apply(grads, params)
        return self.iterations

    def step(self, params):
        """One update from each parameter's .grad (PyTorch); parameters without a gradient
        are skipped, and with no gradient at all nothing happens."""
        params = [p for p in params if _check_param(p, self.name).grad is not None]
        if params:
            self._apply([p.grad for p in params], params)

    @staticmethod
    def zero_grad(params):
        """Drops every parameter's .grad (PyTorch's set_to_none behaviour)."""
        for p in params:
            p.grad = None

    def _apply(self, grads, params):
        grads = [_check_grad(g, p, self.name) for g, p in zip(grads, params)]
        self.build(params)
        with no_grad():
            grads = self._clip(grads)
        lr = self._current_learning_rate()
        wd = float(self.weight_decay or 0.0)
        step = self.iterations + 1
        self._begin_step(step)
        for g, p in zip(grads, params):
            self._update(p, g if g.is_contiguous() else g.contiguous(), self._state[id(p)],
                         lr, wd, step)
        self.iterations = step

    def _begin_step(self, step):
        pass

    def _update(self, param, grad, slots, lr, weight_decay, step):
        raise NotImplementedError

    def _clip(self, grads):
        if self.clipnorm is not None:
            out = []
            for g in grads:
                norm = _norm(g)
                out.append(g * (self.clipnorm / norm) if norm > self.clipnorm else g)
            return out
        if self.global_clipnorm is not None:
            norm = float(np.sqrt(sum(_norm(g) ** 2 for g in grads)))
            if norm > self.global_clipnorm:
                return [g * (self.global_clipnorm / norm) for g in grads]
            return grads
        if self.clipvalue is not None:
            return [_core.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def __repr__(self):
        return f"{type(self).__name__}(learning_rate={self._learning_rate!r})"


def _check_param(p, name):
    if not isinstance(p, Tensor):
        raise TypeError(f"{name}: parameters must be nncore.Tensor, got {type(p).__name__}")
    if not p.dtype.is_floating_point:
        raise TypeError(f"{name}: parameters must be float32 or float64, got {p.dtype.name}")
    return p


def _check_grad(g, p, name):
    """Checked before any update, so a bad pair leaves every parameter unchanged."""
    _check_param(p, name)
    if not isinstance(g, Tensor):
        g = _core.tensor(np.asarray(g))
    if g.dtype != p.dtype:
        raise TypeError(f"{name}: gradient is {g.dtype.name} but the parameter is "
                        f"{p.dtype.name} (shapes {g.shape} and {p.shape})")
    if g.shape != p.shape:
        raise ValueError(f"{name}: gradient shape {g.shape} does not match parameter shape "
                         f"{p.shape} ({p.dtype.name})")
    return g


def _norm(g):
    return float(np.sqrt(_core.sum(g * g).item()))


def _assign_slots(slots, values, index, name):
    for slot, value in values.items():
        target = slots[slot].numpy()
        if value.shape != target.shape or value.dtype != target.dtype:
            raise ValueError(f"{name}.set_state: {index}/{slot} is {value.dtype} "
                             f"{value.shape}, the parameter's state is {target.dtype} "
                             f"{target.shape}")
        np.copyto(target, value)
