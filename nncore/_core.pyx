# cython: language_level=3
"""The binding layer: the Tensor type, op entry points and error mapping.

Every call unpacks its arguments into engine objects, releases the GIL, runs the engine,
and wraps the result. C++ exceptions become Python exceptions (`except +` in _core.pxd):
invalid_argument -> ValueError, out_of_range -> IndexError, bad_alloc -> MemoryError, and
the engine's dtype_error (a std::bad_cast) -> TypeError.
"""
from cpython.buffer cimport (PyObject_GetBuffer, PyBuffer_Release, PyBUF_RECORDS, PyBUF_STRIDES,
                             PyBUF_C_CONTIGUOUS, PyBUF_F_CONTIGUOUS, PyBUF_ANY_CONTIGUOUS)
from cpython.mem cimport PyMem_Malloc, PyMem_Free
from libc.stdint cimport int64_t, int32_t, uint8_t, uint64_t
from libcpp cimport bool as cbool
from libcpp.memory cimport shared_ptr
from libcpp.utility cimport move
from libcpp.vector cimport vector
from libcpp.string cimport string

import numpy as np

include "_dtypes.pxi"
include "_tensor.pxi"
include "_ops.pxi"
include "_autograd.pxi"
include "_activations.pxi"
include "_optim.pxi"
include "_losses.pxi"
include "_conv.pxi"
include "_rnn.pxi"
include "_plugin_api.pxi"
include "_runtime.pxi"
