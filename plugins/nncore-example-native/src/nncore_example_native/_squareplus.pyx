"""Binding of the C++ squareplus kernels (squareplus.hpp) to NumPy arrays.

Typed memoryviews take the arrays' buffers without copying; the fused type `floating`
makes one float and one double version of each function, chosen by the arrays' dtype.
The GIL is released while a kernel runs, so other Python threads keep going.
"""
from cython cimport floating
import numpy as np

cdef extern from "squareplus.hpp" namespace "nncore_example_native" nogil:
    void squareplus_forward[T](const T* x, T* y, Py_ssize_t n, T b)
    void squareplus_backward[T](const T* x, const T* grad_y, T* grad_x, Py_ssize_t n, T b)


def forward(x, double b):
    """squareplus(x) for a float32 or float64 array, as a new array of x's shape."""
    y = np.empty(x.shape, x.dtype)
    _forward(np.ascontiguousarray(x).reshape(-1), y.reshape(-1), b)
    return y


def backward(x, grad_y, double b):
    """grad_y * squareplus'(x), as a new array of x's shape (grad_y has x's shape and dtype)."""
    grad_x = np.empty(x.shape, x.dtype)
    _backward(np.ascontiguousarray(x).reshape(-1), np.ascontiguousarray(grad_y).reshape(-1),
              grad_x.reshape(-1), b)
    return grad_x


def _forward(const floating[::1] x, floating[::1] y, double b):
    cdef Py_ssize_t n = x.shape[0]
    if n == 0:
        return  # &x[0] would point past an empty buffer
    with nogil:
        squareplus_forward(&x[0], &y[0], n, <floating>b)


def _backward(const floating[::1] x, const floating[::1] grad_y, floating[::1] grad_x,
              double b):
    cdef Py_ssize_t n = x.shape[0]
    if n == 0:
        return
    with nogil:
        squareplus_backward(&x[0], &grad_y[0], &grad_x[0], n, <floating>b)
