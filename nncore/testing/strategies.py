"""Hypothesis strategies for testing ops and plugins on nncore tensors.

    from hypothesis import given
    from nncore.testing import strategies as nst

    @given(nst.tensors(nst.shapes(), avoid=[0.0]))
    def test_abs_grad(x): ...
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nncore

__all__ = ["shapes", "broadcastable_shapes", "arrays", "tensors"]


def shapes(min_dims=0, max_dims=4, min_side=1, max_side=5):
    """Tensor shapes (tuples of ints)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=1, max_side=4):
    """Tuples of `num_shapes` shapes that broadcast together."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
        max_side=max_side).map(lambda s: s.input_shapes)


@st.composite
def arrays(draw, shape, dtype=np.float64, min_value=-3.0, max_value=3.0, avoid=(),
           margin=1e-2, noncontiguous=None):
    """NumPy arrays of `shape` with values in [min_value, max_value], none closer than
    `margin` to any point in `avoid` (kinks such as 0 for relu or abs), often laid out
    non-contiguously (stepped or transposed views) unless `noncontiguous` says otherwise."""
    if not isinstance(shape, tuple):
        shape = draw(shape)
    width = 32 if np.dtype(dtype) == np.float32 else 64
    if width == 32:  # hypothesis wants bounds that float32 represents exactly
        min_value = float(np.nextafter(np.float32(min_value), np.float32(np.inf))
                          if np.float32(min_value) < min_value else np.float32(min_value))
        max_value = float(np.nextafter(np.float32(max_value), np.float32(-np.inf))
                          if np.float32(max_value) > max_value else np.float32(max_value))
    elements = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False,
                         width=width)
    strided = draw(st.booleans()) if noncontiguous is None else noncontiguous
    base_shape = tuple(2 * n for n in shape) if strided else shape
    base = draw(hnp.arrays(dtype, base_shape, elements=elements))
    for k in avoid:
        close = np.abs(base - k) < margin
        base = np.where(close, k + np.where(base >= k, margin, -margin), base).astype(dtype)
    if strided and shape:
        view = base[tuple(slice(None, None, 2) for _ in shape)]
        if len(shape) >= 2 and draw(st.booleans()):
            view = np.ascontiguousarray(view.T).T
        return view
    return base


@st.composite
def tensors(draw, shape, dtype=np.float64, min_value=-3.0, max_value=3.0, avoid=(),
            margin=1e-2, requires_grad=False, noncontiguous=None):
    """nncore tensors viewing arrays drawn by `arrays` (no copy, so strides are kept)."""
    a = draw(arrays(shape, dtype, min_value, max_value, avoid, margin, noncontiguous))
    t = nncore.from_numpy(a)
    return t.requires_grad_() if requires_grad else t
