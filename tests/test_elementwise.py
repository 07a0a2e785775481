"""Elementwise ops against NumPy: broadcasting, strided views, zero-size, both float dtypes."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import nncore
from arrays import FLOAT_DTYPES, strided_views


def tol(dtype):
    return dict(rtol=2e-6, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)


BINARY = {
    "add": (nncore.add, np.add),
    "sub": (nncore.sub, np.subtract),
    "mul": (nncore.mul, np.multiply),
    "div": (nncore.div, np.divide),
    "maximum": (nncore.maximum, np.maximum),
    "minimum": (nncore.minimum, np.minimum),
    "pow": (nncore.pow, np.power),
}
COMPARE = {
    "eq": (nncore.eq, np.equal), "ne": (nncore.ne, np.not_equal), "lt": (nncore.lt, np.less),
    "le": (nncore.le, np.less_equal), "gt": (nncore.gt, np.greater),
    "ge": (nncore.ge, np.greater_equal),
}


@st.composite
def broadcast_pair(draw, dtype, lo=-10.0, hi=10.0):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                    min_side=0, max_side=4))
    a = draw(strided_views(dtype, shapes.input_shapes[0], lo, hi))
    b = draw(strided_views(dtype, shapes.input_shapes[1], lo, hi))
    return a, b


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_matches_numpy(name, dtype, data):
    ours, theirs = BINARY[name]
    lo = 0.125 if name == "pow" else -10.0
    a, b = data.draw(broadcast_pair(dtype, lo, 3.0 if name == "pow" else 10.0))
    if name == "div":
        b = np.where(np.abs(b) < 0.1, 0.5, b).astype(dtype)
    expected = theirs(a, b)
    got = ours(nncore.from_numpy(a), nncore.from_numpy(b))
    assert got.dtype.numpy_dtype == expected.dtype
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.numpy(), expected, **tol(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
@pytest.mark.parametrize("name", sorted(COMPARE))
@given(data=st.data())
def test_comparisons_match_numpy(name, dtype, data):
    ours, theirs = COMPARE[name]
    a, b = data.draw(broadcast_pair(dtype, -3, 3))
    got = ours(nncore.from_numpy(a), nncore.from_numpy(b))
    assert got.dtype == nncore.bool
    np.testing.assert_array_equal(got.numpy(), theirs(a, b))


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@pytest.mark.parametrize("name", ["add", "sub", "mul", "maximum", "minimum"])
@given(data=st.data())
def test_integer_arithmetic_matches_numpy(name, dtype, data):
    ours, theirs = BINARY[name]
    a, b = data.draw(broadcast_pair(dtype, -1000, 1000))
    got = ours(nncore.from_numpy(a), nncore.from_numpy(b))
    assert got.dtype.numpy_dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got.numpy(), theirs(a, b))


UNARY = {
    "neg": (nncore.neg, np.negative, -10, 10),
    "abs": (nncore.abs, np.abs, -10, 10),
    "exp": (nncore.exp, np.exp, -80, 80),
    "log": (nncore.log, np.log, 2.0 ** -100, 2.0 ** 100),
    "sqrt": (nncore.sqrt, np.sqrt, 0, 1e6),
}


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_matches_numpy(name, dtype, data):
    ours, theirs, lo, hi = UNARY[name]
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6))
    a = data.draw(strided_views(dtype, shape, lo, hi))
    got = ours(nncore.from_numpy(a))
    np.testing.assert_allclose(got.numpy(), theirs(a), **tol(dtype))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_exp_log_special_values_and_long_vectors(dtype):
    x = np.array([0.0, -0.0, 1.0, -1.0, 88.7, 89.0, -87.0, -103.0, -104.0, -1000.0, 1000.0,
                  np.inf, -np.inf, np.nan], dtype=dtype)
    with np.errstate(over="ignore"):
        expected = np.exp(x)
    np.testing.assert_allclose(nncore.exp(nncore.from_numpy(x)).numpy(), expected,
                               rtol=3e-6 if dtype == np.float32 else 1e-15, atol=0)
    y = np.array([1.0, 2.0, 0.5, 1e-38, 1e-45, 3.4e38, 0.0, -0.0, -1.0, np.inf, np.nan],
                 dtype=dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.log(y)
    np.testing.assert_allclose(nncore.log(nncore.from_numpy(y)).numpy(), expected,
                               rtol=3e-6 if dtype == np.float32 else 1e-15, atol=1e-7)
    # Long inputs run the vector loops (and, above the threshold, both threads).
    big = np.linspace(-80, 80, 300_001).astype(dtype)
    np.testing.assert_allclose(nncore.exp(nncore.from_numpy(big)).numpy(), np.exp(big),
                               rtol=3e-6 if dtype == np.float32 else 1e-15)
    pos = np.exp(np.linspace(-80, 80, 300_001)).astype(dtype)
    np.testing.assert_allclose(nncore.log(nncore.from_numpy(pos)).numpy(), np.log(pos),
                               rtol=3e-6 if dtype == np.float32 else 1e-15, atol=1e-6)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(data=st.data())
def test_clip_and_where_match_numpy(dtype, data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
    a = data.draw(strided_views(dtype, shape))
    lo = data.draw(st.one_of(st.none(), st.floats(-5, 0)))
    hi = data.draw(st.one_of(st.none(), st.floats(0, 5)))
    expected = a if lo is None and hi is None else np.clip(a, lo, hi)
    np.testing.assert_array_equal(nncore.clip(nncore.from_numpy(a), lo, hi).numpy(),
                                  expected.astype(dtype))
    b, c = data.draw(broadcast_pair(dtype))
    cond = data.draw(strided_views(np.bool_, shape))
    try:
        expected = np.where(cond, b, c)
    except ValueError:
        return  # shapes that do not broadcast together are tested in test_errors
    got = nncore.where(nncore.from_numpy(cond), nncore.from_numpy(b), nncore.from_numpy(c))
    np.testing.assert_array_equal(got.numpy(), expected)


def test_nan_propagates_through_maximum_minimum_and_clip():
    a = nncore.tensor([np.nan, 1.0, 2.0])
    b = nncore.tensor([0.0, np.nan, 1.0])
    np.testing.assert_array_equal(nncore.maximum(a, b).numpy(), [np.nan, np.nan, 2.0])
    np.testing.assert_array_equal(nncore.minimum(a, b).numpy(), [np.nan, np.nan, 1.0])
    np.testing.assert_array_equal(a.clip(0, 1.5).numpy(), [np.nan, 1.0, 1.5])


def test_operators_and_python_scalars():
    x = nncore.tensor([[1.0, 2.0], [3.0, 4.0]])
    a = x.numpy()
    np.testing.assert_allclose((2 * x + 1).numpy(), 2 * a + 1)
    np.testing.assert_allclose((1 - x).numpy(), 1 - a)
    np.testing.assert_allclose((1 / x).numpy(), 1 / a)
    np.testing.assert_allclose((x ** 2).numpy(), a ** 2)
    np.testing.assert_allclose((2 ** x).numpy(), 2 ** a)
    np.testing.assert_allclose((-x).numpy(), -a)
    np.testing.assert_allclose(abs(-x).numpy(), a)
    np.testing.assert_array_equal((x > 2).numpy(), a > 2)
    np.testing.assert_array_equal((x == x).numpy(), np.ones((2, 2), bool))
    # A NumPy array on the left defers to the tensor and gives a tensor.
    result = np.ones((2, 2), np.float32) + x
    assert isinstance(result, nncore.Tensor)
    np.testing.assert_allclose(result.numpy(), a + 1)
    assert (x + 1).dtype == nncore.float32  # a Python scalar takes the tensor's dtype


def test_inplace_operators_write_into_the_same_memory():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = nncore.from_numpy(a)
    t += 1
    t *= nncore.tensor([1.0, 2.0, 3.0])
    t[:, 0] -= 10
    np.testing.assert_allclose(a, [[-9, 4, 9], [-6, 10, 18]])
    with pytest.raises(ValueError):
        t += nncore.ones(4, 2, 3)  # the result would not fit in t


def test_overlapping_copy_reads_before_writing():
    a = np.arange(6, dtype=np.float64)
    t = nncore.from_numpy(a)
    t[1:] = t[:-1]
    np.testing.assert_array_equal(a, [0, 0, 1, 2, 3, 4])
    m = nncore.arange(9, dtype=nncore.float64).reshape(3, 3)
    m.copy_(m.T)
    np.testing.assert_array_equal(m.numpy(), np.arange(9).reshape(3, 3).T)
