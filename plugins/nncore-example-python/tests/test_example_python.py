"""The example plugin as nncore sees it: found by name, right values, check_plugin passes.

Run after installing the distribution: the tests go through the registry, as users do.
"""
import numpy as np
import pytest

import nncore
from nncore import registry
from nncore.testing import check_plugin

DIST = "nncore-example-python"


@pytest.mark.parametrize("group, name", [("activations", "bent_identity"),
                                         ("losses", "example_log_cosh")])
def test_found_by_name_and_attributed_to_this_distribution(group, name):
    assert name in registry.list(group)
    assert registry.source(group, name) == DIST
    assert callable(registry.get(group, name))


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 1e-6), (np.float64, 1e-14)])
def test_bent_identity_matches_numpy(dtype, rtol):
    bent_identity = registry.get("activations", "bent_identity")
    x = np.array([-1e4, -3.0, -1e-4, 0.0, 1e-8, 0.5, 2.0, 1e4], dtype=dtype)
    # sqrt(x^2 + 1) - 1 as expm1(log1p(x^2) / 2): the reference must not cancel either.
    expected = np.expm1(np.log1p(np.float64(x) ** 2) / 2) / 2 + x
    y = bent_identity(nncore.tensor(x))
    assert y.dtype == nncore.tensor(x).dtype
    np.testing.assert_allclose(y.numpy(), expected, rtol=rtol, atol=1e-30)


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 1e-5), (np.float64, 1e-12)])
def test_log_cosh_matches_numpy_per_sample(dtype, rtol):
    log_cosh = registry.get("losses", "example_log_cosh")
    rng = np.random.default_rng(0)
    y_true = rng.normal(size=(5, 3)).astype(dtype)
    y_pred = rng.normal(size=(5, 3)).astype(dtype)
    expected = np.log(np.cosh(np.float64(y_pred) - y_true)).mean(-1)
    value = log_cosh(nncore.tensor(y_true), nncore.tensor(y_pred))
    assert value.shape == (5,)  # one value per sample, as Keras losses return
    np.testing.assert_allclose(value.numpy(), expected, rtol=rtol)


def test_log_cosh_stays_finite_where_cosh_overflows():
    log_cosh = registry.get("losses", "example_log_cosh")
    d = np.array([[-1e3, 1e3]], dtype=np.float32)  # np.cosh(d) is inf in float32
    value = log_cosh(nncore.zeros(1, 2), nncore.tensor(d))
    np.testing.assert_allclose(value.numpy(), [1e3 - np.log(2)], rtol=1e-6)


@pytest.mark.parametrize("group, name", [("activations", "bent_identity"),
                                         ("losses", "example_log_cosh")])
def test_check_plugin(group, name):
    assert check_plugin(group, name)
