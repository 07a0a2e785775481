"""Binding of the C++ squareplus kernels (squareplus.hpp) to nncore tensors.

The tensor type and the helpers come from nncore's C API (`cimport` from nncore._core):
Cython fetches them from nncore's module when this one is imported, so nothing here links
against nncore. Outputs are allocated by nncore's engine and wrapped as nncore Tensors
without copies. The GIL is released while a kernel runs.
"""
from nncore._core cimport (CTensor, DTypeCode, plugin_contiguous, plugin_empty, plugin_tensor,
                           plugin_wrap)

cdef extern from "squareplus.hpp" namespace "nncore_example_native" nogil:
    void squareplus_forward[T](const T* x, T* y, Py_ssize_t n, T b)
    void squareplus_backward[T](const T* x, const T* grad_y, T* grad_x, Py_ssize_t n, T b)


def forward(x, double b):
    """squareplus(x) for a float32 or float64 tensor, as a new tensor of x's shape."""
    cdef CTensor cx = plugin_contiguous(plugin_tensor(x))
    cdef CTensor cy = plugin_empty(cx.shape(), cx.dtype())
    cdef Py_ssize_t n = cx.numel()
    with nogil:
        if cx.dtype() == DTypeCode.float32:
            squareplus_forward(<const float*>cx.data_ptr(), <float*>cy.data_ptr(), n, <float>b)
        else:
            squareplus_forward(<const double*>cx.data_ptr(), <double*>cy.data_ptr(), n, b)
    return plugin_wrap(cy)


def backward(x, grad_y, double b):
    """grad_y * squareplus'(x), as a new tensor of x's shape (grad_y: x's shape and dtype)."""
    cdef CTensor cx = plugin_contiguous(plugin_tensor(x))
    cdef CTensor cg = plugin_contiguous(plugin_tensor(grad_y))
    cdef CTensor out = plugin_empty(cx.shape(), cx.dtype())
    cdef Py_ssize_t n = cx.numel()
    with nogil:
        if cx.dtype() == DTypeCode.float32:
            squareplus_backward(<const float*>cx.data_ptr(), <const float*>cg.data_ptr(),
                                <float*>out.data_ptr(), n, <float>b)
        else:
            squareplus_backward(<const double*>cx.data_ptr(), <const double*>cg.data_ptr(),
                                <double*>out.data_ptr(), n, b)
    return plugin_wrap(out)
