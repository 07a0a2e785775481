"""Sequential: a plain stack of layers, each feeding the next.

    model = Sequential([Flatten(input_shape=(28, 28)), Dense(32, activation='sigmoid'),
                        Dense(10, activation='sigmoid')])

With an input shape (``input_shape=`` on the first layer, or an ``Input`` first) the model
is built at once, so ``summary()`` works before training; otherwise on the first batch.
"""
from nncore.layers._symbolic import InputLayer, KerasTensor
from nncore.layers.base import Layer, as_shape
from nncore.models.model import Model

__all__ = ["Sequential"]


class Sequential(Model):
    def __init__(self, layers=None, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._stack = []
        self._build_input_shape = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer):
        """Appends a layer (or an ``Input(shape)``, which sets the input shape)."""
        if isinstance(layer, InputLayer):
            layer = layer.output
        if isinstance(layer, KerasTensor):
            if self._stack:
                raise ValueError("Sequential.add: an Input must come first")
            self._build_input_shape = layer.shape
            self._input_dtype = layer.dtype
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a Layer, got {type(layer).__name__}")
        if any(layer is l for l in self._stack):
            raise ValueError(f"Sequential.add: layer {layer.name!r} is already in the model")
        names = {l.name for l in self._stack}
        if layer.name in names:
            raise ValueError(f"Sequential.add: a layer named {layer.name!r} is already in the "
                             f"model; layer names must be unique")
        if not self._stack and self._build_input_shape is None:
            # A first layer that knows its input: input_shape=..., or a built model.
            known = layer._batch_input_shape
            if known is None and isinstance(layer, Model) and layer.built:
                known = layer.input_shape if not isinstance(layer.input_shape, list) else None
            self._build_input_shape = known
        self._stack.append(layer)
        self._sublayers.append(layer)
        self._output_shape = None
        if self._build_input_shape is not None:
            self.build(self._build_input_shape)

    def pop(self):
        layer = self._stack.pop()
        self._sublayers.remove(layer)
        self._output_shape = None
        return layer

    @property
    def layers(self):
        return list(self._stack)

    def build(self, input_shape=None):
        """Builds every layer from the input shape (batch size included, None allowed)."""
        shape = as_shape(input_shape if input_shape is not None else self._build_input_shape,
                         f"{self.name}.build")
        if shape is None:
            raise ValueError(f"{self.name}.build: give an input shape")
        self._build_input_shape = shape
        self._input_shape = shape
        for layer in self._stack:
            layer._maybe_build(shape)
            shape = layer.compute_output_shape(shape)
            layer._output_shape = shape
        self._output_shape = shape
        self.built = True

    def _maybe_build(self, input_shape):
        if not self.built or self._build_input_shape is None:
            self.build(tuple(None if i == 0 else s for i, s in enumerate(input_shape)))

    def call(self, inputs, training=None):
        expected = self._build_input_shape
        if expected is not None and not isinstance(inputs, (list, tuple)) and (
                inputs.ndim != len(expected) or any(
                    e is not None and e != a for e, a in zip(expected[1:], inputs.shape[1:]))):
            raise ValueError(f"Input to model {self.name!r} has shape {tuple(inputs.shape)}, "
                             f"but the model expects {tuple(expected)} (None = any size)")
        x = inputs
        for layer in self._stack:
            x = layer(x, training=training)
        return x

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._stack:
            shape = layer.compute_output_shape(shape)
        return shape

    def get_config(self):
        from nncore.models.model_io import serialize_layer
        config = {"name": self.name, "trainable": self.trainable,
                  "layers": [serialize_layer(layer) for layer in self._stack]}
        if self._build_input_shape is not None:
            config["build_input_shape"] = list(self._build_input_shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from nncore.models.model_io import deserialize_layer
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for spec in config["layers"]:
            model.add(deserialize_layer(spec, custom_objects))
        if not model.built and config.get("build_input_shape") is not None:
            model.build(tuple(config["build_input_shape"]))
        return model
