# Recurrent ops (cpp/include/nncore/rnn.hpp): SimpleRNN, LSTM and GRU over whole sequences,
# forward and backpropagation through time in C++, one autograd node per sequence.
# nncore.functional gives them their public names (nncore/_rnn_functional.py).

_RNN_ACTIVATIONS = {
    "linear": RnnActivation.linear, "sigmoid": RnnActivation.sigmoid,
    "hard_sigmoid": RnnActivation.hard_sigmoid, "tanh": RnnActivation.tanh,
    "relu": RnnActivation.relu,
}
_RNN_CELLS = {"simple_rnn": 0, "lstm": 1, "gru": 2}


cdef RnnActivation _rnn_activation(str op, str what, object name) except *:
    key = "linear" if name is None else name
    if key not in _RNN_ACTIVATIONS:
        raise NotImplementedError(
            f"{op}: {what} {name!r} is not supported by the recurrent kernels; use one of "
            f"{', '.join(sorted(_RNN_ACTIVATIONS))}")
    return _RNN_ACTIVATIONS[key]


cdef CTensor _optional(object t):
    cdef CTensor c
    if t is not None:
        c = (<Tensor>_as_tensor(t)).c
    return c


def _rnn(str cell, x, h0, c0, kernel, recurrent_kernel, bias=None, mask=None,
         recurrent_mask=None, activation="tanh", recurrent_activation="sigmoid",
         bint go_backwards=False, bint reset_after=True, bint return_sequences=True):
    """One recurrent op over a whole sequence: `cell` is 'simple_rnn', 'lstm' or 'gru'.
    Returns (output, h_n) or, for 'lstm', (output, h_n, c_n); output is None without
    return_sequences. Layouts and equations: cpp/include/nncore/rnn.hpp."""
    if cell not in _RNN_CELLS:
        raise ValueError(f"unknown recurrent cell {cell!r}; expected one of "
                         f"{', '.join(_RNN_CELLS)}")
    cdef int code = _RNN_CELLS[cell]
    cdef RnnOptions opt
    opt.activation = _rnn_activation(cell, "activation", activation)
    opt.recurrent_activation = _rnn_activation(cell, "recurrent_activation",
                                               recurrent_activation)
    opt.go_backwards = go_backwards
    opt.reset_after = reset_after
    opt.return_sequences = return_sequences
    cdef Tensor tx = _as_tensor(x), tk = _as_tensor(kernel), tr = _as_tensor(recurrent_kernel)
    cdef CTensor ch0 = _optional(h0), cc0 = _optional(c0), cb = _optional(bias)
    cdef CTensor cm = _optional(mask), crm = _optional(recurrent_mask)
    if code != 1 and c0 is not None:
        raise ValueError(f"{cell}: only the LSTM has a cell state c0")
    cdef RnnOutputs r
    with nogil:
        if code == 1:
            r = c_lstm(tx.c, ch0, cc0, tk.c, tr.c, cb, cm, crm, opt)
        elif code == 2:
            r = c_gru(tx.c, ch0, tk.c, tr.c, cb, cm, crm, opt)
        else:
            r = c_simple_rnn(tx.c, ch0, tk.c, tr.c, cb, cm, crm, opt)
    output = _wrap(r.output) if return_sequences else None
    if code == 1:
        return output, _wrap(r.h_n), _wrap(r.c_n)
    return output, _wrap(r.h_n)
