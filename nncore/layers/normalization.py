"""BatchNormalization and LayerNormalization, composed from differentiable ops."""
import nncore
from nncore.layers.base import Layer, serialize_component

__all__ = ["BatchNormalization", "LayerNormalization"]


def _axes(layer, axis, ndim):
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{type(layer).__name__} layer {layer.name!r}: axis {a} is out of "
                             f"range for inputs with {ndim} dims")
        out.append(a % ndim)
    return sorted(out)


class BatchNormalization(Layer):
    """Normalizes each feature (``axis``, the last by default) with the batch's mean and
    variance while training, and with moving averages at inference (Keras semantics:
    moving = moving * momentum + batch * (1 - momentum), biased batch variance, epsilon
    1e-3). Weights in Keras's order: gamma, beta, moving_mean, moving_variance."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else [int(a) for a in axis]
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self._initializers = (beta_initializer, gamma_initializer, moving_mean_initializer,
                              moving_variance_initializer)
        self._regularizers = (beta_regularizer, gamma_regularizer)
        self.gamma = self.beta = None

    def build(self, input_shape):
        ndim = len(input_shape)
        self._feature_axes = _axes(self, self.axis, ndim)
        if any(input_shape[a] is None for a in self._feature_axes):
            raise ValueError(f"BatchNormalization layer {self.name!r}: the normalized axis of "
                             f"input shape {tuple(input_shape)} must be known")
        # Parameters broadcast against the input: size 1 on every reduced axis.
        self._param_shape = tuple(input_shape[a] if a in self._feature_axes else 1
                                  for a in range(ndim))
        shape = tuple(input_shape[a] for a in self._feature_axes)
        beta_init, gamma_init, mean_init, var_init = self._initializers
        if self.scale:
            self.gamma = self.add_weight("gamma", shape, initializer=gamma_init,
                                         regularizer=self._regularizers[1])
        if self.center:
            self.beta = self.add_weight("beta", shape, initializer=beta_init,
                                        regularizer=self._regularizers[0])
        self.moving_mean = self.add_weight("moving_mean", shape, initializer=mean_init,
                                            trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape, initializer=var_init,
                                               trainable=False)

    def _shaped(self, t):
        return t.reshape(*self._param_shape)

    def call(self, inputs, training=None):
        reduce_axes = tuple(a for a in range(inputs.ndim) if a not in self._feature_axes)
        # A frozen BatchNormalization runs in inference mode, as in Keras (fine-tuning).
        if training and self.trainable:
            mean = inputs.mean(dim=reduce_axes, keepdim=True)
            centered = inputs - mean
            variance = (centered * centered).mean(dim=reduce_axes, keepdim=True)
            with nncore.no_grad():
                m = self.momentum
                self.moving_mean.copy_(self.moving_mean * m
                                       + mean.detach().reshape(self.moving_mean.shape) * (1 - m))
                self.moving_variance.copy_(
                    self.moving_variance * m
                    + variance.detach().reshape(self.moving_variance.shape) * (1 - m))
        else:
            mean = self._shaped(self.moving_mean)
            centered = inputs - mean
            variance = self._shaped(self.moving_variance)
        out = centered * nncore.sqrt(variance + self.epsilon) ** -1.0
        if self.gamma is not None:
            out = out * self._shaped(self.gamma)
        if self.beta is not None:
            out = out + self._shaped(self.beta)
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        names = ("beta_initializer", "gamma_initializer", "moving_mean_initializer",
                 "moving_variance_initializer", "beta_regularizer", "gamma_regularizer")
        values = self._initializers + self._regularizers
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                **{n: serialize_component(v) for n, v in zip(names, values)}}


class LayerNormalization(Layer):
    """Normalizes each sample over ``axis`` (the last by default) and applies a learned
    gamma and beta (Keras semantics, epsilon 1e-3)."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else [int(a) for a in axis]
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.gamma = self.beta = None

    def build(self, input_shape):
        ndim = len(input_shape)
        self._norm_axes = tuple(_axes(self, self.axis, ndim))
        if any(input_shape[a] is None for a in self._norm_axes):
            raise ValueError(f"LayerNormalization layer {self.name!r}: the normalized axes of "
                             f"input shape {tuple(input_shape)} must be known")
        self._param_shape = tuple(input_shape[a] if a in self._norm_axes else 1
                                  for a in range(ndim))
        shape = tuple(input_shape[a] for a in self._norm_axes)
        if self.scale:
            self.gamma = self.add_weight("gamma", shape, initializer=self.gamma_initializer)
        if self.center:
            self.beta = self.add_weight("beta", shape, initializer=self.beta_initializer)

    def call(self, inputs):
        mean = inputs.mean(dim=self._norm_axes, keepdim=True)
        centered = inputs - mean
        variance = (centered * centered).mean(dim=self._norm_axes, keepdim=True)
        out = centered * nncore.sqrt(variance + self.epsilon) ** -1.0
        if self.gamma is not None:
            out = out * self.gamma.reshape(*self._param_shape)
        if self.beta is not None:
            out = out + self.beta.reshape(*self._param_shape)
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": serialize_component(self.beta_initializer),
                "gamma_initializer": serialize_component(self.gamma_initializer)}
