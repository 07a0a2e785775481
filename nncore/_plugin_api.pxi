# The C API for native plugins (declared at the end of _core.pxd).

cdef CTensor plugin_tensor(object t) except *:
    """The engine tensor behind a Python Tensor."""
    if not isinstance(t, Tensor):
        raise TypeError(f"expected an nncore.Tensor, got {type(t).__name__}")
    return (<Tensor>t).c


cdef CTensor plugin_contiguous(const CTensor& t) except *:
    """t itself when contiguous, else a contiguous copy (made without the GIL)."""
    cdef CTensor r
    with nogil:
        r = t.contiguous()
    return r


cdef CTensor plugin_empty(const Dims& shape, DTypeCode dtype) except *:
    """A new contiguous tensor with uninitialised contents."""
    return CTensor.empty(shape, dtype)


cdef Tensor plugin_wrap(const CTensor& t):
    """A Python Tensor sharing t's storage."""
    return _wrap_value(t)
