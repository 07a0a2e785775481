"""The ResidualDense layer, composed from nncore ops so autograd differentiates it."""
from nncore.layers import Layer
from nncore.layers.activation import get_activation, serialize_activation

__all__ = ["ResidualDense"]


def _serialize_initializer(identifier):
    # A config must be JSON: names stay names, initializer objects become the
    # {"class_name", "config"} form that nncore.initializers.get reads back.
    if isinstance(identifier, str):
        return identifier
    if hasattr(identifier, "get_config"):
        return {"class_name": type(identifier).__name__, "config": identifier.get_config()}
    raise ValueError(f"ResidualDense: cannot save the initializer {identifier!r} in a config; "
                     f"give a name or an nncore.initializers object")


class ResidualDense(Layer):
    """``activation(x @ kernel + bias) + shortcut(x)``: a Dense layer with a skip
    connection, the building block of residual MLPs.

    The shortcut is x itself when x already has ``units`` features, and otherwise a learned
    projection ``x @ projection`` (no bias of its own: ``bias`` already shifts the sum).
    Like Dense, inputs with more than two dims are transformed along the last one.

    The default activation is gelu, common in residual MLPs; unlike relu it is smooth, so
    the gradient has no jump where the pre-activation crosses 0.
    """

    def __init__(self, units, activation="gelu", use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 projection_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        if int(units) <= 0:
            raise ValueError(f"ResidualDense: units must be a positive integer, got {units!r}")
        self.units = int(units)
        self._activation_id = activation
        self.activation = get_activation(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.projection_initializer = projection_initializer
        self.bias = self.projection = None

    def build(self, input_shape):
        features = input_shape[-1]
        if features is None:
            raise ValueError(f"ResidualDense layer {self.name!r}: the last dimension of its "
                             f"input must be known, got shape {tuple(input_shape)}")
        self.kernel = self.add_weight("kernel", (features, self.units),
                                      initializer=self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), initializer=self.bias_initializer)
        # Which shortcut depends on the input, so it is decided here rather than in __init__.
        if features != self.units:
            self.projection = self.add_weight("projection", (features, self.units),
                                              initializer=self.projection_initializer)

    def call(self, inputs):
        features = self.kernel.shape[0]
        if inputs.ndim < 1 or inputs.shape[-1] != features:
            raise ValueError(f"ResidualDense layer {self.name!r} expects inputs with "
                             f"{features} features, got shape {tuple(inputs.shape)}")
        z = inputs @ self.kernel
        if self.bias is not None:
            z = z + self.bias
        if self.activation is not None:
            z = self.activation(z)
        shortcut = inputs if self.projection is None else inputs @ self.projection
        return z + shortcut

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": serialize_activation(self._activation_id, self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": _serialize_initializer(self.kernel_initializer),
                "bias_initializer": _serialize_initializer(self.bias_initializer),
                "projection_initializer": _serialize_initializer(self.projection_initializer)}
