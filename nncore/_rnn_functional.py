"""Recurrent ops over whole sequences: ``rnn`` (SimpleRNN), ``lstm`` and ``gru``.

Weights use Keras's layouts (the same arrays as ``layer.get_weights()``)::

    kernel            (features, k * units)   gates side by side: LSTM i, f, c, o; GRU z, r, h
    recurrent_kernel  (units, k * units)
    bias              (k * units,); GRU with reset_after: (2, 3 * units) (input, recurrent)

Inputs are (batch, time, features). Each call runs the whole sequence in C++, forward and
backward (one autograd node), so there is no Python per time step:

    >>> out, h_n, c_n = F.lstm(x, None, None, kernel, recurrent_kernel, bias)

``h0``/``c0`` of None start from zeros. ``mask`` (batch, time) marks the steps that count:
a masked step keeps the previous state and repeats the previous output (zeros before the
first real step), as Keras does. ``recurrent_mask`` (batch, units) multiplies the previous
h before the recurrent product (Keras's recurrent dropout mask). ``go_backwards`` reads the
sequence from its end; the output sequence is then in processing (reversed) order.
Activations: linear, sigmoid, hard_sigmoid, tanh, relu.
"""
import numpy as np

import nncore
from nncore._core import _rnn

__all__ = ["rnn", "lstm", "gru"]


def _as_mask(mask):
    if mask is None:
        return None
    if isinstance(mask, nncore.Tensor):
        return mask if mask.dtype == nncore.bool_ else mask != 0
    return nncore.tensor(np.asarray(mask).astype(bool))


def rnn(input, h0, kernel, recurrent_kernel, bias=None, *, activation="tanh", mask=None,
        recurrent_mask=None, go_backwards=False):
    """SimpleRNN: h = activation(x @ kernel + h @ recurrent_kernel + bias) at every step.
    Returns (output, h_n): output (batch, time, units), h_n (batch, units)."""
    return _rnn("simple_rnn", input, h0, None, kernel, recurrent_kernel, bias, _as_mask(mask),
                recurrent_mask, activation, "sigmoid", go_backwards, True)


def lstm(input, h0, c0, kernel, recurrent_kernel, bias=None, *, activation="tanh",
         recurrent_activation="sigmoid", mask=None, recurrent_mask=None, go_backwards=False):
    """LSTM with Keras's gate order i, f, c, o and one bias (PyTorch's b_ih + b_hh).
    Returns (output, h_n, c_n)."""
    return _rnn("lstm", input, h0, c0, kernel, recurrent_kernel, bias, _as_mask(mask),
                recurrent_mask, activation, recurrent_activation, go_backwards, True)


def gru(input, h0, kernel, recurrent_kernel, bias=None, *, reset_after=True,
        activation="tanh", recurrent_activation="sigmoid", mask=None, recurrent_mask=None,
        go_backwards=False):
    """GRU with Keras's gate order z, r, h. With ``reset_after`` (the default, PyTorch's
    form) the reset gate multiplies (h @ R_h + b_rh) and the bias is (2, 3 * units);
    otherwise it multiplies h before the product and the bias is (3 * units,).
    Returns (output, h_n)."""
    return _rnn("gru", input, h0, None, kernel, recurrent_kernel, bias, _as_mask(mask),
                recurrent_mask, activation, recurrent_activation, go_backwards, reset_after)
