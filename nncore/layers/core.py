"""Core layers: Dense, Flatten, Reshape, Permute, Dropout, Embedding."""
import numpy as np

import nncore
from nncore._core import linear
from nncore.layers.activation import get_activation, serialize_activation
from nncore.layers.base import Layer, serialize_component as _serializable

__all__ = ["Dense", "Flatten", "Reshape", "Permute", "Dropout", "Embedding", "Rescaling",
           "SpatialDropout2D"]


class Dense(Layer):
    """activation(inputs @ kernel + bias), kernel of shape (input_dim, units) as in Keras.

    Inputs with more than two dims apply the kernel to the last one."""

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 **kwargs):
        super().__init__(**kwargs)
        if int(units) <= 0:
            raise ValueError(f"Dense: units must be a positive integer, got {units!r}")
        if activity_regularizer is not None:
            raise NotImplementedError("Dense: activity_regularizer is not supported")
        self.units = int(units)
        self._activation_id = activation
        self.activation = get_activation(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.bias = None

    def build(self, input_shape):
        in_features = input_shape[-1]
        if in_features is None:
            raise ValueError(f"Dense layer {self.name!r}: the last dimension of its input "
                             f"must be known, got shape {tuple(input_shape)}")
        self.kernel = self.add_weight("kernel", (in_features, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer)

    def call(self, inputs):
        in_features = self.kernel.shape[0]
        if inputs.ndim < 1 or inputs.shape[-1] != in_features:
            raise ValueError(f"Dense layer {self.name!r} expects inputs with {in_features} "
                             f"features (shape (batch, {in_features})), got shape "
                             f"{tuple(inputs.shape)} ({inputs.dtype.name})")
        out = linear(inputs, self.kernel, self.bias)
        return out if self.activation is None else self.activation(out)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": serialize_activation(self._activation_id, self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": _serializable(self.kernel_initializer),
                "bias_initializer": _serializable(self.bias_initializer),
                "kernel_regularizer": _serializable(self.kernel_regularizer),
                "bias_regularizer": _serializable(self.bias_regularizer)}


class Flatten(Layer):
    """Flattens every dim but the batch: (batch, d1, d2, ...) -> (batch, d1*d2*...)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            # Keras flattens channels_first inputs in channels_last order.
            inputs = inputs.permute(0, *range(2, inputs.ndim), 1)
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(s is None for s in rest) else int(np.prod(rest, dtype=np.int64))
        return (input_shape[0], size)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes to ``(batch,) + target_shape``; one entry may be -1."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(s) for s in target_shape)
        if sum(s == -1 for s in self.target_shape) > 1:
            raise ValueError(f"Reshape: at most one -1 in target_shape, got {self.target_shape}")

    def call(self, inputs):
        per_sample = int(np.prod(inputs.shape[1:], dtype=np.int64))
        known = int(np.prod([s for s in self.target_shape if s != -1], dtype=np.int64))
        if (-1 in self.target_shape and (known == 0 or per_sample % known)) or (
                -1 not in self.target_shape and known != per_sample):
            raise ValueError(f"Reshape layer {self.name!r}: cannot reshape input of shape "
                             f"{tuple(inputs.shape)} to (batch,) + {self.target_shape}")
        return inputs.reshape(inputs.shape[0], *self.target_shape)

    def compute_output_shape(self, input_shape):
        if -1 not in self.target_shape:
            return (input_shape[0],) + self.target_shape
        rest = input_shape[1:]
        if any(s is None for s in rest):
            return (input_shape[0],) + tuple(None if s == -1 else s for s in self.target_shape)
        known = int(np.prod([s for s in self.target_shape if s != -1], dtype=np.int64))
        fill = int(np.prod(rest, dtype=np.int64)) // max(known, 1)
        return (input_shape[0],) + tuple(fill if s == -1 else s for s in self.target_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Permute(Layer):
    """Permutes the non-batch dims: ``dims`` is 1-based, e.g. (2, 1) swaps the two."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..{len(self.dims)}, "
                             f"got {self.dims}")

    def call(self, inputs):
        if inputs.ndim != len(self.dims) + 1:
            raise ValueError(f"Permute layer {self.name!r}: dims {self.dims} need inputs with "
                             f"{len(self.dims) + 1} dims, got shape {tuple(inputs.shape)}")
        return inputs.permute(0, *self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": list(self.dims)}


class Dropout(Layer):
    """Zeroes a fraction ``rate`` of the inputs while training and scales the rest by
    1 / (1 - rate); the identity at inference.

    Masks come from nncore's global generator (``nncore.manual_seed``), or from a
    generator of the layer's own when ``seed`` is given."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= float(rate) < 1.0:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._generator = None if seed is None else np.random.default_rng(seed)

    def _mask_shape(self, inputs):
        if self.noise_shape is None:
            return tuple(inputs.shape)
        return tuple(s if n is None else int(n) for s, n in zip(inputs.shape, self.noise_shape))

    def call(self, inputs, training=None):
        if not training or self.rate == 0.0:
            return inputs
        shape = self._mask_shape(inputs)
        if self._generator is None:
            uniform = nncore.rand(*shape, dtype=inputs.dtype)
        else:
            uniform = nncore.from_numpy(self._generator.random(shape, dtype=np.float32)).to(
                inputs.dtype)
        keep = (uniform >= self.rate).to(inputs.dtype) * (1.0 / (1.0 - self.rate))
        return inputs * keep

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class Embedding(Layer):
    """Maps integer ids in [0, input_dim) to rows of a learned (input_dim, output_dim)
    table."""

    _autocast_inputs = False
    _integer_inputs = True

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, mask_zero=False, input_length=None, **kwargs):
        super().__init__(**kwargs)
        if int(input_dim) <= 0 or int(output_dim) <= 0:
            raise ValueError(f"Embedding: input_dim and output_dim must be positive, got "
                             f"{input_dim} and {output_dim}")
        if mask_zero:
            raise NotImplementedError("Embedding: mask_zero is not supported")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = embeddings_initializer
        self.embeddings_regularizer = embeddings_regularizer

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer)

    def call(self, inputs):
        if inputs.dtype.is_floating_point:
            values = inputs.numpy()
            if not np.all(values == np.round(values)):
                raise TypeError(f"Embedding layer {self.name!r} expects integer ids, got "
                                f"non-integer {inputs.dtype.name} values")
            inputs = inputs.to(nncore.int64)
        elif inputs.dtype not in (nncore.int64, nncore.int32):
            inputs = inputs.to(nncore.int64)
        ids = inputs.numpy()
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            bad = int(ids.min()) if ids.min() < 0 else int(ids.max())
            raise IndexError(f"Embedding layer {self.name!r}: id {bad} is out of range "
                             f"[0, {self.input_dim})")
        flat = inputs.reshape(-1)
        return self.embeddings[flat].reshape(*inputs.shape, self.output_dim)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": _serializable(self.embeddings_initializer),
                "embeddings_regularizer": _serializable(self.embeddings_regularizer)}


class Rescaling(Layer):
    """inputs * scale + offset, e.g. ``Rescaling(1 / 255)`` so a model takes raw uint8
    pixels (Keras's preprocessing layer)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = float(scale), float(offset)

    def call(self, inputs):
        out = inputs * self.scale
        return out + self.offset if self.offset else out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class SpatialDropout2D(Dropout):
    """Drops whole feature maps (channels) instead of single pixels, for convolutional
    inputs whose neighbouring pixels are strongly correlated."""

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = data_format or "channels_last"

    def _mask_shape(self, inputs):
        if inputs.ndim != 4:
            raise ValueError(f"SpatialDropout2D layer {self.name!r} expects 4-d inputs, got "
                             f"shape {tuple(inputs.shape)}")
        n, a, b, c = inputs.shape
        return (n, 1, 1, c) if self.data_format == "channels_last" else (n, a, 1, 1)

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape", None)
        return {**config, "data_format": self.data_format}
