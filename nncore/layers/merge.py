"""Layers that join several inputs: Add, Subtract, Multiply, Average, Concatenate."""
from nncore._joining import cat
from nncore.layers.base import Layer

__all__ = ["Add", "Subtract", "Multiply", "Average", "Concatenate"]


def _broadcast_shape(layer, shapes):
    rank = max(len(s) for s in shapes)
    out = []
    for sizes in zip(*[(1,) * (rank - len(s)) + tuple(s) for s in shapes]):
        known = {s for s in sizes if s not in (None, 1)}
        if len(known) > 1:
            raise ValueError(f"{type(layer).__name__} layer {layer.name!r}: inputs of shapes "
                             f"{[tuple(s) for s in shapes]} cannot be combined")
        out.append(known.pop() if known else (None if None in sizes else 1))
    return tuple(out)


class _Merge(Layer):
    _min_inputs = 2

    def _check(self, inputs):
        # A single tensor's shape is a tuple of ints; a list of inputs gives a list.
        if not isinstance(inputs, list) or len(inputs) < self._min_inputs:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} must be called on a "
                             f"list of at least {self._min_inputs} tensors")

    def build(self, input_shape):
        self._check(input_shape)
        _broadcast_shape(self, input_shape)

    def call(self, inputs):
        self._check(list(inputs) if isinstance(inputs, tuple) else inputs)
        _broadcast_shape(self, [t.shape for t in inputs])
        return self._merge(list(inputs))

    def compute_output_shape(self, input_shape):
        return _broadcast_shape(self, input_shape)


class Add(_Merge):
    """The elementwise sum of its inputs (a residual connection)."""

    def _merge(self, inputs):
        out = inputs[0]
        for t in inputs[1:]:
            out = out + t
        return out


class Subtract(_Merge):
    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(f"Subtract layer {self.name!r} takes exactly 2 inputs")
        super().build(input_shape)

    def _merge(self, inputs):
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    def _merge(self, inputs):
        out = inputs[0]
        for t in inputs[1:]:
            out = out * t
        return out


class Average(Add):
    def _merge(self, inputs):
        return super()._merge(inputs) * (1.0 / len(inputs))


class Concatenate(Layer):
    """Joins its inputs along ``axis`` (the last by default)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def _joined_shape(self, shapes):
        if not isinstance(shapes, list) or len(shapes) < 1:
            raise ValueError(f"Concatenate layer {self.name!r} must be called on a list of "
                             f"tensors")
        rank = len(shapes[0])
        axis = self.axis % rank
        out = list(shapes[0])
        for shape in shapes[1:]:
            if len(shape) != rank or any(
                    d != axis and a is not None and b is not None and a != b
                    for d, (a, b) in enumerate(zip(shape, shapes[0]))):
                raise ValueError(f"Concatenate layer {self.name!r}: inputs of shapes "
                                 f"{[tuple(s) for s in shapes]} differ outside axis "
                                 f"{self.axis}")
            out[axis] = None if out[axis] is None or shape[axis] is None else (
                out[axis] + shape[axis])
        return tuple(out)

    def build(self, input_shape):
        self._joined_shape(input_shape)

    def call(self, inputs):
        self._joined_shape([tuple(t.shape) for t in inputs])
        return cat(list(inputs), self.axis)

    def compute_output_shape(self, input_shape):
        return self._joined_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
