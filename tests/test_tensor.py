"""The tensor type: creation, views, indexing, NumPy interop, printing."""
import gc
import pickle
import sys

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import nncore
from arrays import shapes, strided_views

ALL_DTYPES = [np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_from_numpy_shares_memory_both_ways(dtype):
    a = np.zeros((3, 4), dtype=dtype)
    t = nncore.from_numpy(a)
    assert t.dtype.numpy_dtype == a.dtype and t.shape == (3, 4)
    t[1, 2] = 1
    assert a[1, 2] == 1
    a[0, 0] = 1
    back = t.numpy()
    assert back[0, 0] == 1
    assert np.shares_memory(back, a)
    assert np.shares_memory(np.asarray(t), a)


def test_from_numpy_keeps_the_array_alive_and_numpy_keeps_the_tensor_alive():
    a = np.arange(10, dtype=np.float32)
    before = sys.getrefcount(a)
    t = nncore.from_numpy(a)
    assert sys.getrefcount(a) > before  # the tensor holds the array
    del a
    gc.collect()
    np.testing.assert_array_equal(t.numpy(), np.arange(10))
    t = nncore.arange(5, dtype=nncore.float64)
    held = sys.getrefcount(t)
    arr = t.numpy()
    assert sys.getrefcount(t) == held + 1  # the array holds the tensor
    del arr
    assert sys.getrefcount(t) == held


@given(data=st.data())
def test_from_numpy_of_strided_views_reads_the_same_values(data):
    shape = data.draw(shapes)
    dtype = data.draw(st.sampled_from(ALL_DTYPES))
    a = data.draw(strided_views(dtype, shape))
    t = nncore.from_numpy(a)
    np.testing.assert_array_equal(t.numpy(), a)
    np.testing.assert_array_equal(t.contiguous().numpy(), a)
    assert t.contiguous().is_contiguous()
    np.testing.assert_array_equal(t.clone().numpy(), a)


def test_tensor_copies_and_infers_dtypes_like_pytorch():
    assert nncore.tensor([1.0, 2.0]).dtype == nncore.float32
    assert nncore.tensor([1, 2]).dtype == nncore.int64
    assert nncore.tensor([True, False]).dtype == nncore.bool
    assert nncore.tensor(np.zeros(2)).dtype == nncore.float64  # arrays keep their dtype
    assert nncore.tensor([1, 2], dtype=nncore.float64).dtype == nncore.float64
    assert nncore.tensor(3.5).shape == ()
    a = np.ones(3, np.float32)
    t = nncore.tensor(a)
    t[0] = 5
    assert a[0] == 1
    assert t.data_ptr() % 64 == 0  # owned storage is 64-byte aligned
    with pytest.raises(TypeError, match="unsupported dtype"):
        nncore.tensor(np.zeros(2, np.float16))
    with pytest.raises(TypeError, match="numpy.ndarray"):
        nncore.from_numpy([1, 2])


def test_creation_functions():
    np.testing.assert_array_equal(nncore.zeros(2, 3).numpy(), np.zeros((2, 3)))
    np.testing.assert_array_equal(nncore.ones((2, 3), dtype=nncore.int32).numpy(),
                                  np.ones((2, 3), np.int32))
    np.testing.assert_array_equal(nncore.full((2,), 7.5).numpy(), [7.5, 7.5])
    assert nncore.empty(4, 5).shape == (4, 5)
    np.testing.assert_array_equal(nncore.arange(5).numpy(), np.arange(5))
    np.testing.assert_allclose(nncore.arange(0, 1, 0.25).numpy(), [0, 0.25, 0.5, 0.75])
    np.testing.assert_array_equal(nncore.arange(10, 0, -3).numpy(), [10, 7, 4, 1])
    np.testing.assert_array_equal(nncore.eye(3, 4).numpy(), np.eye(3, 4))
    t = nncore.zeros(2, 2, dtype="float64")
    np.testing.assert_array_equal(nncore.ones_like(t).numpy(), np.ones((2, 2)))
    assert nncore.zeros_like(t).dtype == nncore.float64
    assert nncore.zeros(0, 3).numel() == 0


@given(data=st.data())
def test_views_match_numpy(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    a = data.draw(strided_views(np.float64, shape))
    t = nncore.from_numpy(a)
    perm = data.draw(st.permutations(range(a.ndim)))
    np.testing.assert_array_equal(t.permute(*perm).numpy(), a.transpose(perm))
    np.testing.assert_array_equal(t.T.numpy(), a.T)
    d0, d1 = data.draw(st.integers(0, a.ndim - 1)), data.draw(st.integers(0, a.ndim - 1))
    np.testing.assert_array_equal(t.transpose(d0, d1).numpy(), np.swapaxes(a, d0, d1))
    # reshape to a random factorisation of the size, through a permuted view
    permuted = t.permute(*perm)
    flat = data.draw(st.sampled_from([(-1,), (a.size,), (1, -1), (-1, 1)]))
    np.testing.assert_array_equal(permuted.reshape(*flat).numpy(),
                                  a.transpose(perm).reshape(flat))
    np.testing.assert_array_equal(t.unsqueeze(0).numpy(), a[None])
    np.testing.assert_array_equal(t.unsqueeze(-1).numpy(), a[..., None])
    np.testing.assert_array_equal(t.unsqueeze(0).squeeze(0).numpy(), a)
    np.testing.assert_array_equal(t.squeeze().numpy(), a.squeeze())
    target = (2,) + a.shape
    np.testing.assert_array_equal(t.expand(*target).numpy(), np.broadcast_to(a, target))
    np.testing.assert_array_equal(t.flatten().numpy(), a.reshape(-1))


def test_views_share_storage_and_view_refuses_copies():
    t = nncore.arange(12, dtype=nncore.float32).reshape(3, 4)
    v = t.view(4, 3)
    v[0, 0] = 100
    assert t[0, 0].item() == 100
    tt = t.T
    assert not tt.is_contiguous()
    with pytest.raises(ValueError, match="view"):
        tt.view(12)
    r = tt.reshape(12)  # reshape copies when it must
    np.testing.assert_array_equal(r.numpy(), np.arange(12).reshape(3, 4).T.reshape(-1) * 1
                                  + np.where(np.arange(12) == 0, 100, 0))
    assert t.stride() == (4, 1) and tt.stride() == (1, 4)
    assert t[:, 1:].storage_offset() == 1


@given(data=st.data())
def test_basic_indexing_matches_numpy(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5))
    a = data.draw(strided_views(np.float32, shape))
    t = nncore.from_numpy(a)
    index = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    expected = a[index]
    got = t[index]
    if isinstance(got, nncore.Tensor):
        got = got.numpy()
    np.testing.assert_array_equal(got, expected)


@given(data=st.data())
def test_assignment_into_basic_indices_matches_numpy(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    a = data.draw(strided_views(np.float64, shape))
    expected = a.copy()
    index = data.draw(hnp.basic_indices(shape, allow_ellipsis=True))
    value = data.draw(st.floats(-5, 5))
    expected[index] = value
    t = nncore.from_numpy(a)
    t[index] = value
    np.testing.assert_array_equal(a, expected)


def test_advanced_indexing_copies_and_assigns():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = nncore.from_numpy(a)
    np.testing.assert_array_equal(t[[2, 0]].numpy(), a[[2, 0]])
    np.testing.assert_array_equal(t[t > 5].numpy(), a[a > 5])
    np.testing.assert_array_equal(t[:, nncore.tensor([1, 3])].numpy(), a[:, [1, 3]])
    t[t > 9] = 0
    assert a.max() == 9
    t[0] = nncore.tensor([1, 2, 3, 4], dtype=nncore.int64)  # converted on assignment
    np.testing.assert_array_equal(a[0], [1, 2, 3, 4])


def test_dtype_conversion():
    t = nncore.tensor([1.7, -2.2, 0.0])
    assert t.to(nncore.int32).tolist() == [1, -2, 0]
    assert t.to("float64").dtype == nncore.float64
    assert t.bool().tolist() == [True, True, False]
    assert t.long().dtype == nncore.int64 and t.double().dtype == nncore.float64
    assert t.to(nncore.float32) is t


def test_printing_looks_like_numpy():
    assert repr(nncore.tensor([[1.0, 2.0], [3.0, 4.0]])) == (
        "tensor([[1., 2.],\n        [3., 4.]])")
    assert repr(nncore.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(nncore.tensor([1.5], dtype=nncore.float64)) == (
        "tensor([1.5], dtype=nncore.float64)")
    assert repr(nncore.zeros(0, 3)) == "tensor([], size=(0, 3))"
    assert str(nncore.tensor(2.0)) == "tensor(2.)"


def test_python_protocols():
    t = nncore.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert len(t) == 2
    assert [row.tolist() for row in t] == [[1.0, 2.0], [3.0, 4.0]]
    assert float(t[1, 1]) == 4.0 and int(t[0, 1]) == 2
    assert bool(t[0, 0] > 0)
    with pytest.raises(ValueError, match="ambiguous"):
        bool(t > 0)
    with pytest.raises(TypeError):
        len(nncore.tensor(1.0))
    assert t.size() == (2, 2) and t.size(-1) == 2 and t.dim() == 2 and t.numel() == 4
    assert t.nbytes == 16 and t.itemsize == 4


@st.composite
def reshape_targets(draw, shape):
    """Shapes with the same size: adjacent dims merged, split, or size-1 dims inserted."""
    dims = list(shape)
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["merge", "split", "one"]))
        if kind == "merge" and len(dims) >= 2:
            i = draw(st.integers(0, len(dims) - 2))
            dims[i:i + 2] = [dims[i] * dims[i + 1]]
        elif kind == "split" and dims:
            i = draw(st.integers(0, len(dims) - 1))
            f = draw(st.sampled_from([d for d in range(1, dims[i] + 1) if dims[i] % d == 0]
                                     or [1]))
            dims[i:i + 1] = [f, dims[i] // f] if dims[i] else [0, 1]
        elif len(dims) < 8:
            dims.insert(draw(st.integers(0, len(dims))), 1)
    return tuple(dims)


@given(data=st.data())
def test_reshape_views_exactly_when_numpy_does(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=6))
    a = data.draw(strided_views(np.float32, shape))
    perm = data.draw(st.permutations(range(a.ndim)))
    a = a.transpose(perm)
    target = data.draw(reshape_targets(a.shape))
    expected = a.reshape(target)
    t = nncore.from_numpy(a)
    np.testing.assert_array_equal(t.reshape(target).numpy(), expected)
    numpy_views = np.shares_memory(expected, a) or a.size == 0
    try:
        v = t.view(target)
    except ValueError:
        assert not numpy_views, f"view refused {a.shape} strides {a.strides} -> {target}"
    else:
        np.testing.assert_array_equal(v.numpy(), expected)
        assert np.shares_memory(v.numpy(), a) or a.size <= 1


def test_tensors_pickle_as_data():
    t = nncore.tensor([[1.0, 2.0]], requires_grad=True)
    back = pickle.loads(pickle.dumps(t))
    assert back.tolist() == [[1.0, 2.0]] and back.requires_grad and back.dtype == nncore.float32


def test_bool_arrays_with_other_bytes_are_normalised():
    raw = np.array([2, 0, 1], np.uint8).view(np.bool_)
    t = nncore.from_numpy(raw)
    assert t.to(nncore.float32).tolist() == [1.0, 0.0, 1.0]
    assert nncore.sum(t).item() == 2


def test_overlap_is_detected_across_separate_views_of_one_array():
    a = np.arange(6.0)
    x, y = nncore.from_numpy(a), nncore.from_numpy(a)
    x[1:] = y[:-1]
    np.testing.assert_array_equal(a, [0, 0, 1, 2, 3, 4])


def test_an_empty_tensor_object_does_not_crash():
    t = nncore.Tensor.__new__(nncore.Tensor)
    with pytest.raises(BufferError):
        memoryview(t)
    with pytest.raises(ValueError, match="holds no data"):
        repr(t)
    assert t.data_ptr() == 0
