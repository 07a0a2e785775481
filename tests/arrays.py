"""Hypothesis strategies for NumPy arrays and the nncore tensors viewing them.

`strided_views` draws arrays that are often non-contiguous (stepped, reversed or
transposed views of a larger buffer), so tensors built with from_numpy exercise every
stride pattern the kernels must handle; shapes include zero-size dimensions.
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FLOAT_DTYPES = [np.float32, np.float64]


def values(dtype, lo=-10.0, hi=10.0):
    if np.issubdtype(dtype, np.floating):
        return st.floats(lo, hi, width=32 if dtype == np.float32 else 64,
                         allow_nan=False, allow_infinity=False)
    if dtype == np.bool_:
        return st.booleans()
    info = np.iinfo(dtype)
    return st.integers(max(info.min, int(lo)), min(info.max, int(hi)))


@st.composite
def strided_views(draw, dtype, shape, lo=-10.0, hi=10.0):
    """An array of `shape` and `dtype`, frequently a non-contiguous view."""
    steps = [draw(st.sampled_from([1, 1, 2, -1])) for _ in shape]
    base_shape = tuple(max(n * abs(s), 0) for n, s in zip(shape, steps))
    base = draw(hnp.arrays(dtype, base_shape, elements=values(dtype, lo, hi)))
    view = base[tuple(slice(None, None, s) for s in steps)] if shape else base
    if len(shape) >= 2 and draw(st.booleans()):
        # A transposed copy's transpose: same shape, Fortran-like strides.
        view = np.ascontiguousarray(view.T).T
    assert view.shape == tuple(shape)
    return view


shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5)
nonempty_shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=5)
