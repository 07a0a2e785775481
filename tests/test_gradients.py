"""Every differentiable op passes a float64 finite-difference check on hypothesis inputs,
including broadcast and non-contiguous operands."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nncore
from nncore.testing import gradcheck, strategies as nst

settings.register_profile("gradients", max_examples=25)
small = nst.shapes(max_dims=3, max_side=3)


def leaf(draw, shape, **kw):
    return draw(nst.tensors(shape, requires_grad=True, **kw))


BINARY = {
    "add": (lambda a, b: a + b, {}),
    "sub": (lambda a, b: a - b, {}),
    "mul": (lambda a, b: a * b, {}),
    "div": (lambda a, b: a / b, {"b": dict(avoid=[0.0], margin=0.3)}),
    "pow": (lambda a, b: a ** b, {"a": dict(min_value=0.5, max_value=2.0)}),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
@settings(max_examples=25)
def test_binary_ops_gradcheck_with_broadcasting(name, data):
    fn, opts = BINARY[name]
    sa, sb = data.draw(nst.broadcastable_shapes(max_dims=3, max_side=3))
    a = leaf(data.draw, sa, **opts.get("a", {}))
    b = leaf(data.draw, sb, **opts.get("b", {}))
    assert gradcheck(fn, (a, b))


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@given(data=st.data())
@settings(max_examples=25)
def test_maximum_minimum_gradcheck_away_from_ties(name, data):
    sa, sb = data.draw(nst.broadcastable_shapes(max_dims=3, max_side=3))
    a = leaf(data.draw, sa, noncontiguous=False)
    b = leaf(data.draw, sb, noncontiguous=False)
    with nncore.no_grad():  # keep |a - b| away from 0, where the derivative jumps
        gap = (a.numpy()[...] - np.broadcast_to(b.numpy(), np.broadcast_shapes(sa, sb)))
    if np.abs(gap).min(initial=1.0) < 1e-2:
        return
    assert gradcheck(getattr(nncore, name), (a, b))


UNARY = {
    "neg": (nncore.neg, {}),
    "exp": (nncore.exp, {}),
    "log": (nncore.log, dict(min_value=0.1, max_value=5.0)),
    "sqrt": (nncore.sqrt, dict(min_value=0.1, max_value=5.0)),
    "abs": (nncore.abs, dict(avoid=[0.0])),
    "clip": (lambda x: nncore.clip(x, -1.0, 1.5), dict(avoid=[-1.0, 1.5])),
    "clip_lower": (lambda x: x.clip(min=0.0), dict(avoid=[0.0])),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
@settings(max_examples=25)
def test_unary_ops_gradcheck(name, data):
    fn, opts = UNARY[name]
    x = leaf(data.draw, data.draw(small), **opts)
    assert gradcheck(fn, (x,))


@given(data=st.data())
@settings(max_examples=25)
def test_where_gradcheck(data):
    sc, sa, sb = data.draw(nst.broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    cond = data.draw(nst.tensors(sc)) > 0
    a, b = leaf(data.draw, sa), leaf(data.draw, sb)
    assert gradcheck(lambda a, b: nncore.where(cond, a, b), (a, b))


@st.composite
def axes_for(draw, ndim):
    if ndim == 0 or draw(st.booleans()):
        return None
    return tuple(draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim,
                               unique=True)))


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var"])
@given(data=st.data())
@settings(max_examples=25)
def test_reductions_gradcheck(name, data):
    shape = data.draw(small)
    x = leaf(data.draw, shape)
    if name in ("max", "min"):  # distinct values: ties have no derivative
        with nncore.no_grad():
            x.numpy()[...] = np.random.default_rng(0).permutation(x.numel()).reshape(shape)
    axes = data.draw(axes_for(len(shape)))
    keep = data.draw(st.booleans())
    count = x.numel() if axes is None else int(np.prod([shape[d] for d in axes]))
    if name == "var" and count < 2:
        return
    assert gradcheck(lambda t: getattr(t, name)(axes, keepdim=keep), (x,))


@given(data=st.data())
@settings(max_examples=25)
def test_matmul_gradcheck_batched_and_transposed(data):
    m, k, n = (data.draw(st.integers(1, 3)) for _ in range(3))
    batch_a = data.draw(st.sampled_from([(), (2,), (1,), (2, 1)]))
    batch_b = data.draw(st.sampled_from([(), (2,), (1,)]))
    a = leaf(data.draw, batch_a + (m, k))
    b = leaf(data.draw, batch_b + (n, k))  # used transposed
    assert gradcheck(lambda a, b: a @ b.transpose(-1, -2), (a, b))
    v = leaf(data.draw, (k,))
    assert gradcheck(lambda a, v: a @ v, (a, v))
    assert gradcheck(lambda v, b: v @ b.transpose(-1, -2), (v, b))
    assert gradcheck(lambda v: v @ v, (v,))


@given(data=st.data())
@settings(max_examples=25)
def test_views_and_indexing_gradcheck(data):
    x = leaf(data.draw, data.draw(nst.shapes(min_dims=2, max_dims=3, min_side=2, max_side=4)))
    perm = data.draw(st.permutations(range(x.ndim)))
    idx = nncore.tensor(data.draw(st.lists(st.integers(0, x.shape[0] - 1), min_size=1,
                                           max_size=4)))
    assert gradcheck(lambda t: t.permute(*perm).reshape(-1)[1::2], (x,))
    assert gradcheck(lambda t: t.transpose(0, -1)[..., 0].unsqueeze(0).squeeze(), (x,))
    assert gradcheck(lambda t: t[::-1, 1:] * t.expand(2, *t.shape)[1, ::-1, 1:], (x,))
    assert gradcheck(lambda t: t[idx] * 2, (x,))
    mask = x.detach().clone() > 0  # fixed, so perturbations cannot change the selection
    assert gradcheck(lambda t: t[mask] ** 2, (x,))
    assert gradcheck(lambda t: t.contiguous().clone().flatten(), (x,))


def test_float32_to_float64_conversion_is_differentiable():
    x = nncore.tensor([1.0, 2.0], dtype=nncore.float64, requires_grad=True)
    y = (x.to(nncore.float32) * 3).to(nncore.float64).sum()
    y.backward()
    assert x.grad.tolist() == [3.0, 3.0]
