"""Activation layers and the activation lookup every layer uses.

``get_activation('relu')`` goes through the registry (group ``activations``), so an
activation shipped by a plugin works in ``Dense(..., activation='its_name')`` like a
built-in one. The ``Activation`` layer applies one; ``PReLU`` learns its slope.
"""
import nncore
from nncore import functional as F
from nncore.layers.base import Layer, serialize_component

__all__ = ["get_activation", "serialize_activation", "Activation", "ReLU", "LeakyReLU", "ELU",
           "Softmax", "PReLU"]


def get_activation(identifier):
    """None/'linear' -> None (the identity, no op), a name -> the registered function,
    a callable -> itself."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier.lower() in ("linear", "identity", ""):
            return None
        from nncore import registry
        return registry.get("activations", identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"cannot interpret {identifier!r} as an activation (give a name like "
                     f"'relu' or a callable)")


def serialize_activation(identifier, fn):
    """The JSON form of an activation: its registry name (or 'linear')."""
    if fn is None:
        return "linear"
    if isinstance(identifier, str):
        return identifier
    name = getattr(fn, "__name__", None)
    from nncore import registry
    if name and name in registry.list("activations"):
        return name
    raise ValueError(f"the activation {fn!r} has no registered name, so it cannot be saved; "
                     f"register it with nncore.registry.register('activations', name)")


class Activation(Layer):
    """Applies an activation function: ``Activation('relu')``."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self._activation_id = activation
        self.activation = get_activation(activation)

    def call(self, inputs):
        return inputs if self.activation is None else self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(),
                "activation": serialize_activation(self._activation_id, self.activation)}


class ReLU(Layer):
    """max(x, 0), optionally capped (``max_value``) and leaky below ``threshold``."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, inputs):
        if self.threshold == 0.0 and self.negative_slope == 0.0:
            out = F.relu6(inputs) if self.max_value == 6 else F.relu(inputs)
            if self.max_value is not None and self.max_value != 6:
                out = nncore.clip(out, max=float(self.max_value))
            return out
        shifted = inputs - self.threshold
        out = nncore.where(inputs >= self.threshold, inputs, shifted * self.negative_slope)
        if self.max_value is not None:
            out = nncore.clip(out, max=float(self.max_value))
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(Layer):
    def __init__(self, negative_slope=0.3, **kwargs):
        super().__init__(**kwargs)
        self.negative_slope = float(negative_slope)

    def call(self, inputs):
        return F.leaky_relu(inputs, self.negative_slope)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(Layer):
    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        return F.elu(inputs, self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def call(self, inputs):
        return F.softmax(inputs, self.axis)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class PReLU(Layer):
    """max(x, 0) + alpha * min(x, 0) with a learned slope ``alpha`` (Keras's PReLU).

    ``alpha`` has the input's shape without the batch dim; ``shared_axes`` lists (1-based,
    batch excluded) axes along which one slope is shared, e.g. ``shared_axes=[1, 2]`` for
    one slope per channel of an image."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = alpha_initializer
        self.alpha_regularizer = alpha_regularizer
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        self.shared_axes = None if shared_axes is None else [int(a) for a in shared_axes]

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis <= len(shape):
                raise ValueError(f"{self.name}: shared axis {axis} is out of range for inputs "
                                 f"of shape {tuple(input_shape)}")
            shape[axis - 1] = 1
        if any(s is None for s in shape):
            raise ValueError(f"{self.name}: PReLU needs known sizes for every non-shared axis, "
                             f"got input shape {tuple(input_shape)}")
        self.alpha = self.add_weight("alpha", shape, initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer)

    def call(self, inputs):
        # Keras's alpha broadcasts over the trailing dims (torch's prelu weight is per
        # channel on dim 1), so compose it from two fused kernels instead.
        return F.relu(inputs) + self.alpha * nncore.minimum(inputs, 0.0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "shared_axes": self.shared_axes,
                "alpha_initializer": serialize_component(self.alpha_initializer),
                "alpha_regularizer": serialize_component(self.alpha_regularizer)}
