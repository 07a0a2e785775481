"""Pooling layers: MaxPooling1D/2D, AveragePooling1D/2D, GlobalMaxPooling2D,
GlobalAveragePooling2D (Keras semantics, channels_last by default)."""
from nncore import functional as F
from nncore.layers.base import Layer
from nncore.layers.convolutional import (from_channels_last, normalize_tuple,
                                         to_channels_last, _channels_last_shape,
                                         _data_format, _from_channels_last_shape,
                                         _padding_mode)

__all__ = ["MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
           "GlobalMaxPooling2D", "GlobalAveragePooling2D"]


class _Pooling(Layer):
    rank = 2
    kind = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        self.pool_size = normalize_tuple(pool_size, self.rank, f"{name}: pool_size")
        self.strides = self.pool_size if strides is None else normalize_tuple(
            strides, self.rank, f"{name}: strides")
        self.padding = _padding_mode(padding, ("valid", "same"), name)
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        if inputs.ndim != self.rank + 2:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects inputs with "
                             f"{self.rank + 2} dims, got shape {tuple(inputs.shape)}")
        x = to_channels_last(inputs, self.data_format)
        pool, strides = self.pool_size, self.strides
        if self.rank == 1:
            x, pool, strides = x.unsqueeze(1), (1,) + pool, (1,) + strides
        pool_fn = F.max_pool2d_nhwc if self.kind == "max" else F.avg_pool2d_nhwc
        out = pool_fn(x, pool, strides, self.padding)
        if self.rank == 1:
            out = out.squeeze(1)
        return from_channels_last(out, self.data_format)

    def compute_output_shape(self, input_shape):
        shape = _channels_last_shape(input_shape, self.data_format)
        sizes = []
        for size, k, s in zip(shape[1:-1], self.pool_size, self.strides):
            sizes.append(None if size is None else (
                -(-size // s) if self.padding == "same" else (size - k) // s + 1))
        return _from_channels_last_shape((shape[0],) + tuple(sizes) + (shape[-1],),
                                         self.data_format)

    def get_config(self):
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding,
                "data_format": self.data_format}


class MaxPooling2D(_Pooling):
    rank, kind = 2, "max"


class AveragePooling2D(_Pooling):
    """Mean over each window; with padding='same' the padded cells are not counted."""
    rank, kind = 2, "avg"


class MaxPooling1D(_Pooling):
    rank, kind = 1, "max"


class AveragePooling1D(_Pooling):
    rank, kind = 1, "avg"


class _GlobalPooling2D(Layer):
    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.keepdims = bool(keepdims)

    def call(self, inputs):
        if inputs.ndim != 4:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects 4-d inputs, "
                             f"got shape {tuple(inputs.shape)}")
        axes = (1, 2) if self.data_format == "channels_last" else (2, 3)
        return self._reduce(inputs, axes)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            n, h, w, c = input_shape
            return (n, 1, 1, c) if self.keepdims else (n, c)
        n, c, h, w = input_shape
        return (n, c, 1, 1) if self.keepdims else (n, c)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalMaxPooling2D(_GlobalPooling2D):
    def _reduce(self, x, axes):
        return x.amax(dim=axes, keepdim=self.keepdims)


class GlobalAveragePooling2D(_GlobalPooling2D):
    def _reduce(self, x, axes):
        return x.mean(dim=axes, keepdim=self.keepdims)
