"""Weight initializers with Keras's names and semantics: ``init(shape, dtype)`` -> Tensor.

Randomness: with ``seed=None`` values come from nncore's global Philox stream, so they are
reproducible after ``nncore.manual_seed(s)`` and independent of the thread count; with an
integer seed an initializer returns the same values on every call (as in Keras), drawn
from its own Philox generator.
"""
import math

import numpy as np

import nncore

__all__ = ["Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform",
           "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal",
           "HeUniform", "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "get"]


def compute_fans(shape):
    """Keras's fan_in / fan_out: a dense kernel is (in, out); a convolution kernel
    (..., in, out) also counts its receptive field."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: subclasses implement __call__(shape, dtype) and list their arguments."""

    _config_keys = ()

    def get_config(self):
        return {k: getattr(self, k) for k in self._config_keys}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    def __call__(self, shape, dtype=nncore.float32):
        return nncore.zeros(*shape, dtype=dtype)


class Ones(Initializer):
    def __call__(self, shape, dtype=nncore.float32):
        return nncore.ones(*shape, dtype=dtype)


class Constant(Initializer):
    _config_keys = ("value",)

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=nncore.float32):
        return nncore.full(tuple(shape), self.value, dtype=dtype)


class _Random(Initializer):
    """Draws from the global stream (seed None) or from a generator seeded per call."""

    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, int):
            raise TypeError(f"{type(self).__name__}: seed must be an int or None, got "
                            f"{type(seed).__name__}")
        self.seed = seed

    def _uniform(self, shape, dtype):
        if self.seed is None:
            return nncore.rand(*shape, dtype=dtype)
        rng = np.random.Generator(np.random.Philox(self.seed))
        return nncore.tensor(rng.random(tuple(shape)), dtype=dtype)

    def _normal(self, shape, dtype):
        if self.seed is None:
            return nncore.randn(*shape, dtype=dtype)
        rng = np.random.Generator(np.random.Philox(self.seed))
        return nncore.tensor(rng.standard_normal(tuple(shape)), dtype=dtype)

    def _truncated_normal(self, shape, dtype):
        """Standard normal values, each redrawn until it lies within two deviations."""
        values = self._normal(shape, nncore.float64).numpy().copy()
        rng = None if self.seed is None else np.random.Generator(np.random.Philox(self.seed + 1))
        outside = np.abs(values) > 2
        while outside.any():
            count = int(outside.sum())
            fresh = (nncore.randn(count, dtype=nncore.float64).numpy() if rng is None
                     else rng.standard_normal(count))
            values[outside] = fresh
            outside = np.abs(values) > 2
        return nncore.tensor(values, dtype=dtype)


class RandomNormal(_Random):
    _config_keys = ("mean", "stddev", "seed")

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=nncore.float32):
        return self._normal(shape, dtype) * self.stddev + self.mean


class RandomUniform(_Random):
    _config_keys = ("minval", "maxval", "seed")

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=nncore.float32):
        return self._uniform(shape, dtype) * (self.maxval - self.minval) + self.minval


class TruncatedNormal(_Random):
    """Normal values redrawn when more than two standard deviations from the mean."""

    _config_keys = ("mean", "stddev", "seed")

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=nncore.float32):
        return self._truncated_normal(shape, dtype) * self.stddev + self.mean


class VarianceScaling(_Random):
    """Keras's VarianceScaling: scale / n with n = fan_in, fan_out or their average;
    'truncated_normal' divides the deviation by 0.8796..., the deviation of a standard
    normal truncated at two, so the result has exactly the intended variance."""

    _config_keys = ("scale", "mode", "distribution", "seed")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be fan_in, fan_out or fan_avg, "
                             f"got {mode!r}")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"VarianceScaling: unknown distribution {distribution!r}")
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be positive, got {scale}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=nncore.float32):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return self._uniform(shape, dtype) * (2 * limit) - limit
        if self.distribution == "untruncated_normal":
            return self._normal(shape, dtype) * math.sqrt(variance)
        return self._truncated_normal(shape, dtype) * (math.sqrt(variance) / 0.87962566103423978)


def _variance_scaling(name, scale, mode, distribution):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    return type(name, (VarianceScaling,), {
        "__init__": __init__, "_config_keys": ("seed",),
        "__doc__": f"VarianceScaling(scale={scale}, mode={mode!r}, "
                   f"distribution={distribution!r})."})


GlorotUniform = _variance_scaling("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _variance_scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
HeUniform = _variance_scaling("HeUniform", 2.0, "fan_in", "uniform")
HeNormal = _variance_scaling("HeNormal", 2.0, "fan_in", "truncated_normal")
LecunUniform = _variance_scaling("LecunUniform", 1.0, "fan_in", "uniform")
LecunNormal = _variance_scaling("LecunNormal", 1.0, "fan_in", "truncated_normal")


class Orthogonal(_Random):
    """An orthogonal matrix (QR of a normal one, signs fixed so the result is uniformly
    distributed), reshaped to `shape` with the last dim as columns, times `gain`."""

    _config_keys = ("gain", "seed")

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=nncore.float32):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: needs a shape of at least 2 dims, got {tuple(shape)}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        flat = self._normal((max(rows, cols), min(rows, cols)), nncore.float64).numpy()
        q, r = np.linalg.qr(flat)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return nncore.tensor(self.gain * q.reshape(tuple(shape)), dtype=dtype)


# Keras's function-style names.
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal, lecun_uniform, lecun_normal = HeUniform, HeNormal, LecunUniform, LecunNormal
orthogonal = Orthogonal


def get(identifier):
    """An initializer from a name (through the registry), a config dict or an instance."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        from nncore import registry
        return registry.get("initializers", identifier)()
    if isinstance(identifier, dict):
        from nncore import registry
        return registry.get("initializers", identifier["class_name"]).from_config(
            identifier.get("config", {}))
    raise ValueError(f"initializers.get: cannot interpret {identifier!r}")
