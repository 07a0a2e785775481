"""Binding of the parametric squareplus kernels (parametric_squareplus.hpp) to nncore tensors.

Works like _squareplus.pyx: nncore's tensor type and C API come from nncore._core, outputs
are allocated by nncore's engine, the GIL is released while a kernel runs. The shapes are
checked here, before any kernel runs, so a mismatch is a Python error and never a read past
the end of an array.
"""
from nncore._core cimport (CTensor, DTypeCode, plugin_contiguous, plugin_empty, plugin_tensor,
                           plugin_wrap)

cdef extern from "parametric_squareplus.hpp" namespace "nncore_example_native" nogil:
    # `except +`: the backward kernel allocates its row sums (std::bad_alloc -> MemoryError).
    void parametric_squareplus_forward[T](const T* x, const T* b, T* y, Py_ssize_t rows,
                                          Py_ssize_t features)
    void parametric_squareplus_backward[T](const T* x, const T* b, const T* grad_y,
                                           T* grad_x, T* grad_b, Py_ssize_t rows,
                                           Py_ssize_t features) except +


cdef Py_ssize_t _features(const CTensor& cx, const CTensor& cb) except -1:
    """The size of x's last axis, after checking that b holds one value per feature."""
    if cx.dtype() != cb.dtype() or (cx.dtype() != DTypeCode.float32
                                    and cx.dtype() != DTypeCode.float64):
        raise TypeError("parametric_squareplus: x and b must both be float32 or both float64")
    if cx.shape().size() < 1 or cb.shape().size() != 1 or \
            cb.shape()[0] != cx.shape()[cx.shape().size() - 1]:
        raise ValueError("parametric_squareplus: b must be 1-d with one value per feature "
                         "(the size of x's last axis)")
    return cb.shape()[0]


def forward(x, b):
    """(x + sqrt(x^2 + b)) / 2 with b broadcast along x's last axis, as a new tensor."""
    cdef CTensor cx = plugin_contiguous(plugin_tensor(x))
    cdef CTensor cb = plugin_contiguous(plugin_tensor(b))
    cdef Py_ssize_t features = _features(cx, cb)
    cdef Py_ssize_t rows = cx.numel() // features if features else 0
    cdef CTensor cy = plugin_empty(cx.shape(), cx.dtype())
    with nogil:
        if cx.dtype() == DTypeCode.float32:
            parametric_squareplus_forward(<const float*>cx.data_ptr(),
                                          <const float*>cb.data_ptr(),
                                          <float*>cy.data_ptr(), rows, features)
        else:
            parametric_squareplus_forward(<const double*>cx.data_ptr(),
                                          <const double*>cb.data_ptr(),
                                          <double*>cy.data_ptr(), rows, features)
    return plugin_wrap(cy)


def backward(x, b, grad_y):
    """(grad_x, grad_b): grad_y times dy/dx, and grad_y times dy/db summed over the rows."""
    cdef CTensor cx = plugin_contiguous(plugin_tensor(x))
    cdef CTensor cb = plugin_contiguous(plugin_tensor(b))
    cdef CTensor cg = plugin_contiguous(plugin_tensor(grad_y))
    cdef Py_ssize_t features = _features(cx, cb)
    cdef Py_ssize_t rows = cx.numel() // features if features else 0
    if cg.dtype() != cx.dtype() or cg.numel() != cx.numel():
        raise ValueError("parametric_squareplus: grad_y must have x's shape and dtype")
    cdef CTensor grad_x = plugin_empty(cx.shape(), cx.dtype())
    cdef CTensor grad_b = plugin_empty(cb.shape(), cb.dtype())
    with nogil:
        if cx.dtype() == DTypeCode.float32:
            parametric_squareplus_backward(
                <const float*>cx.data_ptr(), <const float*>cb.data_ptr(),
                <const float*>cg.data_ptr(), <float*>grad_x.data_ptr(),
                <float*>grad_b.data_ptr(), rows, features)
        else:
            parametric_squareplus_backward(
                <const double*>cx.data_ptr(), <const double*>cb.data_ptr(),
                <const double*>cg.data_ptr(), <double*>grad_x.data_ptr(),
                <double*>grad_b.data_ptr(), rows, features)
    return plugin_wrap(grad_x), plugin_wrap(grad_b)
