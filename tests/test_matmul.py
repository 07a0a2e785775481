"""matmul / addmm against NumPy: shapes, batches, transposed and strided operands, alpha/beta."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import nncore
from arrays import FLOAT_DTYPES, strided_views


def tol(dtype, k):
    return (dict(rtol=1e-4, atol=1e-4 * max(k, 1) ** 0.5) if dtype == np.float32
            else dict(rtol=1e-10, atol=1e-10 * max(k, 1)))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@given(data=st.data())
def test_matmul_matches_numpy_for_strided_operands(dtype, data):
    m, n, k = (data.draw(st.integers(0, 70)) for _ in range(3))
    a = data.draw(strided_views(dtype, (m, k), -1, 1))
    b = data.draw(strided_views(dtype, (k, n), -1, 1))
    got = nncore.from_numpy(a) @ nncore.from_numpy(b)
    np.testing.assert_allclose(got.numpy(), a @ b, **tol(dtype, k))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("beta", [0.0, 0.5])
def test_every_width_of_the_last_column_of_tiles(dtype, beta):
    """Products whose last column of micro-kernel tiles is 1 to 11 wide (the AVX-512 kernel
    has narrower variants for it), over rows that fill whole tiles, with C read (beta) and
    not. A row-major C of m rows is computed as C^T, whose tiles' columns are C's rows."""
    rng = np.random.default_rng(11)
    for m in range(12, 36):
        a = rng.standard_normal((m, 45)).astype(dtype)
        b = rng.standard_normal((45, 64)).astype(dtype)
        c0 = rng.standard_normal((m, 64)).astype(dtype)
        got = nncore.addmm(nncore.from_numpy(c0), nncore.from_numpy(a), nncore.from_numpy(b),
                           beta=beta)
        np.testing.assert_allclose(got.numpy(), beta * c0 + a @ b, **tol(dtype, 45))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("trans_a", [False, True])
@pytest.mark.parametrize("trans_b", [False, True])
@pytest.mark.parametrize("mnk", [(1, 1, 1), (7, 5, 3), (33, 47, 65), (128, 256, 784),
                                 (97, 131, 300), (300, 17, 1030)])
def test_all_transpose_combinations(dtype, trans_a, trans_b, mnk):
    m, n, k = mnk
    rng = np.random.default_rng(m * n + k)
    a = rng.standard_normal((k, m) if trans_a else (m, k)).astype(dtype)
    b = rng.standard_normal((n, k) if trans_b else (k, n)).astype(dtype)
    ta, tb = nncore.from_numpy(a), nncore.from_numpy(b)
    ta, a = (ta.T, a.T) if trans_a else (ta, a)
    tb, b = (tb.T, b.T) if trans_b else (tb, b)
    np.testing.assert_allclose((ta @ tb).numpy(), a @ b, **tol(dtype, k))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_addmm_alpha_beta(dtype):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((40, 30)).astype(dtype)
    b = rng.standard_normal((30, 20)).astype(dtype)
    c = rng.standard_normal((40, 20)).astype(dtype)
    got = nncore.addmm(nncore.from_numpy(c), nncore.from_numpy(a), nncore.from_numpy(b),
                       beta=0.5, alpha=-2.0)
    np.testing.assert_allclose(got.numpy(), 0.5 * c - 2.0 * (a @ b), **tol(dtype, 30))
    # With beta == 0 the input is not read: NaN in it must not leak into the result.
    nan = np.full((40, 20), np.nan, dtype)
    got = nncore.addmm(nncore.from_numpy(nan), nncore.from_numpy(a), nncore.from_numpy(b),
                       beta=0.0, alpha=3.0)
    np.testing.assert_allclose(got.numpy(), 3.0 * (a @ b), **tol(dtype, 30))
    # A broadcast bias row, as a dense layer uses it.
    bias = rng.standard_normal(20).astype(dtype)
    got = nncore.addmm(nncore.from_numpy(bias), nncore.from_numpy(a), nncore.from_numpy(b))
    np.testing.assert_allclose(got.numpy(), bias + a @ b, **tol(dtype, 30))


@pytest.mark.parametrize("shapes", [
    ((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
    ((2, 1, 3, 4), (5, 4, 2)), ((0, 3), (3, 2)), ((2, 0), (0, 3)), ((4, 2, 3), (4, 3, 0)),
    ((64, 8, 8), (64, 8, 8)),
])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_matmul_numpy_shape_rules(shapes, dtype):
    rng = np.random.default_rng(2)
    a = rng.standard_normal(shapes[0]).astype(dtype)
    b = rng.standard_normal(shapes[1]).astype(dtype)
    got = nncore.matmul(nncore.from_numpy(a), nncore.from_numpy(b))
    expected = np.matmul(a, b)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.numpy(), expected, **tol(dtype, a.shape[-1]))


def test_large_square_matmul():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((513, 700)).astype(np.float32)
    b = rng.standard_normal((700, 389)).astype(np.float32)
    expected = a.astype(np.float64) @ b.astype(np.float64)
    got = (nncore.from_numpy(a) @ nncore.from_numpy(b)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-3)


def test_matmul_errors():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\).*float32"):
        nncore.ones(2, 3) @ nncore.ones(4, 5)
    with pytest.raises(ValueError, match="matmul"):
        nncore.tensor(1.0) @ nncore.ones(1)
    with pytest.raises(TypeError, match="float32.*float64"):
        nncore.ones(2, 2) @ nncore.ones(2, 2, dtype=nncore.float64)
    with pytest.raises(TypeError, match="int64"):
        nncore.ones(2, 2, dtype=nncore.int64) @ nncore.ones(2, 2, dtype=nncore.int64)
    with pytest.raises(ValueError, match="broadcast"):
        nncore.ones(2, 2, 3) @ nncore.ones(3, 3, 4)
