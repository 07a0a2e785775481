"""Image reshaping layers: ZeroPadding2D and UpSampling2D (Keras semantics)."""
from nncore import functional as F
from nncore.layers.base import Layer
from nncore.layers.convolutional import (_channels_last_shape, _data_format,
                                         _from_channels_last_shape, from_channels_last,
                                         normalize_tuple, to_channels_last)

__all__ = ["ZeroPadding2D", "UpSampling2D"]


class ZeroPadding2D(Layer):
    """Pads rows and columns with zeros: ``padding`` is an int, (rows, cols) or
    ((top, bottom), (left, right))."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, int):
            padding = ((padding, padding), (padding, padding))
        elif all(isinstance(p, int) for p in padding):
            rows, cols = normalize_tuple(padding, 2, "ZeroPadding2D: padding")
            padding = ((rows, rows), (cols, cols))
        self.padding = tuple(normalize_tuple(p, 2, "ZeroPadding2D: padding") for p in padding)
        if len(self.padding) != 2 or any(v < 0 for p in self.padding for v in p):
            raise ValueError(f"ZeroPadding2D: padding must be non-negative, got {padding}")
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        (top, bottom), (left, right) = self.padding
        x = to_channels_last(inputs, self.data_format)
        # F.pad lists the last dim first: channels (none), width, height.
        out = F.pad(x, (0, 0, left, right, top, bottom))
        return from_channels_last(out, self.data_format)

    def compute_output_shape(self, input_shape):
        n, h, w, c = _channels_last_shape(input_shape, self.data_format)
        (top, bottom), (left, right) = self.padding
        return _from_channels_last_shape(
            (n, None if h is None else h + top + bottom,
             None if w is None else w + left + right, c), self.data_format)

    def get_config(self):
        return {**super().get_config(), "padding": [list(p) for p in self.padding],
                "data_format": self.data_format}


class UpSampling2D(Layer):
    """Repeats rows and columns ``size`` times (nearest-neighbour upsampling)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = normalize_tuple(size, 2, "UpSampling2D: size")
        if interpolation != "nearest":
            raise NotImplementedError(f"UpSampling2D: interpolation {interpolation!r} is not "
                                      f"supported (only 'nearest')")
        self.interpolation = interpolation
        self.data_format = _data_format(data_format)

    def call(self, inputs):
        x = to_channels_last(inputs, self.data_format)
        n, h, w, c = x.shape
        sh, sw = self.size
        out = x.reshape(n, h, 1, w, 1, c).expand(n, h, sh, w, sw, c).reshape(
            n, h * sh, w * sw, c)
        return from_channels_last(out, self.data_format)

    def compute_output_shape(self, input_shape):
        n, h, w, c = _channels_last_shape(input_shape, self.data_format)
        sh, sw = self.size
        return _from_channels_last_shape(
            (n, None if h is None else h * sh, None if w is None else w * sw, c),
            self.data_format)

    def get_config(self):
        return {**super().get_config(), "size": list(self.size),
                "interpolation": self.interpolation, "data_format": self.data_format}
