"""Learning-rate schedules, with Keras 3's names and semantics.

A schedule is a callable ``schedule(step) -> learning rate``. Passed as an optimizer's
``learning_rate``, it is called before every update with the optimizer's ``iterations``
(the number of updates already applied: 0 for the first), like Keras. Values are Python
floats computed in double precision.

    >>> from nncore.schedules import ExponentialDecay
    >>> sched = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> sched(20)
    0.025

PyTorch's ``torch.optim.lr_scheduler`` counts epochs (calls to ``scheduler.step()``); with
one ``scheduler.step()`` per optimizer step the counterparts are:

=====================================================  =====================================
nncore / Keras                                          torch.optim.lr_scheduler
=====================================================  =====================================
``ExponentialDecay(lr, 1, gamma)``                      ``ExponentialLR(gamma)``
``ExponentialDecay(lr, k, gamma, staircase=True)``      ``StepLR(step_size=k, gamma=gamma)``
``StepDecay(lr, step_size, gamma)``                     ``StepLR(step_size, gamma)``
``PiecewiseConstantDecay(b, [lr*g**i ...])``            ``MultiStepLR([x + 1 for x in b], g)``
``CosineDecay(lr, T, alpha=a)`` for steps <= T          ``CosineAnnealingLR(T, eta_min=a*lr)``
``InverseTimeDecay``                                    (none; ``LambdaLR`` with the formula)
=====================================================  =====================================

Keras's PiecewiseConstantDecay switches *after* a boundary (``step <= b[0]`` gives
``values[0]``), MultiStepLR *at* a milestone, hence the ``+ 1``.
"""
import math

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "CosineDecay",
           "InverseTimeDecay", "StepDecay", "serialize", "deserialize", "get"]


class LearningRateSchedule:
    """Base class: subclasses define ``__call__(step)`` and ``get_config()``."""

    def __call__(self, step):
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(step)")

    def get_config(self):
        raise NotImplementedError(f"{type(self).__name__} must implement get_config()")

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _positive(name, value):
    if value <= 0:
        raise ValueError(f"`{name}` must be > 0, got {value!r}")
    return value


class _StepRatioDecay(LearningRateSchedule):
    """Shared by the decays driven by ``step / decay_steps`` (floored with staircase)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase, name):
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = _positive("decay_steps", decay_steps)
        self.decay_rate = float(decay_rate)
        self.staircase = bool(staircase)
        self.name = name

    def _progress(self, step):
        p = float(step) / self.decay_steps
        return math.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_StepRatioDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; with
    ``staircase=True`` the exponent is floored (the rate drops every decay_steps steps)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        return self.initial_learning_rate * self.decay_rate ** self._progress(step)

class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"`values` must have one more element than `boundaries`, got "
                             f"{len(values)} values and {len(boundaries)} boundaries")
        if any(a > b for a, b in zip(boundaries, boundaries[1:])):
            raise ValueError(f"`boundaries` must be increasing, got {boundaries}")
        self.boundaries = boundaries
        self.values = [float(v) for v in values]
        self.name = name

    def __call__(self, step):
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self):
        return {"boundaries": list(self.boundaries), "values": list(self.values),
                "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay from ``initial_learning_rate`` to ``alpha * initial_learning_rate`` over
    ``decay_steps``, optionally after a linear warm-up (Keras 3):

    - without ``warmup_target``: ``lr0 * ((1 - alpha) * c + alpha)`` with
      ``c = 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps))``;
    - with ``warmup_target``: linear from ``lr0`` to ``warmup_target`` over
      ``warmup_steps``, then the cosine decay above starting from ``warmup_target``.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = _positive("decay_steps", decay_steps)
        self.alpha = float(alpha)
        self.name = name
        self.warmup_target = None if warmup_target is None else float(warmup_target)
        self.warmup_steps = warmup_steps
        if warmup_steps < 0:
            raise ValueError(f"`warmup_steps` must be >= 0, got {warmup_steps!r}")

    def _decay(self, step, start):
        fraction = step / self.decay_steps
        cosine = 0.5 * (1.0 + math.cos(math.pi * fraction))
        return ((1.0 - self.alpha) * cosine + self.alpha) * start

    def __call__(self, step):
        step = float(step)
        if self.warmup_target is None:
            return self._decay(min(step, self.decay_steps), self.initial_learning_rate)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            delta = self.warmup_target - self.initial_learning_rate
            return delta * (step / self.warmup_steps) + self.initial_learning_rate
        return self._decay(step - self.warmup_steps, self.warmup_target)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class InverseTimeDecay(_StepRatioDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``; with
    ``staircase=True`` the ratio ``step / decay_steps`` is floored."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate, staircase, name)

    def __call__(self, step):
        return self.initial_learning_rate / (1.0 + self.decay_rate * self._progress(step))


class StepDecay(LearningRateSchedule):
    """``initial_learning_rate * gamma ** (step // step_size)``: PyTorch's StepLR as a
    schedule (not in Keras)."""

    def __init__(self, initial_learning_rate, step_size, gamma=0.1, name="StepDecay"):
        self.initial_learning_rate = float(initial_learning_rate)
        if int(step_size) != step_size:
            raise ValueError(f"`step_size` must be an integer, got {step_size!r}")
        self.step_size = int(_positive("step_size", step_size))
        self.gamma = float(gamma)
        self.name = name

    def __call__(self, step):
        return self.initial_learning_rate * self.gamma ** (int(step) // self.step_size)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "step_size": self.step_size, "gamma": self.gamma, "name": self.name}


_BUILTIN = {cls.__name__: cls for cls in (ExponentialDecay, PiecewiseConstantDecay,
                                          CosineDecay, InverseTimeDecay, StepDecay)}


def serialize(schedule):
    """``{"class_name": ..., "config": ...}``, JSON-able, as Keras writes schedules."""
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config, custom_objects=None):
    """The schedule described by ``serialize``'s output; ``custom_objects`` maps class
    names of user-defined schedules to their classes."""
    classes = dict(_BUILTIN, **(custom_objects or {}))
    name = config.get("class_name")
    if name not in classes:
        raise ValueError(f"unknown learning-rate schedule {name!r}; known: "
                         f"{', '.join(sorted(classes))}")
    return classes[name].from_config(dict(config.get("config", {})))


def get(identifier):
    """A schedule from a schedule, or from its serialized dict."""
    if isinstance(identifier, LearningRateSchedule):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(f"cannot interpret {identifier!r} as a learning-rate schedule")
