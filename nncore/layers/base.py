"""The Layer base class: weights, lazy build, training mode, configs.

A layer is built on its first call, from the shape of its input (Keras's lazy build): its
``build(input_shape)`` creates weights with ``add_weight``. ``call(inputs, training=None)``
composes nncore ops, so backpropagation comes from the engine's autograd. Calling a layer
on a symbolic tensor (``nncore.layers.Input``) records a node for the functional API.

Weights are plain ``nncore.Tensor`` objects; a trainable weight of a trainable layer has
``requires_grad=True``. ``get_weights()`` returns NumPy copies in Keras's layouts.
"""
import inspect
import re
import threading

import numpy as np

import nncore
from nncore.layers import _symbolic

# Attribute values that never hold a sublayer.
_LEAF_TYPES = (str, int, float, bool, type(None), np.ndarray, nncore.Tensor)

__all__ = ["Layer"]

_name_counters = {}
# The training mode of the layer calls in progress, per thread (several threads may run
# one model at once), innermost last.
_context = threading.local()


def _training_stack():
    stack = getattr(_context, "training", None)
    if stack is None:
        stack = _context.training = []
    return stack


def unique_name(base):
    """dense, dense_1, dense_2, ... per process, as Keras names layers."""
    count = _name_counters.get(base, 0)
    _name_counters[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def snake_case(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _accepts(fn, argument):
    try:
        return argument in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def as_shape(shape, what):
    """A tuple of ints (None allowed for unknown sizes) from an int or a sequence."""
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    try:
        shape = tuple(None if s is None else int(s) for s in shape)
    except TypeError:
        raise TypeError(f"{what}: expected a shape (a tuple of ints), got {shape!r}") from None
    if any(s is not None and s < 0 for s in shape):
        raise ValueError(f"{what}: negative size in shape {shape}")
    return shape


class Layer:
    """Base class of every layer; subclass it and override ``build`` and ``call``.

    Keyword arguments understood by every layer (Keras's): ``name``, ``trainable``,
    ``dtype`` (float32 by default), ``input_shape`` / ``batch_input_shape`` /
    ``input_dim`` (first layer of a Sequential model)."""

    # Inputs are cast to the layer's dtype, as Keras does; Embedding opts out.
    _autocast_inputs = True

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        input_shape = kwargs.pop("input_shape", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        input_dim = kwargs.pop("input_dim", None)
        kwargs.pop("autocast", None)
        if kwargs:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword argument(s) "
                            f"{sorted(kwargs)}")
        self._sublayers = []            # added explicitly; see _tracked_sublayers
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.dtype = nncore.as_dtype(dtype or "float32")
        self._trainable = bool(trainable)
        self._weight_entries = []      # [name, tensor, trainable] in creation order
        self._losses = []              # add_loss() terms of the latest call
        self.built = False
        self.training = False          # the mode used when call() gets training=None
        self._inbound_nodes = []       # functional-API calls of this layer
        if batch_input_shape is not None:
            self._batch_input_shape = as_shape(batch_input_shape, self.name)
        elif input_shape is not None:
            self._batch_input_shape = (None,) + as_shape(input_shape, self.name)
        elif input_dim is not None:
            self._batch_input_shape = (None, int(input_dim))
        else:
            self._batch_input_shape = None
        self._call_takes_training = _accepts(self.call, "training")
        self._input_shape = None
        self._output_shape = None

    # ---------------------------------------------------------------- tracking

    def _tracked_sublayers(self):
        """Sublayers in attribute order: layers held directly or in lists, tuples and dicts
        (looked up on demand, so layers appended to a list later are found too), after
        those added explicitly (Sequential's stack, a functional graph)."""
        found = list(self._sublayers)
        seen = {id(layer) for layer in found}

        def visit(value, depth):
            if isinstance(value, Layer):
                if value is not self and id(value) not in seen:
                    seen.add(id(value))
                    found.append(value)
            elif depth < 3 and isinstance(value, (list, tuple)):
                for item in value:
                    visit(item, depth + 1)
            elif depth < 3 and isinstance(value, dict):
                for item in value.values():
                    visit(item, depth + 1)
        leaves = _LEAF_TYPES
        for key, value in vars(self).items():
            # Most attributes are settings and weights: skip them without a call (a
            # training step walks every layer's attributes).
            if key[0] != "_" and not isinstance(value, leaves):
                visit(value, 0)
        return found

    @property
    def layers(self):
        return self._tracked_sublayers()

    def _flatten_layers(self):
        """This layer and every layer below it, each once, depth first."""
        seen, out = set(), []

        def visit(layer):
            if id(layer) in seen:
                return
            seen.add(id(layer))
            out.append(layer)
            for sub in layer._tracked_sublayers():
                visit(sub)
        visit(self)
        return out

    # ---------------------------------------------------------------- weights

    def add_weight(self, *args, shape=None, initializer=None, dtype=None, trainable=True,
                   regularizer=None, constraint=None, name=None):
        """Creates, tracks and returns a weight tensor.

        Keras 3's form, ``add_weight(shape, initializer, dtype, trainable, ...,
        name=...)``, and the name-first form ``add_weight("kernel", shape, initializer)``
        both work. The initializer defaults to glorot_uniform."""
        if args and isinstance(args[0], str):
            name, args = args[0], args[1:]
            if len(args) > 2:
                raise TypeError(f"{self.name}.add_weight: after the name, shape and "
                                f"initializer, pass the other arguments by keyword")
        positional = dict(zip(("shape", "initializer", "dtype", "trainable"), args))
        if len(args) > 4:
            raise TypeError(f"{self.name}.add_weight: too many positional arguments")
        shape = positional.get("shape", shape)
        initializer = positional.get("initializer", initializer)
        dtype = positional.get("dtype", dtype)
        trainable = positional.get("trainable", trainable)
        if shape is None:
            raise TypeError(f"{self.name}.add_weight: the weight's shape is required")
        name = name or f"variable_{len(self._weight_entries)}"
        if initializer is None:
            initializer = "glorot_uniform"
        from nncore import initializers
        if constraint is not None:
            raise NotImplementedError(f"{self.name}: weight constraints are not supported")
        shape = as_shape(shape, f"{self.name}.add_weight({name!r})")
        dtype = nncore.as_dtype(dtype or self.dtype)
        value = initializers.get(initializer)(shape, dtype=dtype)
        if not isinstance(value, nncore.Tensor):
            value = nncore.tensor(np.asarray(value), dtype=dtype)
        value = value.detach().contiguous().clone() if value.ndim else value.detach().clone()
        value.requires_grad = bool(trainable and self._trainable)
        entry = [name, value, bool(trainable)]
        if regularizer is not None:
            entry.append(_get_regularizer(regularizer))
        self._weight_entries.append(entry)
        return value

    def _own(self, trainable=None):
        return [e[1] for e in self._weight_entries if trainable is None or e[2] == trainable]

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        for layer in self._flatten_layers():
            layer._trainable = bool(value)
            for _, tensor, weight_trainable, *_ in layer._weight_entries:
                tensor.requires_grad = bool(value and weight_trainable)

    def _collect(self, pick, layers=None):
        """pick(layer)'s tensors over `layers` (default: this layer's tree), each once."""
        seen, out = set(), []
        for layer in self._flatten_layers() if layers is None else layers:
            for tensor in pick(layer):
                if id(tensor) not in seen:
                    seen.add(id(tensor))
                    out.append(tensor)
        return out

    @staticmethod
    def _trainable_of(layer):
        return layer._own(True) if layer._trainable else []

    @property
    def trainable_weights(self):
        return self._collect(Layer._trainable_of)

    @property
    def non_trainable_weights(self):
        return self._collect(lambda l: l._own(False) + ([] if l._trainable else l._own(True)))

    @property
    def weights(self):
        """Own weights (trainable first, as Keras), then each sublayer's."""
        return self._collect(lambda l: l._own(True) + l._own(False))

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def variables(self):
        return self.weights

    def weight_names(self):
        """'layer/weight' names in the order of ``weights``."""
        names, seen = [], set()
        for layer in self._flatten_layers():
            for trainable in (True, False):
                for name, tensor, flag, *_ in layer._weight_entries:
                    if flag == trainable and id(tensor) not in seen:
                        seen.add(id(tensor))
                        names.append(f"{layer.name}/{name}")
        return names

    def count_params(self):
        return int(sum(w.numel() for w in self.weights))

    def get_weights(self):
        """Copies of the weights as NumPy arrays, in Keras's order and layouts."""
        return [np.array(w.numpy(), copy=True) for w in self.weights]

    def set_weights(self, weights):
        """Sets every weight from NumPy arrays (shapes must match ``get_weights()``)."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(f"{self.name}.set_weights: expected {len(own)} arrays "
                             f"({self.weight_names()}), got {len(weights)}")
        for name, target, value in zip(self.weight_names(), own, weights):
            value = np.asarray(value)
            if tuple(value.shape) != tuple(target.shape):
                raise ValueError(f"{self.name}.set_weights: {name} has shape "
                                 f"{tuple(target.shape)}, got an array of shape "
                                 f"{tuple(value.shape)}")
        with nncore.no_grad():
            for target, value in zip(own, weights):
                target.copy_(nncore.tensor(np.ascontiguousarray(value), dtype=target.dtype))

    # ---------------------------------------------------------------- losses

    def add_loss(self, loss):
        """Adds a scalar term to the training loss of the current call (Keras)."""
        self._losses.append(loss)

    @property
    def losses(self):
        """Regularization penalties of every weight plus add_loss() terms of the last call."""
        return self._losses_of(self._flatten_layers())

    @staticmethod
    def _losses_of(layers):
        out = []
        for layer in layers:
            for entry in layer._weight_entries:
                if len(entry) > 3 and layer._trainable and entry[2]:
                    out.append(entry[3](entry[1]))
            out.extend(layer._losses)
        return out

    # ---------------------------------------------------------------- calling

    def build(self, input_shape):
        """Creates the weights for inputs of this (batch-including) shape; override."""
        self.built = True

    def call(self, inputs):
        raise NotImplementedError(f"{type(self).__name__} must implement call()")

    def compute_output_shape(self, input_shape):
        """The output shape for an input shape; the default runs the layer on zeros."""
        return _symbolic.infer_output_shape(self, input_shape)

    def _maybe_build(self, input_shape):
        if not self.built:
            if self._batch_input_shape is not None:
                _check_compatible(self, self._batch_input_shape, input_shape)
            self.build(input_shape)
            self.built = True
            self._input_shape = input_shape

    def __call__(self, inputs, *args, training=None, **kwargs):
        if _symbolic.is_symbolic(inputs):
            if training is not None:
                kwargs["training"] = training   # kept in the graph (e.g. MC dropout)
            return _symbolic.call_symbolic(self, inputs, args, kwargs)
        inputs = self._convert_inputs(inputs)
        self._maybe_build(_shapes_of(inputs))
        self._losses = []
        # The mode: given explicitly, else the enclosing layer's, else this layer's own
        # (train()/eval()). Sublayers called without `training` inherit it, as in Keras.
        stack = _training_stack()
        if training is None:
            training = stack[-1] if stack else self.training
        training = bool(training)
        if self._call_takes_training:
            kwargs["training"] = training
        stack.append(training)
        try:
            return self.call(inputs, *args, **kwargs)
        finally:
            stack.pop()

    def _convert_inputs(self, inputs):
        if isinstance(inputs, (list, tuple)):
            return type(inputs)(self._convert_inputs(x) for x in inputs)
        if not isinstance(inputs, nncore.Tensor):
            inputs = nncore.tensor(np.asarray(inputs))
        # Keras casts every input to the layer's dtype (float64 NumPy data into a float32
        # model, uint8 pixels, ...); Embedding opts out to keep integer ids.
        if self._autocast_inputs and inputs.dtype != self.dtype:
            inputs = inputs.to(self.dtype)
        return inputs

    def train(self, mode=True):
        """PyTorch-style: sets the mode used when call() is given training=None."""
        for layer in self._flatten_layers():
            layer.training = bool(mode)
        return self

    def eval(self):
        return self.train(False)

    # ---------------------------------------------------------------- shapes, config

    @property
    def input_shape(self):
        return self._input_shape if self._input_shape is not None else self._batch_input_shape

    @property
    def output_shape(self):
        if self._output_shape is None and self.input_shape is not None:
            self._output_shape = self.compute_output_shape(self.input_shape)
        return self._output_shape

    def get_config(self):
        """The constructor arguments (JSON-able); subclasses extend it."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype.name}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"


def _shapes_of(inputs):
    if isinstance(inputs, (list, tuple)):
        return [tuple(x.shape) for x in inputs]
    return tuple(inputs.shape)


def _check_compatible(layer, expected, actual):
    if isinstance(actual, list):
        return
    if len(expected) != len(actual) or any(
            e is not None and e != a for e, a in zip(expected, actual)):
        raise ValueError(f"Input to layer {layer.name!r} ({type(layer).__name__}) has shape "
                         f"{tuple(actual)}, but the layer expects {tuple(expected)} "
                         f"(None = any size)")


def serialize_component(identifier):
    """An initializer/regularizer argument as it goes into a config: names and numbers stay
    as they are, objects become {"class_name", "config"}."""
    if identifier is None or isinstance(identifier, (str, int, float, dict)):
        return identifier
    if hasattr(identifier, "get_config"):
        return {"class_name": type(identifier).__name__, "config": identifier.get_config()}
    raise ValueError(f"{identifier!r} cannot be saved in a layer config (give it a "
                     f"get_config method or use a registered name)")


def _get_regularizer(identifier):
    from nncore import registry
    if callable(identifier):
        return identifier
    if isinstance(identifier, str):
        return registry.get("regularizers", identifier)()
    if isinstance(identifier, dict):
        return registry.get("regularizers", identifier["class_name"]).from_config(
            identifier.get("config", {}))
    raise ValueError(f"cannot interpret {identifier!r} as a regularizer")

