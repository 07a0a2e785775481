"""Symbolic tensors for the functional API: ``Input(shape)`` and layers called on it.

A ``KerasTensor`` has a shape (None for sizes unknown until data arrives, the batch first)
and remembers the call that produced it. ``nncore.Model(inputs, outputs)`` walks those
records back from the outputs to find the graph of layer calls it will replay on data.
"""
import nncore

__all__ = ["KerasTensor", "Node", "Input", "InputLayer", "is_symbolic"]


class KerasTensor:
    """A placeholder: the shape and dtype of data that will flow through a layer graph."""

    def __init__(self, shape, dtype, node=None, index=0, name=None):
        self.shape = tuple(shape)
        self.dtype = nncore.as_dtype(dtype)
        self.node = node        # the Node that produced it (an Input's node for inputs)
        self.index = index      # which of the node's outputs it is
        self.name = name

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype.name}, name={self.name}>"


class Node:
    """One call of a layer in a functional graph."""

    def __init__(self, layer, inputs, outputs, kwargs):
        self.layer = layer
        self.inputs = inputs            # a KerasTensor or a list of them, as given
        self.outputs = outputs          # list of KerasTensor
        self.kwargs = kwargs
        layer._inbound_nodes.append(self)

    @property
    def input_tensors(self):
        return list(self.inputs) if isinstance(self.inputs, (list, tuple)) else [self.inputs]


def is_symbolic(inputs):
    if isinstance(inputs, KerasTensor):
        return True
    if isinstance(inputs, (list, tuple)) and inputs:
        kinds = [isinstance(x, KerasTensor) for x in inputs]
        if any(kinds) and not all(kinds):
            raise TypeError("a layer cannot mix symbolic (Input) and concrete tensors in one "
                            "call")
        return all(kinds)
    return False


def _shape_of(inputs):
    if isinstance(inputs, (list, tuple)):
        return [x.shape for x in inputs]
    return inputs.shape


def call_symbolic(layer, inputs, args, kwargs):
    """Builds the layer from the symbolic shapes and records the call as a Node."""
    if args:
        raise TypeError(f"{layer.name}: extra positional arguments are not supported on "
                        f"symbolic inputs")
    input_shape = _shape_of(inputs)
    layer._maybe_build(input_shape)
    out_shape = layer.compute_output_shape(input_shape)
    dtype = layer.dtype
    shapes = out_shape if isinstance(out_shape, list) else [out_shape]
    outputs = [KerasTensor(s, dtype, name=f"{layer.name}/out{i}" if len(shapes) > 1
                           else layer.name) for i, s in enumerate(shapes)]
    node = Node(layer, inputs, outputs, dict(kwargs))
    for i, out in enumerate(outputs):
        out.node, out.index = node, i
    layer._output_shape = out_shape
    return outputs if isinstance(out_shape, list) else outputs[0]


def _dummy(shape, dtype, fill):
    concrete = tuple(fill if s is None else s for s in shape)
    return nncore.zeros(*concrete, dtype=dtype)


def infer_output_shape(layer, input_shape):
    """Runs the layer on zeros twice, with unknown sizes set to 2 and then to 3: output
    sizes that follow them are unknown (None) too. No graph is recorded."""
    def run(fill):
        if isinstance(input_shape, list):
            x = [_dummy(s, _input_dtype(layer), fill) for s in input_shape]
        else:
            x = _dummy(input_shape, _input_dtype(layer), fill)
        with nncore.no_grad():
            y = layer(x, training=False) if layer._call_takes_training else layer(x)
        return [tuple(t.shape) for t in y] if isinstance(y, (list, tuple)) else tuple(y.shape)

    def merge(a, b):
        return tuple(p if p == q else None for p, q in zip(a, b))

    first, second = run(2), run(3)
    if isinstance(first, list):
        return [merge(a, b) for a, b in zip(first, second)]
    return merge(first, second)


def _input_dtype(layer):
    return nncore.int64 if getattr(layer, "_integer_inputs", False) else layer.dtype


class InputLayer:
    """The layer behind ``Input``: it only declares a shape and dtype. Keras's
    constructor: ``InputLayer(shape=None, batch_size=None, dtype=None, batch_shape=None,
    name=None)`` (``input_shape=`` is accepted as an alias of ``shape``)."""

    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None,
                 input_shape=None, **kwargs):
        from nncore.layers.base import as_shape, unique_name
        kwargs.pop("sparse", None)
        if kwargs:
            raise TypeError(f"InputLayer() got unexpected keyword argument(s) {sorted(kwargs)}")
        shape = shape if shape is not None else input_shape
        if batch_shape is None:
            if shape is None:
                raise ValueError("InputLayer: give `shape` (without the batch size) or "
                                 "`batch_shape`")
            batch_shape = (batch_size,) + as_shape(shape, "InputLayer")
        self.batch_shape = as_shape(batch_shape, "InputLayer")
        self.dtype = nncore.as_dtype(dtype or "float32")
        self.name = name or unique_name("input_layer")
        self._inbound_nodes = []
        self.output = KerasTensor(self.batch_shape, self.dtype, name=self.name)
        self.output.node = Node(self, [], [self.output], {})

    def get_config(self):
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype.name,
                "name": self.name}


def Input(shape=None, batch_size=None, name=None, dtype="float32", batch_shape=None):
    """A symbolic input for the functional API (Keras's ``keras.Input``); ``shape``
    excludes the batch dimension."""
    if batch_shape is None and shape is None:
        raise ValueError("Input: give `shape` (without the batch size) or `batch_shape`")
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype,
                      batch_shape=batch_shape, name=name).output

