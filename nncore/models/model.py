"""Model: a layer that can be trained, summarized and saved.

Three ways to make one, as in Keras:
- subclassing (PyTorch style): define layers in ``__init__`` and the forward pass in
  ``call(inputs, training=None)``; fit() works on it like on any model;
- the functional form: ``Model(inputs, outputs)`` over ``nncore.layers.Input`` tensors,
  for branching and merging graphs;
- ``Sequential``, a stack of layers (sequential.py).
"""
from nncore.layers.base import Layer
from nncore.models.training import TrainingMixin

__all__ = ["Model"]


class Model(TrainingMixin, Layer):
    """``Model(inputs, outputs, name=None)`` or a subclass defining ``call``."""

    # A model passes its inputs on as they are; its layers cast them (Keras's Functional).
    _autocast_inputs = False

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if len(args) > 0 else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        if len(args) > 2:
            raise TypeError("Model() takes at most two positional arguments (inputs, outputs)")
        super().__init__(**kwargs)
        self._graph = None
        self.compiled = False
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError("Model: give both `inputs` and `outputs`")
            from nncore.models.graph import LayerGraph
            self._graph = LayerGraph(inputs, outputs)
            for layer in self._graph.layers:
                self._sublayers.append(layer)
            self.inputs, self.outputs = inputs, outputs
            self.built = True
            shapes = [t.shape for t in self._graph.inputs]
            self._input_shape = shapes[0] if self._graph.single_input else shapes

    def call(self, inputs, training=None):
        if self._graph is None:
            raise NotImplementedError(f"{type(self).__name__}: a subclassed Model must define "
                                      f"call(inputs, training=None)")
        return self._graph.run(inputs, training)

    def build(self, input_shape):
        """Builds the weights by running the model once on zeros of this shape."""
        if self._graph is not None or type(self).build is not Model.build:
            return
        from nncore.layers._symbolic import infer_output_shape
        was_built = self.built
        self.built = True   # so the probe call below does not come back here
        try:
            infer_output_shape(self, input_shape if isinstance(input_shape, list)
                               else tuple(input_shape))
        except Exception:
            self.built = was_built
            raise

    def compute_output_shape(self, input_shape):
        if self._graph is not None:
            shapes = [t.shape for t in self._graph.outputs]
            return shapes[0] if self._graph.single_output else shapes
        return super().compute_output_shape(input_shape)

    # ---------------------------------------------------------------- summary, config

    def summary(self, line_length=None, print_fn=None):
        """Prints each layer with its output shape and parameter count (Keras style)."""
        from nncore.models.summary import format_summary
        text = format_summary(self, line_length)
        (print_fn or print)(text)

    def get_config(self):
        if self._graph is None:
            raise NotImplementedError(
                f"{type(self).__name__} is a subclassed model: override get_config() and "
                f"register the class (nncore.registry.register('layers')) to save it whole, "
                f"or use save_weights()/load_weights()")
        from nncore.models.model_io import serialize_layer
        return {"name": self.name, "trainable": self.trainable,
                **self._graph.get_config(serialize_layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if "layers" not in config or "input_layers" not in config:
            return cls(**config)
        from nncore.models.graph import LayerGraph
        from nncore.models.model_io import deserialize_layer
        inputs, outputs = LayerGraph.from_config(
            config, lambda spec: deserialize_layer(spec, custom_objects))
        return cls(inputs, outputs, name=config.get("name"))

    # ---------------------------------------------------------------- files

    def save(self, filepath, overwrite=True, include_optimizer=True):
        """Writes the architecture, weights and optimizer state to one file, atomically
        (see nncore/saving.py for the format)."""
        from nncore.models.model_io import save_model
        save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True):
        from nncore.models.model_io import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath):
        from nncore.models.model_io import load_weights
        load_weights(self, filepath)
