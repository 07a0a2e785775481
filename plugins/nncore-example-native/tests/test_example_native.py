"""The native example plugin as nncore sees it: found by name, values equal to NumPy's in
float32 and float64, gradients equal to finite differences, check_plugin passes.

Run after installing the distribution (pip install --no-build-isolation): the compiled
module exists only in the installed package.
"""
import numpy as np
import pytest

import nncore
from nncore import registry
from nncore.testing import check_plugin, gradcheck

# Large negative values are where the textbook formula cancels and the kernel must not.
X = np.array([-1e4, -100.0, -3.0, -0.5, 0.0, 1e-3, 0.5, 3.0, 100.0, 1e4])


def squareplus_numpy(x, b=4.0):
    """The reference, in float64 and in the form without cancellation for x < 0."""
    x = np.float64(x)
    s = np.sqrt(x * x + b)
    return np.where(x >= 0, (x + s) / 2, b / (2 * (s - x)))


def test_found_by_name_and_attributed_to_this_distribution():
    assert "squareplus" in registry.list("activations")
    assert registry.source("activations", "squareplus") == "nncore-example-native"
    squareplus = registry.get("activations", "squareplus")
    assert squareplus.__module__ == "nncore_example_native.squareplus"


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 1e-6), (np.float64, 1e-15)])
@pytest.mark.parametrize("b", [4.0, 0.25])
def test_values_match_numpy(dtype, rtol, b):
    squareplus = registry.get("activations", "squareplus")
    y = squareplus(nncore.tensor(X.astype(dtype)), b=b)
    assert y.dtype == nncore.tensor(X.astype(dtype)).dtype and y.shape == X.shape
    np.testing.assert_allclose(y.numpy(), squareplus_numpy(X.astype(dtype), b), rtol=rtol)


def test_strided_and_empty_inputs():
    squareplus = registry.get("activations", "squareplus")
    a = np.arange(12.0).reshape(3, 4) - 6
    y = squareplus(nncore.from_numpy(a).T)  # a view: the Function copies it contiguous
    np.testing.assert_allclose(y.numpy(), squareplus_numpy(a.T), rtol=1e-15)
    assert squareplus(nncore.zeros(0, 3)).shape == (0, 3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_backward_matches_the_derivative(dtype):
    x = nncore.tensor(X.astype(dtype)).requires_grad_()
    registry.get("activations", "squareplus")(x).sum().backward()
    x64 = X.astype(dtype).astype(np.float64)
    expected = squareplus_numpy(x64) / np.sqrt(x64 * x64 + 4.0)  # (1 + x/s)/2, no cancellation
    assert x.grad.dtype == x.dtype
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=rtol)


def test_gradcheck_inside_a_graph():
    squareplus = registry.get("activations", "squareplus")
    rng = np.random.default_rng(0)
    x = nncore.tensor(rng.normal(size=(3, 4)) * 3).requires_grad_()
    w = nncore.tensor(rng.normal(size=(4, 2))).requires_grad_()
    assert gradcheck(lambda x, w: squareplus(x @ w, b=0.5) * 2.0, (x, w))


def test_bad_inputs_are_refused_with_the_ops_name():
    squareplus = registry.get("activations", "squareplus")
    with pytest.raises(TypeError, match="squareplus.*int64"):
        squareplus(nncore.tensor([1, 2]))
    with pytest.raises(ValueError, match="squareplus: b must be positive"):
        squareplus(nncore.ones(2), b=0.0)


def test_check_plugin():
    assert check_plugin("activations", "squareplus")
