"""The recurrent ops (nncore.functional.rnn / lstm / gru): finite-difference gradients,
agreement with PyTorch and a NumPy reference, Keras's masking semantics, thread-count
invariance, and the errors for bad arguments."""
import numpy as np
import pytest

import nncore
import nncore.functional as F
from nncore.testing import gradcheck
from rnn_reference import GATES, random_weights, reference, torch_grads, torch_module

torch = pytest.importorskip("torch")


def run(cell, x, h0, c0, kernel, rkernel, bias, **options):
    """The op, returning its outputs as a tuple (output, h_n[, c_n])."""
    if cell == "lstm":
        return F.lstm(x, h0, c0, kernel, rkernel, bias, **options)
    if cell == "gru":
        return F.gru(x, h0, kernel, rkernel, bias, **options)
    return F.rnn(x, h0, kernel, rkernel, bias, **options)


def leaves(*arrays, dtype=nncore.float64):
    return [None if a is None else nncore.tensor(np.asarray(a), dtype=dtype, requires_grad=True)
            for a in arrays]


# ---------------------------------------------------------------- gradients

GRADCHECK_CASES = [
    ("simple_rnn", {}),
    ("simple_rnn", {"activation": "relu"}),
    ("simple_rnn", {"activation": "linear", "go_backwards": True}),
    ("lstm", {}),
    ("lstm", {"recurrent_activation": "hard_sigmoid", "activation": "relu"}),
    ("lstm", {"go_backwards": True, "mask": True, "recurrent_mask": True}),
    ("gru", {}),
    ("gru", {"reset_after": False}),
    ("gru", {"reset_after": False, "mask": True, "recurrent_mask": True,
             "recurrent_activation": "hard_sigmoid"}),
    ("gru", {"go_backwards": True, "mask": True, "recurrent_mask": True, "activation": "sigmoid"}),
]


@pytest.mark.parametrize("cell,options", GRADCHECK_CASES,
                         ids=[f"{c}-{'-'.join(o) or 'default'}" for c, o in GRADCHECK_CASES])
def test_gradients_match_finite_differences(cell, options):
    rng = np.random.default_rng(1)
    batch, time, features, units = 2, 4, 3, 2
    options = dict(options)
    reset_after = options.get("reset_after", True)
    if options.pop("mask", False):
        # A leading masked step, a gap, and a row with its last step masked.
        options["mask"] = np.array([[False, True, False, True], [True, True, True, False]])
    if options.pop("recurrent_mask", False):
        options["recurrent_mask"] = nncore.tensor(rng.uniform(0.5, 1.5, (batch, units)))
    kernel, rkernel, bias = random_weights(cell, features, units, rng, reset_after)
    x = rng.standard_normal((batch, time, features))
    h0 = rng.standard_normal((batch, units)) * 0.5
    c0 = rng.standard_normal((batch, units)) * 0.5 if cell == "lstm" else None
    inputs = leaves(x, h0, c0, kernel, rkernel, bias)

    def fn(x, h0, c0, kernel, rkernel, bias):
        return run(cell, x, h0, c0, kernel, rkernel, bias, **options)
    assert gradcheck(fn, inputs, atol=1e-6, rtol=1e-5)


def test_only_the_final_state_needs_a_gradient():
    rng = np.random.default_rng(2)
    kernel, rkernel, bias = random_weights("lstm", 3, 4, rng)
    x, k, r, b = leaves(rng.standard_normal((2, 5, 3)), kernel, rkernel, bias)
    _, h_n, c_n = F.lstm(x, None, None, k, r, b)
    (h_n.sum() + c_n.sum()).backward()
    assert x.grad.shape == (2, 5, 3) and np.all(np.isfinite(x.grad.numpy()))
    assert k.grad.shape == k.shape and r.grad.shape == r.shape and b.grad.shape == b.shape


# ---------------------------------------------------------------- against PyTorch

@pytest.mark.parametrize("cell,nonlinearity", [("lstm", "tanh"), ("gru", "tanh"),
                                               ("simple_rnn", "tanh"), ("simple_rnn", "relu")])
@pytest.mark.parametrize("go_backwards", [False, True])
# (batch, time, features, units): a batch smaller than one GEMM tile, and one of 29 rows,
# which spans whole tiles of the per-step products and an edge (tests/test_matmul.py
# covers GEMM shapes in general; these per-step products take their own path), over
# enough steps that the backward takes its weight gradients in two blocks of steps.
@pytest.mark.parametrize("sizes", [(3, 6, 5, 7), (29, 11, 6, 40)])
def test_outputs_and_all_gradients_match_pytorch(cell, nonlinearity, go_backwards, sizes):
    rng = np.random.default_rng(3)
    batch, time, features, units = sizes
    # Weights of about 1 / sqrt(units), so 11 steps of a wide cell do not amplify rounding.
    kernel, rkernel, bias = random_weights(cell, features, units, rng,
                                           scale=min(0.5, 1 / np.sqrt(units)))
    module = torch_module(cell, features, units, kernel, rkernel, bias, nonlinearity)
    x = rng.standard_normal((batch, time, features)).astype(np.float32)
    h0 = (rng.standard_normal((batch, units)) * 0.5).astype(np.float32)
    c0 = (rng.standard_normal((batch, units)) * 0.5).astype(np.float32)
    ours = leaves(x, h0, c0 if cell == "lstm" else None, kernel, rkernel, bias,
                  dtype=nncore.float32)
    outs = run(cell, *ours, activation=nonlinearity, go_backwards=go_backwards)

    xt = torch.tensor(x[:, ::-1].copy() if go_backwards else x, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)
    c0t = torch.tensor(c0[None], requires_grad=True)
    if cell == "lstm":
        yt, (hn, cn) = module(xt, (h0t, c0t))
        theirs = [yt, hn[0], cn[0]]
    else:
        yt, hn = module(xt, h0t)
        theirs = [yt, hn[0]]
    upstream = [rng.standard_normal(tuple(t.shape)).astype(np.float32) for t in theirs]
    for o, t in zip(outs, theirs):
        np.testing.assert_allclose(o.numpy(), t.detach().numpy(), rtol=1e-5, atol=2e-6)
    sum((o * nncore.tensor(u)).sum() for o, u in zip(outs, upstream)).backward()
    sum((t * torch.tensor(u)).sum() for t, u in zip(theirs, upstream)).backward()

    dx = xt.grad.numpy()[:, ::-1] if go_backwards else xt.grad.numpy()
    tol = dict(rtol=2e-5, atol=2e-5)
    np.testing.assert_allclose(ours[0].grad.numpy(), dx, **tol)
    np.testing.assert_allclose(ours[1].grad.numpy(), h0t.grad.numpy()[0], **tol)
    if cell == "lstm":
        np.testing.assert_allclose(ours[2].grad.numpy(), c0t.grad.numpy()[0], **tol)
    for mine, expected in zip(ours[3:], torch_grads(cell, module, units)):
        np.testing.assert_allclose(mine.grad.numpy(), expected, **tol)


@pytest.mark.parametrize("batch", range(13, 25))
def test_every_batch_width_of_the_step_products_matches_pytorch(batch):
    """The per-step products read h and dG unpacked, one micro-kernel column per batch row:
    batches of 13 to 24 rows end their last column of tiles at every width."""
    rng = np.random.default_rng(batch)
    time, features, units = 2, 3, 32
    kernel, rkernel, bias = random_weights("lstm", features, units, rng, scale=0.2)
    module = torch_module("lstm", features, units, kernel, rkernel, bias, "tanh")
    x = rng.standard_normal((batch, time, features)).astype(np.float32)
    h0 = (rng.standard_normal((batch, units)) * 0.5).astype(np.float32)
    c0 = (rng.standard_normal((batch, units)) * 0.5).astype(np.float32)
    ours = leaves(x, h0, c0, kernel, rkernel, bias, dtype=nncore.float32)
    out, hn, cn = run("lstm", *ours)
    (out.sum() + (hn * hn).sum()).backward()
    h0t = torch.tensor(h0[None], requires_grad=True)
    yt, (hnt, cnt) = module(torch.tensor(x), (h0t, torch.tensor(c0[None])))
    (yt.sum() + (hnt * hnt).sum()).backward()
    np.testing.assert_allclose(out.numpy(), yt.detach().numpy(), rtol=1e-5, atol=2e-6)
    np.testing.assert_allclose(ours[1].grad.numpy(), h0t.grad.numpy()[0], rtol=2e-5, atol=2e-5)
    for mine, expected in zip(ours[3:], torch_grads("lstm", module, units)):
        np.testing.assert_allclose(mine.grad.numpy(), expected, rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_an_empty_batch_runs_forward_and_backward(cell):
    rng = np.random.default_rng(2)
    kernel, rkernel, bias = random_weights(cell, 2, 3, rng)
    args = leaves(np.zeros((0, 4, 2)), None, None, kernel, rkernel, bias)
    outs = run(cell, *args)
    assert outs[0].shape == (0, 4, 3) and outs[1].shape == (0, 3)
    sum(o.sum() for o in outs).backward()
    assert args[0].grad.shape == (0, 4, 2)
    for w in args[3:]:
        assert w.grad.shape == w.shape and not w.grad.numpy().any()


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_without_the_output_sequence_the_final_states_and_gradients_are_unchanged(cell):
    """return_sequences=False (what a Keras layer that returns only its last output asks
    for) skips the sequence and changes nothing else, masked or not."""
    from nncore._core import _rnn
    rng = np.random.default_rng(9)
    batch, time, features, units = 5, 4, 3, 6
    kernel, rkernel, bias = random_weights(cell, features, units, rng)
    x = rng.standard_normal((batch, time, features))
    mask = rng.random((batch, time)) < 0.7
    results = []
    for sequences in (True, False):
        args = leaves(x, None, None, kernel, rkernel, bias)
        outs = _rnn(cell, args[0], None, None, *args[3:], mask=mask,
                    return_sequences=sequences)
        assert (outs[0] is None) == (not sequences)
        sum((o * o).sum() for o in outs[1:]).backward()
        results.append([o.numpy() for o in outs[1:]] +
                       [a.grad.numpy() for a in args if a is not None])
    for with_seq, without in zip(*results):
        assert with_seq.tobytes() == without.tobytes()


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_saturated_and_nan_gates_match_pytorch(cell):
    """Pre-activations far outside the gates' working range saturate to 0 / 1 / +-1 as in
    PyTorch, and a NaN in one row's input gives NaN in that row only (the float32 gate
    passes clamp their exponentials)."""
    rng = np.random.default_rng(5)
    batch, time, features, units = 4, 3, 5, 33
    kernel, rkernel, bias = random_weights(cell, features, units, rng)
    module = torch_module(cell, features, units, kernel, rkernel, bias, "tanh")
    x = (rng.standard_normal((batch, time, features)) * 60).astype(np.float32)
    x[1, 0] = [1e30, -1e30, 200.0, -200.0, 0.0]
    x[2, 1, 3] = np.nan
    ours = run(cell, *leaves(x, None, None, kernel, rkernel, bias, dtype=nncore.float32))
    with torch.no_grad():
        theirs = module(torch.tensor(x))
    np.testing.assert_allclose(ours[0].numpy(), theirs[0].numpy(), rtol=1e-5, atol=1e-6)
    out = ours[0].numpy()
    assert np.isnan(out[2, 1:]).all() and not np.isnan(np.delete(out, 2, axis=0)).any()


# ---------------------------------------------------------------- against NumPy

@pytest.mark.parametrize("cell,options", [
    ("gru", {"reset_after": False}),
    ("gru", {"reset_after": False, "go_backwards": True, "activation": "relu"}),
    ("lstm", {"recurrent_activation": "hard_sigmoid", "activation": "linear"}),
    ("simple_rnn", {"activation": "sigmoid"}),
])
@pytest.mark.parametrize("with_masks", [False, True])
def test_forward_matches_the_numpy_reference(cell, options, with_masks):
    rng = np.random.default_rng(4)
    batch, time, features, units = 4, 7, 3, 5
    reset_after = options.get("reset_after", True)
    kernel, rkernel, bias = random_weights(cell, features, units, rng, reset_after)
    x = rng.standard_normal((batch, time, features))
    h0 = rng.standard_normal((batch, units))
    c0 = rng.standard_normal((batch, units)) if cell == "lstm" else None
    extra = {}
    if with_masks:
        extra["mask"] = rng.random((batch, time)) < 0.7
        extra["rmask"] = (rng.random((batch, units)) > 0.3) / 0.7
    expected = reference(cell, x, h0, c0, kernel, rkernel, bias, extra.get("mask"),
                         extra.get("rmask"), **options)
    t = lambda a: None if a is None else nncore.tensor(np.asarray(a, np.float32))  # noqa: E731
    rmask = extra.get("rmask")
    outs = run(cell, t(x), t(h0), t(c0), t(kernel), t(rkernel), t(bias),
               mask=extra.get("mask"), recurrent_mask=t(rmask), **options)
    for ours, theirs in zip(outs, expected):
        np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- masking

@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_padded_sequences_with_a_mask_match_running_each_unpadded(cell):
    rng = np.random.default_rng(5)
    features, units, lengths = 3, 4, [5, 2, 4, 1]
    time = max(lengths)
    kernel, rkernel, bias = random_weights(cell, features, units, rng)
    seqs = [rng.standard_normal((n, features)) for n in lengths]
    padded = np.zeros((len(lengths), time, features))
    mask = np.zeros((len(lengths), time), bool)
    for i, s in enumerate(seqs):
        padded[i, :len(s)] = s
        mask[i, :len(s)] = True
    x, k, r, b = leaves(padded, kernel, rkernel, bias)
    outs = run(cell, x, None, None, k, r, b, mask=mask)
    outs[1].sum().backward()
    dk_padded = k.grad.numpy().copy()

    dk_total = np.zeros_like(kernel)
    for i, s in enumerate(seqs):
        xs, ks, rs, bs = leaves(s[None], kernel, rkernel, bias)
        single = run(cell, xs, None, None, ks, rs, bs)
        n = len(s)
        # The state stops at the last real step; the outputs after it repeat that step's.
        np.testing.assert_allclose(outs[1].numpy()[i], single[1].numpy()[0], rtol=1e-12)
        np.testing.assert_allclose(outs[0].numpy()[i, :n], single[0].numpy()[0], rtol=1e-12)
        np.testing.assert_array_equal(outs[0].numpy()[i, n:],
                                      np.repeat(single[0].numpy()[0, -1:], time - n, axis=0))
        single[1].sum().backward()
        dk_total += ks.grad.numpy()
        np.testing.assert_allclose(x.grad.numpy()[i, :n], xs.grad.numpy()[0], rtol=1e-10)
        assert np.all(x.grad.numpy()[i, n:] == 0)   # padding gets no gradient
    np.testing.assert_allclose(dk_padded, dk_total, rtol=1e-10, atol=1e-12)


def test_leading_masked_steps_output_zeros_and_keep_the_initial_state():
    # Keras: before the first real step the output is zeros, while the state stays h0.
    rng = np.random.default_rng(6)
    kernel, rkernel, bias = random_weights("gru", 2, 3, rng)
    x = nncore.tensor(rng.standard_normal((1, 4, 2)))
    h0 = nncore.tensor(rng.standard_normal((1, 3)))
    mask = np.array([[False, False, False, False]])
    out, h_n = F.gru(x, h0, nncore.tensor(kernel), nncore.tensor(rkernel), nncore.tensor(bias),
                     mask=mask)
    assert np.all(out.numpy() == 0)
    np.testing.assert_array_equal(h_n.numpy(), h0.numpy())


# ---------------------------------------------------------------- threads, determinism

@pytest.fixture
def restore_threads():
    before = nncore.get_num_threads()
    yield
    nncore.set_num_threads(before)


def _forward_backward(cell, reset_after):
    rng = np.random.default_rng(7)
    batch, time, features, units = 64, 5, 16, 96
    kernel, rkernel, bias = random_weights(cell, features, units, rng, reset_after, scale=0.2)
    x = rng.standard_normal((batch, time, features))
    mask = rng.random((batch, time)) < 0.8
    rmask = nncore.tensor((rng.random((batch, units)) > 0.2).astype(np.float32) / 0.8)
    ours = leaves(x, np.zeros((batch, units)), None, kernel, rkernel, bias,
                  dtype=nncore.float32)
    options = {"mask": mask, "recurrent_mask": rmask}
    if cell == "gru":
        options["reset_after"] = reset_after
    outs = run(cell, *ours, **options)
    (outs[0].sum() + (outs[1] * outs[1]).sum()).backward()
    return [o.numpy().copy() for o in outs] + [t.grad.numpy().copy() for t in ours
                                               if t is not None]


@pytest.mark.parametrize("cell,reset_after", [("simple_rnn", True), ("lstm", True),
                                              ("gru", True), ("gru", False)])
def test_one_and_two_threads_give_bitwise_identical_results(cell, reset_after,
                                                            restore_threads):
    nncore.set_num_threads(1)
    one = _forward_backward(cell, reset_after)
    nncore.set_num_threads(2)
    two = _forward_backward(cell, reset_after)
    again = _forward_backward(cell, reset_after)
    for a, b, c in zip(one, two, again):
        assert a.tobytes() == b.tobytes() == c.tobytes()


def test_no_graph_is_recorded_under_no_grad():
    rng = np.random.default_rng(8)
    k, r, b = leaves(*random_weights("lstm", 2, 3, rng))
    with nncore.no_grad():
        out, h_n, c_n = F.lstm(nncore.tensor(rng.standard_normal((1, 2, 2))), None, None, k, r, b)
    assert not out.requires_grad and out.grad_fn is None
    out, h_n, c_n = F.lstm(nncore.tensor(rng.standard_normal((1, 2, 2))), None, None, k, r, b)
    assert out.grad_fn.name() == "LSTMBackward" and h_n.grad_fn.name() == "LSTMBackward"
    h_n.sum().backward()
    with pytest.raises(ValueError, match="second time"):
        h_n.sum().backward()


# ---------------------------------------------------------------- errors

def _args(cell="lstm", batch=2, time=3, features=4, units=5):
    k = GATES[cell]
    return (nncore.zeros(batch, time, features), nncore.zeros(features, k * units),
            nncore.zeros(units, k * units))


def test_errors_name_the_op_and_the_shapes():
    x, k, r = _args()
    with pytest.raises(ValueError, match=r"lstm: expected an input of shape \(batch, time, "
                                         r"features\), got shape \(2, 4\)"):
        F.lstm(nncore.zeros(2, 4), None, None, k, r)
    with pytest.raises(ValueError, match=r"lstm: the input of shape \(2, 3, 6\) has 6 features "
                                         r"but the kernel of shape \(4, 20\) expects 4"):
        F.lstm(nncore.zeros(2, 3, 6), None, None, k, r)
    with pytest.raises(ValueError, match=r"lstm: the initial state h0 must have shape \(2, 5\)"
                                         r".*got shape \(2, 4\)"):
        F.lstm(x, nncore.zeros(2, 4), None, k, r)
    with pytest.raises(ValueError, match=r"lstm: the bias must have shape \(20,\)"):
        F.lstm(x, None, None, k, r, nncore.zeros(16))
    with pytest.raises(ValueError, match=r"lstm: the recurrent kernel must have shape \(units, "
                                         r"4 \* units\), got shape \(5, 15\)"):
        F.lstm(x, None, None, k, nncore.zeros(5, 15))
    with pytest.raises(ValueError, match=r"lstm: the mask must have shape \(2, 3\)"):
        F.lstm(x, None, None, k, r, mask=np.ones((3, 2), bool))
    with pytest.raises(ValueError, match="no time steps"):
        F.lstm(nncore.zeros(2, 0, 4), None, None, k, r)
    x, k, r = _args("gru")
    with pytest.raises(ValueError, match=r"gru: the bias must have shape \(2, 15\)"):
        F.gru(x, None, k, r, nncore.zeros(15))
    with pytest.raises(TypeError, match="gru: the kernel is a float64"):
        F.gru(x, None, k.double(), r)
    with pytest.raises(NotImplementedError, match="gru: activation 'softplus' is not "
                                                  "supported by the recurrent kernels"):
        F.gru(x, None, k, r, activation="softplus")
