"""Recurrent layers with Keras's names, arguments and weight layouts: SimpleRNN, LSTM, GRU
and their one-step cells SimpleRNNCell, LSTMCell, GRUCell.

    model = Sequential([LSTM(128, input_shape=(28, 28)), Dense(10)])

A layer runs the whole sequence as one C++ op (nncore.functional.lstm / gru / rnn):
forward and backpropagation through time never return to Python per time step. Inputs are
(batch, time, features). The weights live in the layer's ``cell`` (Keras's structure) and
``get_weights()`` returns Keras's arrays: kernel (features, k * units), recurrent_kernel
(units, k * units), bias (k * units,) or, for GRU with reset_after, (2, 3 * units).

``call(inputs, initial_state=None, mask=None, training=None)``: ``mask`` (batch, time) marks
the real steps of padded sequences (a ``Masking`` layer right before provides it too);
``dropout`` drops input features and ``recurrent_dropout`` units of h, with one mask per
sequence, as Keras does.
"""
import numpy as np

import nncore
from nncore._rnn_functional import _as_mask
from nncore._core import _rnn
from nncore.initializers import Initializer, get as get_initializer
from nncore.layers.base import Layer, serialize_component as _serializable
from nncore.layers.masking import attached_mask

__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell", "SimpleRNN", "LSTM", "GRU"]

_KERNEL_ACTIVATIONS = ("linear", "sigmoid", "hard_sigmoid", "tanh", "relu")
_ALIASES = {"hardsigmoid": "hard_sigmoid", "identity": "linear", "": "linear"}


def _activation_name(owner, what, identifier):
    """The recurrent kernels' name for an activation given as None, a name or one of
    nncore.functional's functions; anything else is not implemented."""
    if identifier is None:
        return "linear"
    name = identifier if isinstance(identifier, str) else getattr(identifier, "__name__", None)
    key = _ALIASES.get(str(name).lower(), str(name).lower()) if name is not None else None
    if key in _KERNEL_ACTIVATIONS:
        return key
    raise NotImplementedError(
        f"{owner}: {what} {identifier!r} is not supported by the recurrent kernels; use one "
        f"of {', '.join(_KERNEL_ACTIVATIONS)}")


class _UnitForgetBias(Initializer):
    """Keras's unit_forget_bias: the forget gate's bias starts at one, the rest from the
    bias initializer."""

    def __init__(self, base, units):
        self.base, self.units = get_initializer(base), units

    def __call__(self, shape, dtype=nncore.float32):
        u = self.units
        parts = [self.base((u,), dtype=dtype), nncore.ones(u, dtype=dtype),
                 self.base((2 * u,), dtype=dtype)]
        return nncore.tensor(np.concatenate([np.asarray(p.numpy()) for p in parts]),
                             dtype=dtype)


def _rate(owner, name, value):
    value = float(value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{owner}: {name} must be in [0, 1), got {value!r}")
    return value


# ---------------------------------------------------------------- cells

class _Cell(Layer):
    """What the three cells share: weights, dropout masks, the op that runs them."""

    _op = "simple_rnn"
    _gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} {self.name!r}"
        if int(units) <= 0:
            raise ValueError(f"{owner}: units must be a positive integer, got {units!r}")
        if any(c is not None for c in (kernel_constraint, recurrent_constraint,
                                       bias_constraint)):
            raise NotImplementedError(f"{owner}: weight constraints are not supported")
        self.units = int(units)
        self.activation = activation
        self.recurrent_activation = recurrent_activation
        self._act = _activation_name(owner, "activation", activation)
        self._rec_act = _activation_name(owner, "recurrent_activation", recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.recurrent_regularizer = recurrent_regularizer
        self.bias_regularizer = bias_regularizer
        self.dropout = _rate(owner, "dropout", dropout)
        self.recurrent_dropout = _rate(owner, "recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self._generator = None if seed is None else np.random.default_rng(seed)
        self.bias = None

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        features = input_shape[-1]
        if features is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the feature dimension of "
                             f"its input must be known, got shape {tuple(input_shape)}")
        width = self._gates * self.units
        self.kernel = self.add_weight("kernel", (features, width),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (self.units, width),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer)
        if self.use_bias:
            self.bias = self.add_weight("bias", self._bias_shape(),
                                        initializer=self._bias_initializer(),
                                        regularizer=self.bias_regularizer)
        self.built = True

    # One mask per sequence, kept entries scaled by 1 / (1 - rate), as Keras draws them.
    def _dropout_mask(self, batch, width, rate):
        if self._generator is None:
            uniform = nncore.rand(batch, width, dtype=self.dtype)
        else:
            uniform = nncore.tensor(self._generator.random((batch, width)), dtype=self.dtype)
        return (uniform >= rate).to(self.dtype) * (1.0 / (1.0 - rate))

    def _run(self, x, states, mask, training, go_backwards, sequences=True):
        """The op over a (batch, time, features) sequence: (output, h_n[, c_n]); output is
        None when `sequences` is false (only the final states are needed)."""
        batch = x.shape[0]
        if training and self.dropout > 0.0:
            x = x * self._dropout_mask(batch, x.shape[-1], self.dropout).unsqueeze(1)
        rec_mask = None
        if training and self.recurrent_dropout > 0.0:
            rec_mask = self._dropout_mask(batch, self.units, self.recurrent_dropout)
        h0 = states[0] if states else None
        c0 = states[1] if states and self._op == "lstm" else None
        return _rnn(self._op, x, h0, c0, self.kernel, self.recurrent_kernel, self.bias, mask,
                    rec_mask, self._act, self._rec_act, go_backwards,
                    getattr(self, "reset_after", True), sequences)

    def call(self, inputs, states=None, training=None):
        """One step: inputs (batch, features), states a tensor or a list of them (batch,
        units); returns (output, new_states) with new_states a list."""
        if inputs.ndim != 2 or inputs.shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"{type(self).__name__} {self.name!r} expects inputs of shape "
                             f"(batch, {self.kernel.shape[0]}), got shape "
                             f"{tuple(inputs.shape)}")
        states = _check_states(self, states, inputs.shape[0])
        outs = self._run(inputs.unsqueeze(1), states, None, training, False, sequences=False)
        return outs[1], list(outs[1:])

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, list) else [self.state_size]
        return [nncore.zeros(batch_size, s, dtype=self.dtype) for s in sizes]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        config = {**super().get_config(), "units": self.units,
                  "activation": _activation_name(self.name, "activation", self.activation),
                  "use_bias": self.use_bias,
                  "kernel_initializer": _serializable(self.kernel_initializer),
                  "recurrent_initializer": _serializable(self.recurrent_initializer),
                  "bias_initializer": _serializable(self.bias_initializer),
                  "kernel_regularizer": _serializable(self.kernel_regularizer),
                  "recurrent_regularizer": _serializable(self.recurrent_regularizer),
                  "bias_regularizer": _serializable(self.bias_regularizer),
                  "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                  "seed": self.seed}
        if self._op != "simple_rnn":
            config["recurrent_activation"] = self._rec_act
        return config


class SimpleRNNCell(_Cell):
    """One step of a fully connected RNN: h = activation(x W + h_prev R + b)."""

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(units, activation, "sigmoid", use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **kwargs)


class LSTMCell(_Cell):
    """One LSTM step; gates i, f, c, o in Keras's order; states [h, c]."""

    _op = "lstm"
    _gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_initializer(self):
        if self.unit_forget_bias:
            return _UnitForgetBias(self.bias_initializer, self.units)
        return self.bias_initializer

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    """One GRU step; gates z, r, h in Keras's order. With ``reset_after`` (the default)
    the reset gate multiplies (h R_h + b_rh), and the bias is (2, 3 * units)."""

    _op = "gru"
    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


def _check_states(owner, states, batch):
    """initial_state / states as a list of (batch, units) tensors (None: zeros)."""
    cell = getattr(owner, "cell", owner)
    sizes = cell.state_size if isinstance(cell.state_size, list) else [cell.state_size]
    if states is None:
        return None
    if not isinstance(states, (list, tuple)):
        states = [states]
    states = [s if isinstance(s, nncore.Tensor) else nncore.tensor(np.asarray(s))
              for s in states]
    states = [s if s.dtype == cell.dtype else s.to(cell.dtype) for s in states]
    expected = [(batch, size) for size in sizes]
    got = [tuple(s.shape) for s in states]
    if got != expected:
        raise ValueError(f"{type(owner).__name__} layer {owner.name!r}: initial_state must be "
                         f"{len(sizes)} tensor(s) of shape {expected[0]} (batch, units), got "
                         f"shape(s) {got}")
    return states


# ---------------------------------------------------------------- layers

class _RNN(Layer):
    """A recurrent layer over whole sequences (the three built-ins differ by cell)."""

    _cell_class = SimpleRNNCell

    def __init__(self, cell_kwargs, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, activity_regularizer=None,
                 **kwargs):
        for key in ("implementation", "use_cudnn", "time_major"):
            kwargs.pop(key, None)   # speed switches of other backends; one kernel here
        super().__init__(**kwargs)
        if stateful:
            raise NotImplementedError(f"{type(self).__name__} {self.name!r}: stateful=True "
                                      f"is not supported")
        if activity_regularizer is not None:
            raise NotImplementedError(f"{type(self).__name__} {self.name!r}: "
                                      f"activity_regularizer is not supported")
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = False
        self.unroll = bool(unroll)
        self.cell = self._cell_class(**cell_kwargs, dtype=self.dtype.name,
                                     trainable=self.trainable)

    def __getattr__(self, name):
        # Keras exposes the cell's settings on the layer (layer.units, layer.kernel, ...).
        if not name.startswith("_") and name != "cell" and "cell" in self.__dict__:
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _check_shape(self, shape):
        if len(shape) != 3:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects a 3-d input "
                             f"(batch, time, features), got shape {tuple(shape)}")
        if self.cell.built and shape[-1] is not None and shape[-1] != self.cell.kernel.shape[0]:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects inputs with "
                             f"{self.cell.kernel.shape[0]} features (shape (batch, time, "
                             f"{self.cell.kernel.shape[0]})), got shape {tuple(shape)}")

    def build(self, input_shape):
        self._check_shape(tuple(input_shape))
        self.cell._maybe_build((input_shape[0], input_shape[-1]))
        self.built = True

    def call(self, inputs, initial_state=None, mask=None, training=None):
        self._check_shape(tuple(inputs.shape))
        batch, time = inputs.shape[0], inputs.shape[1]
        if mask is None:
            mask = attached_mask(inputs)
        mask = _as_mask(mask)
        if mask is not None and tuple(mask.shape) != (batch, time):
            raise ValueError(f"{type(self).__name__} layer {self.name!r}: the mask must have "
                             f"shape (batch, time) = {(batch, time)}, got "
                             f"{tuple(mask.shape)}")
        states = _check_states(self, initial_state, batch)
        # Without a mask the last output is h_n itself (below): the op then skips writing
        # the whole output sequence.
        sequences = self.return_sequences or mask is not None
        outs = self.cell._run(inputs, states, mask, training, self.go_backwards, sequences)
        if self.return_sequences:
            output = outs[0]
        elif mask is None:
            # The last output is h_n itself; taking h_n keeps the backward from building and
            # reading a (batch, time, units) gradient that is zero but for one step.
            output = outs[1]
        else:
            output = outs[0][:, -1]   # zeros for a row with no real step, where h_n is h0
        return [output] + list(outs[1:]) if self.return_state else output

    def compute_output_shape(self, input_shape):
        self._check_shape(tuple(input_shape))
        batch, time = input_shape[0], input_shape[1]
        out = (batch, time, self.cell.units) if self.return_sequences else (batch,
                                                                             self.cell.units)
        if not self.return_state:
            return out
        sizes = self.cell.state_size if isinstance(self.cell.state_size, list) else [
            self.cell.state_size]
        return [out] + [(batch, s) for s in sizes]

    def get_config(self):
        cell = {k: v for k, v in self.cell.get_config().items()
                if k not in ("name", "trainable", "dtype")}
        return {**super().get_config(), **cell, "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll}


def _layer_kwargs(local):
    """Splits a layer constructor's arguments into the cell's and the layer's."""
    layer_keys = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                  "activity_regularizer")
    kwargs = dict(local.pop("kwargs"))
    local.pop("self")
    local.pop("__class__", None)
    layer = {k: local.pop(k) for k in layer_keys}
    return local, {**layer, **kwargs}


class SimpleRNN(_RNN):
    """Fully connected RNN over a sequence: h_t = activation(x_t W + h_(t-1) R + b)."""

    _cell_class = SimpleRNNCell

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        cell, layer = _layer_kwargs(dict(locals()))
        super().__init__(cell, **layer)


class LSTM(_RNN):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997), Keras's LSTM layer."""

    _cell_class = LSTMCell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 **kwargs):
        cell, layer = _layer_kwargs(dict(locals()))
        super().__init__(cell, **layer)


class GRU(_RNN):
    """Gated recurrent unit (Cho et al., 2014), Keras's GRU layer."""

    _cell_class = GRUCell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True, **kwargs):
        cell, layer = _layer_kwargs(dict(locals()))
        super().__init__(cell, **layer)
