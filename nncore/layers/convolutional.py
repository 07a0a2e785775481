"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D.

Keras semantics: channels_last by default (``data_format='channels_first'`` accepted),
kernels in Keras's layouts (Conv2D (kh, kw, in/groups, filters); Conv1D (k, in, filters);
Conv2DTranspose (kh, kw, filters, in); DepthwiseConv2D (kh, kw, in, depth_multiplier)),
padding 'valid' or 'same' (and 'causal' for Conv1D). They call the channels-last kernels
of nncore.functional directly; channels_first inputs are permuted views.
"""
from nncore import functional as F
from nncore.layers.activation import get_activation, serialize_activation
from nncore.layers.base import Layer, serialize_component

__all__ = ["Conv1D", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D",
           "same_padding", "normalize_tuple", "to_channels_last", "from_channels_last"]


def normalize_tuple(value, n, what):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"{what} must be an int or a tuple of {n} ints, got {value}")
    return value


def same_padding(size, kernel, stride, dilation):
    """Keras/TensorFlow 'same': the output has ceil(size / stride) positions; the extra
    padding row (when the total is odd) goes after."""
    effective = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def _padding_mode(value, allowed, layer):
    mode = str(value).lower()
    if mode not in allowed:
        raise ValueError(f"{layer}: padding must be one of {allowed}, got {value!r}")
    return mode


def _set_activation_and_bias(layer, activation, use_bias, bias_initializer, bias_regularizer):
    layer._activation_id = activation
    layer.activation = get_activation(activation)
    layer.use_bias = bool(use_bias)
    layer.bias_initializer, layer.bias_regularizer = bias_initializer, bias_regularizer
    layer.bias = None


def _image_channels(layer, input_shape):
    """The channel count of a 4-d image input (a clear error for anything else)."""
    channels = _channels_last_shape(input_shape, layer.data_format)[-1]
    if channels is None or len(input_shape) != 4:
        raise ValueError(f"{type(layer).__name__} layer {layer.name!r} expects 4-d inputs with "
                         f"a known channel count, got shape {tuple(input_shape)}")
    return channels


def _data_format(value):
    value = value or "channels_last"
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got "
                         f"{value!r}")
    return value


def to_channels_last(x, data_format):
    return x if data_format == "channels_last" else x.permute(0, *range(2, x.ndim), 1)


def from_channels_last(x, data_format):
    return x if data_format == "channels_last" else x.permute(0, x.ndim - 1, *range(1, x.ndim - 1))


def _channels_last_shape(shape, data_format):
    shape = tuple(shape)
    return shape if data_format == "channels_last" else (shape[0],) + shape[2:] + (shape[1],)


def _from_channels_last_shape(shape, data_format):
    return shape if data_format == "channels_last" else (shape[0], shape[-1]) + shape[1:-1]


class _Conv(Layer):
    """Shared by Conv1D and Conv2D: rank 1 runs as a 2-d convolution of height 1."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        if int(filters) <= 0:
            raise ValueError(f"{name}: filters must be a positive integer, got {filters!r}")
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, f"{name}: kernel_size")
        self.strides = normalize_tuple(strides, self.rank, f"{name}: strides")
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, f"{name}: dilation_rate")
        self.padding = _padding_mode(padding, ("valid", "same", "causal") if self.rank == 1
                                     else ("valid", "same"), name)
        self.data_format = _data_format(data_format)
        self.groups = int(groups)
        if self.groups <= 0 or self.filters % self.groups:
            raise ValueError(f"{name}: filters ({self.filters}) must be divisible by groups "
                             f"({self.groups})")
        _set_activation_and_bias(self, activation, use_bias, bias_initializer, bias_regularizer)
        self.kernel_initializer, self.kernel_regularizer = kernel_initializer, kernel_regularizer

    def _channels(self, input_shape):
        shape = _channels_last_shape(input_shape, self.data_format)
        if len(shape) != self.rank + 2:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects inputs with "
                             f"{self.rank + 2} dims (batch, {'length' if self.rank == 1 else 'height, width'}, "
                             f"channels), got shape {tuple(input_shape)}")
        channels = shape[-1]
        if channels is None:
            raise ValueError(f"{type(self).__name__} layer {self.name!r}: the channel dimension "
                             f"of the input must be known, got shape {tuple(input_shape)}")
        return channels

    def build(self, input_shape):
        channels = self._channels(input_shape)
        if channels % self.groups:
            raise ValueError(f"{type(self).__name__} layer {self.name!r}: input channels "
                             f"({channels}) must be divisible by groups ({self.groups})")
        self.kernel = self.add_weight(
            "kernel", self.kernel_size + (channels // self.groups, self.filters),
            initializer=self.kernel_initializer, regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer)

    def _padding2d(self, height, width):
        kh, kw = self._kernel2d
        sh, sw = self._strides2d
        dh, dw = self._dilation2d
        if self.padding == "valid":
            return (0, 0, 0, 0)
        if self.padding == "causal":
            return (0, 0, (kw - 1) * dw, 0)
        return same_padding(height, kh, sh, dh) + same_padding(width, kw, sw, dw)

    @property
    def _kernel2d(self):
        return (1,) + self.kernel_size if self.rank == 1 else self.kernel_size

    @property
    def _strides2d(self):
        return (1,) + self.strides if self.rank == 1 else self.strides

    @property
    def _dilation2d(self):
        return (1,) + self.dilation_rate if self.rank == 1 else self.dilation_rate

    def call(self, inputs):
        self._channels(inputs.shape)
        x = to_channels_last(inputs, self.data_format)
        if self.rank == 1:
            x = x.unsqueeze(1)
        kernel = self.kernel.unsqueeze(0) if self.rank == 1 else self.kernel
        out = F.conv2d_nhwc(x, kernel, self.bias, strides=self._strides2d,
                            padding=self._padding2d(x.shape[1], x.shape[2]),
                            dilation=self._dilation2d, groups=self.groups)
        if self.rank == 1:
            out = out.squeeze(1)
        if self.activation is not None:
            out = self.activation(out)
        return from_channels_last(out, self.data_format)

    def compute_output_shape(self, input_shape):
        shape = _channels_last_shape(input_shape, self.data_format)
        spatial = shape[1:-1]
        out = []
        for i, size in enumerate(spatial):
            k, s, d = self.kernel_size[i], self.strides[i], self.dilation_rate[i]
            if size is None:
                out.append(None)
            elif self.padding in ("same",):
                out.append(-(-size // s))
            elif self.padding == "causal":
                out.append((size - 1) // s + 1)
            else:
                out.append((size - (k - 1) * d - 1) // s + 1)
        return _from_channels_last_shape((shape[0],) + tuple(out) + (self.filters,),
                                         self.data_format)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate), "groups": self.groups,
                "activation": serialize_activation(self._activation_id, self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": serialize_component(self.kernel_initializer),
                "bias_initializer": serialize_component(self.bias_initializer),
                "kernel_regularizer": serialize_component(self.kernel_regularizer),
                "bias_regularizer": serialize_component(self.bias_regularizer)}


class Conv2D(_Conv):
    """2-d convolution over (batch, height, width, channels) inputs."""

    rank = 2


class Conv1D(_Conv):
    """1-d convolution over (batch, steps, channels) inputs; padding may be 'causal'."""

    rank = 1


class Conv2DTranspose(Layer):
    """The transposed convolution ("deconvolution"), kernel (kh, kw, filters, in)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, 2, "Conv2DTranspose: kernel_size")
        self.strides = normalize_tuple(strides, 2, "Conv2DTranspose: strides")
        self.dilation_rate = normalize_tuple(dilation_rate, 2, "Conv2DTranspose: dilation_rate")
        self.output_padding = None if output_padding is None else normalize_tuple(
            output_padding, 2, "Conv2DTranspose: output_padding")
        self.padding = _padding_mode(padding, ("valid", "same"), "Conv2DTranspose")
        self.data_format = _data_format(data_format)
        _set_activation_and_bias(self, activation, use_bias, bias_initializer, bias_regularizer)
        self.kernel_initializer, self.kernel_regularizer = kernel_initializer, kernel_regularizer

    def build(self, input_shape):
        channels = _image_channels(self, input_shape)
        self.kernel = self.add_weight("kernel", self.kernel_size + (self.filters, channels),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer)

    def _geometry(self, axis, size):
        """(pad_before, pad_after, output_padding, output size) along one spatial axis,
        following Keras's output-length rule."""
        k, s, d = self.kernel_size[axis], self.strides[axis], self.dilation_rate[axis]
        effective = (k - 1) * d + 1
        natural = (size - 1) * s + effective      # the transposed conv without padding
        if self.output_padding is None:
            target = size * s + max(effective - s, 0) if self.padding == "valid" else size * s
            total = natural - target
            if total >= 0:
                return total // 2, total - total // 2, 0, target
            return 0, 0, -total, target
        pad = effective // 2 if self.padding == "same" else 0
        extra = self.output_padding[axis]
        return pad, pad, extra, natural - 2 * pad + extra

    def call(self, inputs):
        x = to_channels_last(inputs, self.data_format)
        top, bottom, extra_h, _ = self._geometry(0, x.shape[1])
        left, right, extra_w, _ = self._geometry(1, x.shape[2])
        out = F.conv_transpose2d_nhwc(x, self.kernel, self.bias, strides=self.strides,
                                      padding=(top, bottom, left, right),
                                      output_padding=(extra_h, extra_w),
                                      dilation=self.dilation_rate)
        if self.activation is not None:
            out = self.activation(out)
        return from_channels_last(out, self.data_format)

    def compute_output_shape(self, input_shape):
        shape = _channels_last_shape(input_shape, self.data_format)
        sizes = tuple(None if shape[1 + a] is None else self._geometry(a, shape[1 + a])[3]
                      for a in range(2))
        return _from_channels_last_shape((shape[0],) + sizes + (self.filters,),
                                         self.data_format)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": self.padding, "data_format": self.data_format,
                "output_padding": None if self.output_padding is None else list(
                    self.output_padding),
                "dilation_rate": list(self.dilation_rate),
                "activation": serialize_activation(self._activation_id, self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": serialize_component(self.kernel_initializer),
                "bias_initializer": serialize_component(self.bias_initializer)}


class DepthwiseConv2D(Layer):
    """One (or ``depth_multiplier``) filter per input channel; kernel (kh, kw, in,
    depth_multiplier). Output channel c * depth_multiplier + m comes from input channel c."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.kernel_size = normalize_tuple(kernel_size, 2, "DepthwiseConv2D: kernel_size")
        self.strides = normalize_tuple(strides, 2, "DepthwiseConv2D: strides")
        self.dilation_rate = normalize_tuple(dilation_rate, 2, "DepthwiseConv2D: dilation_rate")
        self.padding = _padding_mode(padding, ("valid", "same"), "DepthwiseConv2D")
        self.depth_multiplier = int(depth_multiplier)
        self.data_format = _data_format(data_format)
        _set_activation_and_bias(self, activation, use_bias, bias_initializer, bias_regularizer)
        self.depthwise_initializer = depthwise_initializer
        self.depthwise_regularizer = depthwise_regularizer

    def build(self, input_shape):
        channels = _image_channels(self, input_shape)
        self.channels = channels
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (channels * self.depth_multiplier,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer)

    def _depthwise(self, x):
        kh, kw = self.kernel_size
        # As a grouped convolution: one group per input channel.
        kernel = self.depthwise_kernel.reshape(kh, kw, 1, self.channels * self.depth_multiplier)
        padding = (0, 0, 0, 0) if self.padding == "valid" else (
            same_padding(x.shape[1], kh, self.strides[0], self.dilation_rate[0])
            + same_padding(x.shape[2], kw, self.strides[1], self.dilation_rate[1]))
        return F.conv2d_nhwc(x, kernel, self.bias, strides=self.strides, padding=padding,
                             dilation=self.dilation_rate, groups=self.channels)

    def call(self, inputs):
        out = self._depthwise(to_channels_last(inputs, self.data_format))
        if self.activation is not None:
            out = self.activation(out)
        return from_channels_last(out, self.data_format)

    def compute_output_shape(self, input_shape):
        shape = _channels_last_shape(input_shape, self.data_format)
        sizes = []
        for a in range(2):
            size, k, s, d = shape[1 + a], self.kernel_size[a], self.strides[a], \
                self.dilation_rate[a]
            sizes.append(None if size is None else (
                -(-size // s) if self.padding == "same" else (size - (k - 1) * d - 1) // s + 1))
        return _from_channels_last_shape(
            (shape[0],) + tuple(sizes) + (shape[-1] * self.depth_multiplier,), self.data_format)

    def get_config(self):
        return {**super().get_config(), "kernel_size": list(self.kernel_size),
                "strides": list(self.strides), "padding": self.padding,
                "depth_multiplier": self.depth_multiplier, "data_format": self.data_format,
                "dilation_rate": list(self.dilation_rate),
                "activation": serialize_activation(self._activation_id, self.activation),
                "use_bias": self.use_bias,
                "depthwise_initializer": serialize_component(self.depthwise_initializer),
                "bias_initializer": serialize_component(self.bias_initializer)}


class SeparableConv2D(DepthwiseConv2D):
    """A depthwise convolution followed by a 1x1 pointwise one; weights (Keras's order):
    depthwise_kernel (kh, kw, in, depth_multiplier), pointwise_kernel (1, 1, in *
    depth_multiplier, filters), bias (filters,)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), depth_multiplier=1, activation=None,
                 use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding,
                         depth_multiplier=depth_multiplier, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, **kwargs)
        self.filters = int(filters)
        self.pointwise_initializer = pointwise_initializer

    def build(self, input_shape):
        use_bias, self.use_bias = self.use_bias, False   # the bias follows the pointwise step
        super().build(input_shape)
        self.use_bias = use_bias
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", (1, 1, self.channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,),
                                        initializer=self.bias_initializer)

    def call(self, inputs):
        x = to_channels_last(inputs, self.data_format)
        bias, self.bias = self.bias, None
        try:
            depthwise = self._depthwise(x)
        finally:
            self.bias = bias
        out = F.conv2d_nhwc(depthwise, self.pointwise_kernel, self.bias)
        if self.activation is not None:
            out = self.activation(out)
        return from_channels_last(out, self.data_format)

    def compute_output_shape(self, input_shape):
        shape = list(_channels_last_shape(super().compute_output_shape(
            input_shape), self.data_format))
        shape[-1] = self.filters
        return _from_channels_last_shape(tuple(shape), self.data_format)

    def get_config(self):
        config = super().get_config()
        config.pop("depthwise_initializer", None)
        return {**config, "filters": self.filters,
                "depthwise_initializer": serialize_component(self.depthwise_initializer),
                "pointwise_initializer": serialize_component(self.pointwise_initializer)}

