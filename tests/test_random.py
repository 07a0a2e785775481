"""rand / randn: seeded, reproducible, independent of the thread count, right distribution."""
import numpy as np
import pytest

import nncore


@pytest.mark.parametrize("dtype", [nncore.float32, nncore.float64])
def test_manual_seed_reproduces_draws(dtype):
    nncore.manual_seed(7)
    a = nncore.rand(1000, dtype=dtype).numpy().copy()
    b = nncore.randn(3, 5, dtype=dtype).numpy().copy()
    nncore.manual_seed(7)
    np.testing.assert_array_equal(nncore.rand(1000, dtype=dtype).numpy(), a)
    np.testing.assert_array_equal(nncore.randn(3, 5, dtype=dtype).numpy(), b)
    assert not np.array_equal(nncore.rand(1000, dtype=dtype).numpy(), a)  # the stream moves on
    assert nncore.initial_seed() == 7


@pytest.mark.parametrize("dtype", [nncore.float32, nncore.float64])
def test_distributions(dtype):
    nncore.manual_seed(0)
    u = nncore.rand(200_000, dtype=dtype).numpy()
    assert u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
    z = nncore.randn(200_000, dtype=dtype).numpy()
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    assert np.isfinite(z).all()
    # Roughly 68% within one standard deviation.
    assert abs(np.mean(np.abs(z) < 1) - 0.6827) < 0.005
