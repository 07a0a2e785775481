"""References for the recurrent tests: a plain NumPy implementation of the three cells with
Keras's semantics (masking, recurrent dropout mask, go_backwards), and the mapping between
Keras-layout weights and torch.nn.RNN / LSTM / GRU parameters.

Keras orders LSTM gates i, f, c, o (PyTorch: i, f, g, o, the same) and GRU gates z, r, h
(PyTorch: r, z, n). Keras's LSTM and SimpleRNN have one bias, PyTorch's b_ih + b_hh; Keras's
GRU with reset_after has an input and a recurrent bias row, PyTorch's b_ih and b_hh.
"""
import numpy as np

GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}


def act(name, x):
    if name == "tanh":
        return np.tanh(x)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x))
    if name == "hard_sigmoid":
        return np.clip(x + 3.0, 0.0, 6.0) / 6.0
    if name == "relu":
        return np.maximum(x, 0.0)
    assert name == "linear"
    return x


def reference(cell, x, h0, c0, kernel, rkernel, bias, mask=None, rmask=None, activation="tanh",
              recurrent_activation="sigmoid", go_backwards=False, reset_after=True):
    """(output, h_n, c_n) in float64; c_n is None except for the LSTM."""
    x = np.asarray(x, np.float64)
    batch, time, _ = x.shape
    units = rkernel.shape[0]
    h = np.zeros((batch, units)) if h0 is None else np.asarray(h0, np.float64)
    c = np.zeros((batch, units)) if c0 is None else np.asarray(c0, np.float64)
    if bias is None:
        bias = np.zeros((2, 3 * units) if cell == "gru" and reset_after
                        else (GATES[cell] * units,))
    out = np.zeros((batch, time, units))
    previous = np.zeros((batch, units))
    u = units
    for s in range(time):
        t = time - 1 - s if go_backwards else s
        hm = h if rmask is None else h * rmask
        xt = x[:, t]
        c_new = c
        if cell == "simple_rnn":
            h_new = act(activation, xt @ kernel + hm @ rkernel + bias)
        elif cell == "lstm":
            z = xt @ kernel + hm @ rkernel + bias
            i = act(recurrent_activation, z[:, :u])
            f = act(recurrent_activation, z[:, u:2 * u])
            g = act(activation, z[:, 2 * u:3 * u])
            o = act(recurrent_activation, z[:, 3 * u:])
            c_new = f * c + i * g
            h_new = o * act(activation, c_new)
        elif reset_after:
            xz = xt @ kernel + bias[0]
            hz = hm @ rkernel + bias[1]
            zg = act(recurrent_activation, xz[:, :u] + hz[:, :u])
            r = act(recurrent_activation, xz[:, u:2 * u] + hz[:, u:2 * u])
            hh = act(activation, xz[:, 2 * u:] + r * hz[:, 2 * u:])
            h_new = zg * hm + (1 - zg) * hh
        else:
            xz = xt @ kernel + bias
            zg = act(recurrent_activation, xz[:, :u] + hm @ rkernel[:, :u])
            r = act(recurrent_activation, xz[:, u:2 * u] + hm @ rkernel[:, u:2 * u])
            hh = act(activation, xz[:, 2 * u:] + (r * hm) @ rkernel[:, 2 * u:])
            h_new = zg * hm + (1 - zg) * hh
        keep = np.ones((batch, 1), bool) if mask is None else np.asarray(mask)[:, t, None]
        h = np.where(keep, h_new, h)
        c = np.where(keep, c_new, c)
        previous = np.where(keep, h_new, previous)
        out[:, s] = previous
    return out, h, (c if cell == "lstm" else None)


def random_weights(cell, features, units, rng, reset_after=True, scale=0.5):
    k = GATES[cell]
    kernel = rng.standard_normal((features, k * units)) * scale
    rkernel = rng.standard_normal((units, k * units)) * scale
    shape = (2, 3 * units) if cell == "gru" and reset_after else (k * units,)
    bias = rng.standard_normal(shape) * scale
    return kernel, rkernel, bias


def _gru_rows(a, units):
    """Keras's z, r, h blocks (last axis) -> PyTorch's r, z, n, and back (an involution)."""
    u = units
    return np.concatenate([a[..., u:2 * u], a[..., :u], a[..., 2 * u:]], axis=-1)


def torch_module(cell, features, units, kernel, rkernel, bias, nonlinearity="tanh"):
    """A batch_first torch module holding the same weights (float32)."""
    import torch
    if cell == "lstm":
        module = torch.nn.LSTM(features, units, batch_first=True)
    elif cell == "gru":
        module = torch.nn.GRU(features, units, batch_first=True)
    else:
        module = torch.nn.RNN(features, units, batch_first=True, nonlinearity=nonlinearity)
    if cell == "gru":
        w_ih, w_hh = _gru_rows(kernel, units).T, _gru_rows(rkernel, units).T
        b_ih, b_hh = _gru_rows(bias[0], units), _gru_rows(bias[1], units)
    else:
        w_ih, w_hh, b_ih, b_hh = kernel.T, rkernel.T, bias, np.zeros_like(bias)
    with torch.no_grad():
        for name, value in (("weight_ih_l0", w_ih), ("weight_hh_l0", w_hh),
                            ("bias_ih_l0", b_ih), ("bias_hh_l0", b_hh)):
            getattr(module, name).copy_(torch.tensor(np.ascontiguousarray(value),
                                                     dtype=torch.float32))
    return module


def torch_grads(cell, module, units):
    """The module's parameter gradients in Keras's layouts: kernel, recurrent, bias."""
    g = {n: p.grad.numpy() for n, p in module.named_parameters()}
    if cell == "gru":
        return (_gru_rows(g["weight_ih_l0"].T, units), _gru_rows(g["weight_hh_l0"].T, units),
                np.stack([_gru_rows(g["bias_ih_l0"], units), _gru_rows(g["bias_hh_l0"], units)]))
    return g["weight_ih_l0"].T, g["weight_hh_l0"].T, g["bias_ih_l0"]
