"""Bad input gives a clear Python exception naming the op, shapes and dtypes; never a crash."""
import numpy as np
import pytest

import nncore


def test_shape_mismatch_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"mul: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        nncore.ones(2, 3) * nncore.ones(4)
    with pytest.raises(ValueError, match=r"where"):
        nncore.where(nncore.ones(2, dtype=nncore.bool), nncore.ones(3), nncore.ones(3))


def test_dtype_mix_names_both_dtypes():
    with pytest.raises(TypeError, match=r"add: dtype mismatch between float32 tensor of shape "
                                        r"\(2,\) and float64 tensor of shape \(2,\)"):
        nncore.ones(2) + nncore.ones(2, dtype=nncore.float64)
    with pytest.raises(TypeError, match="int32"):
        nncore.ones(2, dtype=nncore.int32) + nncore.ones(2, dtype=nncore.int64)
    with pytest.raises(TypeError, match="float scalar"):
        nncore.ones(2, dtype=nncore.int64) + 0.5
    with pytest.raises(TypeError, match="exp: not supported for int64"):
        nncore.exp(nncore.ones(2, dtype=nncore.int64))
    with pytest.raises(TypeError, match="where: condition must be a bool"):
        nncore.where(nncore.ones(2), nncore.ones(2), nncore.ones(2))
    with pytest.raises(TypeError, match="rand"):
        nncore.rand(2, dtype=nncore.int32)
    with pytest.raises(TypeError, match="unsupported dtype"):
        nncore.zeros(2, dtype="complex64")


def test_wrong_ndim_and_out_of_range_dims():
    t = nncore.ones(2, 3)
    with pytest.raises(IndexError, match="permute|dimension"):
        t.permute(0, 2)
    with pytest.raises(ValueError, match="permute: expected 2 dimensions"):
        t.permute(0)
    with pytest.raises(IndexError, match="transpose"):
        t.transpose(0, 5)
    with pytest.raises(IndexError, match="unsqueeze"):
        t.unsqueeze(4)
    with pytest.raises(ValueError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\)"):
        t.reshape(4, 2)
    with pytest.raises(ValueError, match="only one dimension can be -1"):
        t.reshape(-1, -1)
    with pytest.raises(ValueError, match="expand"):
        t.expand(3, 3)


def test_out_of_range_indices():
    t = nncore.ones(2, 3)
    with pytest.raises(IndexError, match="index 2 is out of bounds for dimension 0 with size 2"):
        t[2]
    with pytest.raises(IndexError, match="index -4"):
        t[:, -4]
    with pytest.raises(IndexError, match="too many indices"):
        t[0, 0, 0]
    with pytest.raises(IndexError):
        t[[0, 5]]
    with pytest.raises(IndexError, match="only integers"):
        t["a"]
    with pytest.raises(ValueError, match="step"):
        t[::0]


def test_huge_sizes_fail_cleanly():
    # 8 PiB: more than any x86-64 address space, whatever the overcommit policy.
    with pytest.raises(MemoryError, match=r"empty: cannot allocate .* float64 tensor of shape"):
        nncore.empty(1 << 50, dtype=nncore.float64)
    with pytest.raises(ValueError, match="too many elements"):
        nncore.zeros(1 << 40, 1 << 40)
    with pytest.raises(ValueError, match="negative dimension"):
        nncore.zeros(-1, 3)
    with pytest.raises(ValueError, match="at most 16 dimensions"):
        nncore.zeros(*([1] * 17))


def test_writing_into_broadcast_views_is_refused():
    t = nncore.ones(3).expand(4, 3)
    with pytest.raises(ValueError, match="broadcast"):
        t[:] = 5.0
    with pytest.raises(ValueError, match="broadcast"):
        t.fill_(1.0)
    with pytest.raises(ValueError, match="copy: cannot broadcast"):
        nncore.ones(3).copy_(nncore.ones(2, 3))


def test_zero_size_and_non_contiguous_inputs_work():
    z = nncore.zeros(0, 4)
    assert (z + 1).shape == (0, 4)
    assert nncore.exp(z).shape == (0, 4)
    assert (z @ nncore.ones(4, 2)).shape == (0, 2)
    assert (nncore.ones(3, 0) @ nncore.ones(0, 2)).tolist() == [[0, 0], [0, 0], [0, 0]]
    t = nncore.arange(24, dtype=nncore.float32).reshape(2, 3, 4).permute(2, 0, 1)[::2]
    np.testing.assert_array_equal((t * 2).numpy(),
                                  np.arange(24).reshape(2, 3, 4).transpose(2, 0, 1)[::2] * 2)


def test_non_contiguous_tensors_refuse_contiguous_buffer_requests():
    t = nncore.ones(3, 4).T
    with pytest.raises(BufferError):
        np.frombuffer(t, dtype=np.float32)  # a request for plain contiguous bytes
    assert np.asarray(t).shape == (4, 3)  # NumPy takes the strides


def test_module_functions_accept_python_and_numpy_operands():
    assert nncore.add(1, 2).item() == 3
    np.testing.assert_array_equal(nncore.maximum(np.ones(3, np.float32) * -1, 0.0).numpy(),
                                  [0, 0, 0])
    np.testing.assert_array_equal(
        nncore.mul(np.ones(3, np.float32), np.full(3, 2, np.float32)).numpy(), [2, 2, 2])
    t = nncore.ones(3, dtype=nncore.float64)
    assert (t + [1.0, 2.0, 3.0]).dtype == nncore.float64  # a list takes the tensor's dtype
    with pytest.raises(TypeError):
        nncore.ones(2).copy_(None)


def test_integer_clip_saturates_and_rejects_fractional_bounds():
    t = nncore.tensor([1, 5, 10], dtype=nncore.int32)
    assert t.clip(max=2 ** 40).tolist() == [1, 5, 10]
    assert t.clip(0, float("inf")).tolist() == [1, 5, 10]
    assert t.clip(-(2 ** 40), 4).tolist() == [1, 4, 4]
    u = nncore.tensor([0, 5, 200], dtype=nncore.uint8)
    assert u.clip(min=-1).tolist() == [0, 5, 200]
    with pytest.raises(TypeError, match="clip: bound 1.5 is not an integer"):
        t.clip(min=1.5)


def test_integers_out_of_range_raise_instead_of_wrapping():
    u = nncore.tensor([1, 2, 3], dtype=nncore.uint8)
    with pytest.raises(OverflowError, match="uint8"):
        u + 300
    with pytest.raises(OverflowError, match="uint8"):
        u[0] = 300
    with pytest.raises(OverflowError):
        nncore.tensor([1, 2], dtype=nncore.int32) + 2 ** 40
    with pytest.raises(ValueError, match="non-finite"):
        nncore.tensor([float("nan")], dtype=nncore.int32)
