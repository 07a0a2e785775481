"""Activation functions (nncore.functional) against torch.nn.functional: values and
gradients in float32 and float64, finite-difference checks, softmax stability on any axis,
straight-through step/sign, and thread-count independence."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nncore
import nncore.functional as F
from nncore.testing import gradcheck, strategies as nst

torch = pytest.importorskip("torch")
TF = torch.nn.functional

# name -> (nncore function, torch function, kinks to keep gradcheck inputs away from)
POINTWISE = {
    "linear": (F.linear, lambda t: t * 1, []),
    "sigmoid": (F.sigmoid, torch.sigmoid, []),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid, [-3.0, 3.0]),
    "tanh": (F.tanh, torch.tanh, []),
    "relu": (F.relu, TF.relu, [0.0]),
    "relu6": (F.relu6, TF.relu6, [0.0, 6.0]),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda t: TF.leaky_relu(t, 0.2), [0.0]),
    "elu": (lambda x: F.elu(x, 1.3), lambda t: TF.elu(t, 1.3), [0.0]),
    "selu": (F.selu, TF.selu, [0.0]),
    "gelu": (F.gelu, TF.gelu, []),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda t: TF.gelu(t, approximate="tanh"), []),
    "silu": (F.silu, TF.silu, []),
    "softplus": (F.softplus, TF.softplus, []),
    "softplus_beta": (lambda x: F.softplus(x, beta=2.0, threshold=3.0),
                      lambda t: TF.softplus(t, beta=2.0, threshold=3.0), [1.5]),
    "softsign": (F.softsign, TF.softsign, []),
    "mish": (F.mish, TF.mish, []),
    "gaussian": (F.gaussian, lambda t: torch.exp(-t * t / 2), []),
    "asinh": (F.asinh, torch.asinh, []),
}
TOL = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}


def sample(dtype, shape=(4097,), seed=0):
    """Values over the interesting range: kinks, both tails, and exact zeros."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(int(np.prod(shape))) * 4
    x[:8] = [0.0, -3.0, 3.0, 6.0, 1e-6, -1e-6, 30.0, -30.0]
    return x.reshape(shape).astype(dtype)


def compare(ours, theirs, x, dtype, grad_rtol=None):
    g = np.random.default_rng(1).standard_normal(x.shape).astype(dtype)
    nx = nncore.tensor(x, requires_grad=True)
    # The reference is computed in float64: in float32 PyTorch itself loses digits (1 + tanh
    # near -1 in gelu's tanh form, for one), and the test is about our accuracy.
    tx = torch.tensor(x.astype(np.float64), requires_grad=True)
    y, ty = ours(nx), theirs(tx)
    y.backward(nncore.tensor(g))
    ty.backward(torch.tensor(g.astype(np.float64)))
    tol = dict(TOL[dtype])
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), **tol)
    if grad_rtol is not None:
        tol["rtol"] = grad_rtol
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_pointwise_matches_torch(name, dtype):
    ours, theirs, _ = POINTWISE[name]
    # torch's float64 hardsigmoid gradient multiplies by a float32 1/6
    grad_rtol = 1e-7 if name == "hardsigmoid" and dtype == np.float64 else None
    compare(ours, theirs, sample(dtype), dtype, grad_rtol)


@pytest.mark.parametrize("name", ["relu", "gelu", "tanh", "elu", "mish"])
def test_non_contiguous_and_empty_inputs(name):
    ours, theirs, _ = POINTWISE[name]
    base = sample(np.float32, (6, 10))
    for view in (base[::2, 1::3], base.T, base[:, ::-1], np.zeros((0, 3), np.float32)):
        got = ours(nncore.from_numpy(view)).numpy()
        np.testing.assert_allclose(got, theirs(torch.tensor(view.copy())).numpy(), rtol=1e-5,
                                   atol=1e-6)
    x = nncore.from_numpy(base).T.requires_grad_()
    ours(x).sum().backward()
    t = torch.tensor(base).T.requires_grad_()
    theirs(t).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(POINTWISE))
@given(data=st.data())
@settings(max_examples=10)
def test_pointwise_gradcheck(name, data):
    fn, _, kinks = POINTWISE[name]
    x = data.draw(nst.tensors(nst.shapes(max_dims=2, max_side=3), avoid=kinks,
                              min_value=-4.0, max_value=4.0, requires_grad=True))
    assert gradcheck(fn, (x,))


@pytest.mark.parametrize("shape,wshape", [((2, 3, 4), (3,)), ((2, 3), (1,)), ((5,), (1,)),
                                          ((2, 4, 3, 3), (4,))])
def test_prelu_matches_torch_in_both_arguments(shape, wshape):
    rng = np.random.default_rng(2)
    x0 = rng.standard_normal(shape)
    w0 = rng.uniform(0.05, 0.5, wshape)
    x, w = nncore.tensor(x0, requires_grad=True), nncore.tensor(w0, requires_grad=True)
    tx, tw = torch.tensor(x0, requires_grad=True), torch.tensor(w0, requires_grad=True)
    (F.prelu(x, w) ** 2).sum().backward()
    (TF.prelu(tx, tw) ** 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-10)
    assert gradcheck(F.prelu, (nncore.tensor(x0 + 0.05 * np.sign(x0), requires_grad=True),
                               nncore.tensor(w0, requires_grad=True)))


def test_prelu_rejects_a_wrong_weight_size():
    with pytest.raises(ValueError, match="prelu"):
        F.prelu(nncore.ones((2, 3)), nncore.ones(2))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("log", [False, True])
def test_softmax_every_axis_matches_torch(log, dtype):
    ours, theirs = (F.log_softmax, TF.log_softmax) if log else (F.softmax, TF.softmax)
    x = sample(dtype, (3, 5, 300), seed=3)  # 300 columns: more than one column slab
    x[0, 0, :] = 1000.0  # stability: exp(1000) would overflow
    x[1, :, 0] = -1000.0
    for dim in (0, 1, 2, -1, -3):
        compare(lambda t: ours(t, dim), lambda t: theirs(t, dim), x, dtype)
    view = x[:, ::2, ::-3]
    np.testing.assert_allclose(ours(nncore.from_numpy(view), 1).numpy(),
                               theirs(torch.tensor(view.copy()), 1).numpy(), **TOL[dtype])


def test_softmax_edge_shapes_and_errors():
    assert F.softmax(nncore.zeros((0, 4)), 1).shape == (0, 4)
    assert F.softmax(nncore.tensor(3.0), 0).item() == 1.0
    with pytest.raises(IndexError):
        F.softmax(nncore.ones((2, 3)), 2)
    with pytest.raises(TypeError, match="softmax.*int64"):
        F.softmax(nncore.tensor([1, 2]))


@given(data=st.data())
@settings(max_examples=25)
def test_softmax_gradcheck(data):
    shape = data.draw(nst.shapes(min_dims=1, max_dims=3, max_side=4))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    log = data.draw(st.booleans())
    x = data.draw(nst.tensors(shape, requires_grad=True))
    fn = F.log_softmax if log else F.softmax
    w = nncore.tensor(np.arange(x.numel(), dtype=np.float64).reshape(shape))
    assert gradcheck(lambda t: fn(t, dim) * w, (x,))


@pytest.mark.parametrize("name", ["step", "sign"])
def test_step_and_sign_values_and_straight_through(name):
    fn = getattr(F, name)
    x0 = np.array([-2.0, -0.0, 0.0, 0.5, 3.0])
    expected = {"step": [0, 1, 1, 1, 1], "sign": [-1, 0, 0, 1, 1]}[name]
    np.testing.assert_array_equal(fn(nncore.tensor(x0)).numpy(), expected)
    g = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    for straight_through, want in ((False, np.zeros(5)), (True, g)):
        x = nncore.tensor(x0, requires_grad=True)
        fn(x, straight_through=straight_through).backward(nncore.tensor(g))
        np.testing.assert_array_equal(x.grad.numpy(), want)
    np.testing.assert_array_equal(F.heaviside(nncore.tensor(x0), 0.5).numpy(),
                                  torch.heaviside(torch.tensor(x0), torch.tensor(0.5, dtype=torch.float64)).numpy())


def test_linear_also_is_torch_linear():
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((3, 4)), rng.standard_normal((2, 4)), rng.standard_normal(2)
    got = F.linear(nncore.tensor(x), nncore.tensor(w), nncore.tensor(b)).numpy()
    want = TF.linear(torch.tensor(x), torch.tensor(w), torch.tensor(b)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("fn", [F.relu, F.sigmoid, F.softmax, F.prelu])
def test_integer_inputs_are_rejected_with_the_op_name(fn):
    args = (nncore.tensor([1, 2]),) + ((nncore.tensor([1]),) if fn is F.prelu else ())
    with pytest.raises(TypeError, match=fn.__name__ + ".*int64"):
        fn(*args)


def test_results_do_not_depend_on_the_thread_count():
    rng = np.random.default_rng(5)
    x0 = (rng.standard_normal((300, 700)) * 3).astype(np.float32)
    fns = [F.gelu, F.mish, F.tanh, lambda t: F.softmax(t, 0), lambda t: F.log_softmax(t, 1),
           lambda t: F.prelu(t, nncore.tensor(np.full(700, 0.1, np.float32)))]

    def run():
        out = []
        for fn in fns:
            x = nncore.tensor(x0, requires_grad=True)
            y = fn(x)
            (y * y).sum().backward()
            out += [y.detach().numpy().copy(), x.grad.numpy().copy()]
        return out

    before = nncore.get_num_threads()
    try:
        nncore.set_num_threads(1)
        one = run()
        nncore.set_num_threads(2)
        two = run()
    finally:
        nncore.set_num_threads(before)
    for a, b in zip(one, two):
        assert a.tobytes() == b.tobytes()
