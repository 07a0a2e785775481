"""cat and stack (nncore/_joining.py): values, gradients, and the errors users hit."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import nncore
from nncore.testing.gradcheck import gradcheck


@st.composite
def cat_cases(draw):
    """A few arrays whose shapes agree except along `dim` (sizes there may be 0)."""
    ndim = draw(st.integers(1, 4))
    shape = [draw(st.integers(1, 3)) for _ in range(ndim)]
    dim = draw(st.integers(-ndim, ndim - 1))
    count = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2 ** 16))
    rng = np.random.default_rng(seed)
    arrays = []
    for _ in range(count):
        s = list(shape)
        s[dim] = draw(st.integers(0, 3))
        arrays.append(rng.standard_normal(s))
    return arrays, dim


@given(case=cat_cases(), dtype=st.sampled_from([np.float32, np.float64, np.int64]))
def test_cat_matches_numpy(case, dtype):
    arrays, dim = case
    arrays = [(a * 10).astype(dtype) for a in arrays]
    out = nncore.cat([nncore.tensor(a) for a in arrays], dim)
    assert out.dtype == nncore.as_dtype(np.dtype(dtype).name)
    np.testing.assert_array_equal(out.numpy(), np.concatenate(arrays, dim))


@given(case=cat_cases())
def test_cat_gradient_hands_each_input_its_slice(case):
    arrays, dim = case
    inputs = [nncore.tensor(a, requires_grad=True) for a in arrays]
    out = nncore.cat(inputs, dim)
    upstream = np.random.default_rng(0).standard_normal(tuple(out.shape))
    out.backward(nncore.tensor(upstream))
    bounds = np.cumsum([a.shape[dim] for a in arrays])[:-1]
    for t, expected in zip(inputs, np.split(upstream, bounds, axis=dim)):
        np.testing.assert_array_equal(t.grad.numpy(), expected)


@given(ndim=st.integers(0, 3), count=st.integers(1, 4), data=st.data())
def test_stack_matches_numpy(ndim, count, data):
    shape = tuple(data.draw(st.integers(0, 3)) for _ in range(ndim))
    dim = data.draw(st.integers(-ndim - 1, ndim))
    rng = np.random.default_rng(count)
    arrays = [rng.standard_normal(shape) for _ in range(count)]
    out = nncore.stack([nncore.tensor(a) for a in arrays], dim)
    np.testing.assert_array_equal(out.numpy(), np.stack(arrays, dim))


def test_cat_of_strided_views():
    base = np.arange(24.0).reshape(4, 6)
    a = nncore.tensor(base).T                  # (6, 4), not contiguous
    b = nncore.tensor(base[:, ::2].copy()).T   # (3, 4)
    np.testing.assert_array_equal(nncore.cat([a, b], 0).numpy(),
                                  np.concatenate([base.T, base[:, ::2].T], 0))


def test_cat_accepts_numpy_arrays_and_is_also_called_concatenate():
    out = nncore.concatenate([np.ones((1, 2)), nncore.zeros(2, 2, dtype=nncore.float64)])
    np.testing.assert_array_equal(out.numpy(), [[1, 1], [0, 0], [0, 0]])


def test_cat_gradient_only_for_inputs_that_require_it():
    a = nncore.tensor(np.ones((2, 2)), requires_grad=True)
    b = nncore.tensor(np.ones((1, 2)))
    nncore.cat([b, a], 0).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.ones((2, 2)))
    assert b.grad is None


def test_cat_and_stack_gradcheck():
    rng = np.random.default_rng(1)
    a, b = (nncore.tensor(rng.standard_normal(s), requires_grad=True) for s in [(2, 3), (2, 1)])
    c = nncore.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    assert gradcheck(lambda x, y: nncore.cat([x, y * y], -1) * 2, (a, b))
    assert gradcheck(lambda x, y: nncore.stack([x, y, x * y], 1), (a, c))
    assert gradcheck(lambda x: nncore.stack([x, x], -1).sum(1), (a,))


def test_cat_dtype_mismatch_names_both_dtypes():
    with pytest.raises(TypeError, match="tensor 1 is float64, tensor 0 is float32"):
        nncore.cat([nncore.ones(2), nncore.ones(2, dtype=nncore.float64)])


def test_cat_shape_mismatch_names_the_tensor_and_shapes():
    with pytest.raises(ValueError, match=r"tensor 2 has shape \(3, 2\).*\(2, 2\).*dim 1"):
        nncore.cat([nncore.ones(2, 2), nncore.ones(2, 5), nncore.ones(3, 2)], 1)
    with pytest.raises(ValueError, match="tensor 1"):
        nncore.cat([nncore.ones(2, 2), nncore.ones(2)], 0)
    with pytest.raises(ValueError, match="tensor 1"):
        nncore.stack([nncore.ones(2, 2), nncore.ones(2, 3)])


@pytest.mark.parametrize("call, error, message", [
    (lambda: nncore.cat([]), ValueError, "non-empty"),
    (lambda: nncore.stack([]), ValueError, "non-empty"),
    (lambda: nncore.cat([nncore.ones(2, 2)], 2), IndexError, "dim 2 is out of range"),
    (lambda: nncore.cat([nncore.ones(2, 2)], -3), IndexError, "dim -3 is out of range"),
    (lambda: nncore.stack([nncore.ones(2, 2)], 3), IndexError, "dim 3 is out of range"),
    (lambda: nncore.cat([nncore.tensor(1.0), nncore.tensor(2.0)]), ValueError,
     "zero-dimensional"),
])
def test_cat_and_stack_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_stack_of_scalars_is_a_vector():
    out = nncore.stack([nncore.tensor(1.0), nncore.tensor(2.0)])
    np.testing.assert_array_equal(out.numpy(), [1.0, 2.0])
