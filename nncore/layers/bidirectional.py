"""Bidirectional: runs a recurrent layer forwards and a copy of it backwards over the same
sequence and merges the two outputs (Keras's wrapper).

    Bidirectional(LSTM(64, return_sequences=True), merge_mode="concat")

The backward copy has go_backwards flipped; with return_sequences its output sequence is
reversed again so both halves line up in time. merge_mode: 'concat' (default, along the
features), 'sum', 'mul', 'ave', or None (a list of the two outputs). Weights: the forward
layer's, then the backward layer's.
"""
import nncore
from nncore.layers.base import Layer
from nncore.layers.masking import attached_mask
from nncore.layers.recurrent import _RNN

__all__ = ["Bidirectional"]

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _clone(layer, name, go_backwards, dtype):
    config = layer.get_config()
    config.pop("batch_input_shape", None)
    config.update(name=name, go_backwards=go_backwards, dtype=dtype)
    return type(layer).from_config(config)


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Layer):
    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, _RNN):
            raise ValueError(f"Bidirectional: expected a recurrent layer (SimpleRNN, LSTM, GRU), "
                             f"got {layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {_MERGE_MODES}, got "
                             f"{merge_mode!r}")
        if layer.built:
            raise ValueError(f"Bidirectional: the wrapped layer {layer.name!r} must not be "
                             f"built yet (it is copied for each direction)")
        if "batch_input_shape" not in kwargs and "input_shape" not in kwargs and (
                layer._batch_input_shape is not None):
            kwargs["batch_input_shape"] = layer._batch_input_shape
        # Both directions compute in the wrapper's dtype (the wrapped layer's by default).
        kwargs.setdefault("dtype", layer.dtype.name)
        super().__init__(**kwargs)
        base = _strip(layer.name, "forward_")
        dtype = self.dtype.name
        self.forward_layer = _clone(layer, "forward_" + base, layer.go_backwards, dtype)
        if backward_layer is None:
            self.backward_layer = _clone(layer, "backward_" + base, not layer.go_backwards,
                                         dtype)
        else:
            if not isinstance(backward_layer, _RNN):
                raise ValueError(f"Bidirectional: backward_layer must be a recurrent layer, "
                                 f"got {backward_layer!r}")
            if backward_layer.go_backwards == layer.go_backwards:
                raise ValueError("Bidirectional: backward_layer must have the opposite "
                                 "go_backwards of the forward layer")
            for attr in ("return_sequences", "return_state"):
                if getattr(backward_layer, attr) != getattr(layer, attr):
                    raise ValueError(f"Bidirectional: the forward and backward layers must "
                                     f"have the same {attr}")
            self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        if weights is not None:
            self._initial_weights = list(weights)

    def build(self, input_shape):
        self.forward_layer._maybe_build(input_shape)
        self.backward_layer._maybe_build(input_shape)
        self.built = True
        initial = getattr(self, "_initial_weights", None)
        if initial is not None:
            self.set_weights(initial)
            self._initial_weights = None

    def _merge(self, a, b):
        if self.merge_mode == "concat":
            return nncore.cat([a, b], dim=-1)
        if self.merge_mode == "sum":
            return a + b
        if self.merge_mode == "mul":
            return a * b
        if self.merge_mode == "ave":
            return (a + b) * 0.5
        return [a, b]

    def call(self, inputs, initial_state=None, mask=None, training=None):
        if mask is None:
            mask = attached_mask(inputs)
        forward_state = backward_state = None
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [
                initial_state]
            if len(states) % 2:
                raise ValueError(f"Bidirectional layer {self.name!r}: initial_state must hold "
                                 f"the forward layer's states then the backward layer's, got "
                                 f"{len(states)} tensors")
            half = len(states) // 2
            forward_state, backward_state = states[:half], states[half:]
        y_f = self.forward_layer(inputs, initial_state=forward_state, mask=mask,
                                 training=training)
        y_b = self.backward_layer(inputs, initial_state=backward_state, mask=mask,
                                  training=training)
        states = []
        if self.return_state:
            states = list(y_f[1:]) + list(y_b[1:])
            y_f, y_b = y_f[0], y_b[0]
        if self.return_sequences:
            y_b = y_b[:, ::-1]
        merged = self._merge(y_f, y_b)
        if not self.return_state:
            return merged
        return (merged if isinstance(merged, list) else [merged]) + states

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
            states = states + states
        if self.merge_mode == "concat":
            out = [tuple(shape[:-1]) + (None if shape[-1] is None else 2 * shape[-1],)]
        elif self.merge_mode is None:
            out = [tuple(shape), tuple(shape)]
        else:
            out = [tuple(shape)]
        out += states
        return out if len(out) > 1 else out[0]

    def get_config(self):
        from nncore.models.model_io import serialize_layer
        return {**super().get_config(), "layer": serialize_layer(self.forward_layer),
                "merge_mode": self.merge_mode,
                "backward_layer": serialize_layer(self.backward_layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from nncore.models.model_io import deserialize_layer
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            backward = deserialize_layer(backward, custom_objects)
        return cls(layer, backward_layer=backward, **config)
