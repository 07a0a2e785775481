"""Reductions against NumPy over any axes, with keepdim, strided and zero-size inputs."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import nncore
from arrays import FLOAT_DTYPES, nonempty_shapes, shapes, strided_views


@st.composite
def axes_for(draw, ndim):
    if ndim == 0 or draw(st.booleans()):
        return None
    axes = draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim,
                         unique_by=lambda d: d % ndim))
    return axes[0] if len(axes) == 1 and draw(st.booleans()) else tuple(axes)


def tol(dtype):
    return dict(rtol=2e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
@given(data=st.data())
def test_reductions_match_numpy(name, dtype, data):
    shape = data.draw(nonempty_shapes if name in ("max", "min", "mean") else shapes)
    a = data.draw(strided_views(dtype, shape))
    axes = data.draw(axes_for(a.ndim))
    keep = data.draw(st.booleans())
    expected = getattr(np, name)(a, axis=axes, keepdims=keep)
    got = getattr(nncore.from_numpy(a), name)(axes, keepdim=keep)
    assert got.shape == np.shape(expected)
    assert got.dtype.numpy_dtype == dtype
    np.testing.assert_allclose(got.numpy(), expected, **tol(dtype))


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, np.bool_])
@given(data=st.data())
def test_integer_sums_are_int64_and_exact(dtype, data):
    shape = data.draw(shapes)
    a = data.draw(strided_views(dtype, shape, 0, 100))
    axes = data.draw(axes_for(a.ndim))
    got = nncore.sum(nncore.from_numpy(a), axes)
    assert got.dtype == nncore.int64
    np.testing.assert_array_equal(got.numpy(), np.sum(a, axis=axes, dtype=np.int64))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(data=st.data())
def test_var_matches_numpy(dtype, data):
    a = data.draw(strided_views(dtype, data.draw(nonempty_shapes)))
    axes = data.draw(axes_for(a.ndim))
    correction = data.draw(st.sampled_from([0, 1]))
    count = a.size if axes is None else np.prod([a.shape[d] for d in np.atleast_1d(axes)])
    if count <= correction:
        return
    expected = np.var(a, axis=axes, ddof=correction)
    got = nncore.var(nncore.from_numpy(a), axes, correction=correction)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-4 if dtype == np.float32 else 1e-10,
                               atol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
@given(data=st.data())
def test_argmax_argmin_match_numpy(dtype, data):
    a = data.draw(strided_views(dtype, data.draw(nonempty_shapes), -3, 3))  # ties are common
    t = nncore.from_numpy(a)
    np.testing.assert_array_equal(t.argmax().numpy(), np.argmax(a))
    np.testing.assert_array_equal(t.argmin().numpy(), np.argmin(a))
    if a.ndim:
        d = data.draw(st.integers(-a.ndim, a.ndim - 1))
        np.testing.assert_array_equal(t.argmax(d).numpy(), np.argmax(a, axis=d))
        np.testing.assert_array_equal(t.argmin(d, keepdim=True).numpy(),
                                      np.argmin(a, axis=d, keepdims=True))


def test_large_reductions_are_accurate_and_parallel_paths_agree():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 2000)).astype(np.float32)
    t = nncore.from_numpy(a)
    exact = a.astype(np.float64)
    np.testing.assert_allclose(t.sum().item(), exact.sum(), rtol=1e-6, atol=1e-3)
    np.testing.assert_allclose(t.sum(0).numpy(), exact.sum(0), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(t.sum(1).numpy(), exact.sum(1), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(t.T.mean(1).numpy(), exact.mean(0), rtol=1e-5, atol=1e-6)
    assert t.max().item() == a.max() and t.min(1).numpy().tolist() == a.min(1).tolist()
    # A constant sum shows whether float32 accumulation drifts.
    ones = nncore.ones(10_000_000)
    assert ones.sum().item() == 10_000_000.0
    assert ones.mean().item() == 1.0


def test_reduction_edge_cases():
    assert nncore.zeros(0).sum().item() == 0.0
    assert np.isnan(nncore.zeros(0).mean().item())
    x = nncore.tensor([1.0, float("nan"), 3.0])
    assert np.isnan(x.max().item()) and np.isnan(x.min().item())
    assert x.argmax().item() == 1  # NaN counts as the maximum, like NumPy
    assert nncore.sum(nncore.tensor([True, True, False])).item() == 2
    assert nncore.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0, keepdims=True).shape == (1, 2)
    with pytest.raises(ValueError, match="max"):
        nncore.zeros(0, 3).max(0)
    with pytest.raises(ValueError, match="argmax"):
        nncore.zeros(0).argmax()
    with pytest.raises(TypeError, match="mean"):
        nncore.tensor([1, 2]).mean()
    with pytest.raises(IndexError, match="sum"):
        nncore.zeros(2, 3).sum(2)
    with pytest.raises(ValueError, match="twice"):
        nncore.zeros(2, 3).sum((0, -2))


@pytest.mark.parametrize("channels", [1, 3, 6, 7])
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_reducing_every_pixel_of_a_few_channels(name, channels):
    """The bias gradient of a conv: a contiguous (pixels, C) array reduced over all leading
    axes with C < 8 (reshaped to wide rows inside); the pixel count is not a multiple of the
    rows folded together, NaN propagates through max/min, integers sum exactly."""
    rng = np.random.default_rng(channels)
    for pixels in ((5, 13, 11), (1, 10, 10), (1, 8, 32), (1, 1, 300)):  # around 256 / C rows
        a = rng.standard_normal(pixels + (channels,)).astype(np.float32)
        got = getattr(nncore.tensor(a), name)((0, 1, 2)).numpy()
        np.testing.assert_allclose(got, getattr(a.astype(np.float64), name)((0, 1, 2)),
                                   **tol(np.float32))
    a = rng.standard_normal((5, 13, 11, channels)).astype(np.float32)
    if name in ("max", "min"):
        a[3, 7, 2, channels - 1] = np.nan
        got = getattr(nncore.tensor(a), name)((0, 1, 2)).numpy()
        assert np.isnan(got[-1]) and not np.isnan(got[:-1]).any()
    if name == "sum":
        ints = rng.integers(-1000, 1000, (7, 40, channels))
        assert np.array_equal(nncore.tensor(ints).sum((0, 1)).numpy(), ints.sum((0, 1)))
