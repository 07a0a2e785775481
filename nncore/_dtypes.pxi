# dtypes as Python objects: nncore.float32, ... and conversion from NumPy-style names.

cdef class dtype:
    """An element type: nncore.float32, float64, int32, int64, uint8 or bool."""
    cdef readonly str name
    cdef readonly int itemsize
    cdef readonly object numpy_dtype
    cdef DTypeCode code

    @property
    def is_floating_point(self):
        return self.code == DTypeCode.float32 or self.code == DTypeCode.float64

    def __repr__(self):
        return "nncore." + self.name

    def __reduce__(self):
        return (as_dtype, (self.name,))


cdef dtype _make_dtype(DTypeCode code, object numpy_dtype):
    cdef dtype d = dtype.__new__(dtype)
    d.code = code
    d.name = dtype_name(code).decode()
    d.itemsize = itemsize(code)
    d.numpy_dtype = np.dtype(numpy_dtype)
    return d


float32 = _make_dtype(DTypeCode.float32, np.float32)
float64 = _make_dtype(DTypeCode.float64, np.float64)
int32 = _make_dtype(DTypeCode.int32, np.int32)
int64 = _make_dtype(DTypeCode.int64, np.int64)
uint8 = _make_dtype(DTypeCode.uint8, np.uint8)
bool_ = _make_dtype(DTypeCode.bool_, np.bool_)

cdef list _DTYPES = [float32, float64, int32, int64, uint8, bool_]  # indexed by DTypeCode
cdef dict _DTYPES_BY_NUMPY = {d.numpy_dtype: d for d in _DTYPES}
cdef str _DTYPE_NAMES = ", ".join([d.name for d in _DTYPES])


cdef inline dtype _dtype_of(DTypeCode code):
    return <dtype>_DTYPES[<int>code]


cpdef dtype as_dtype(object obj):
    """nncore dtype for a dtype, a name ('float32') or anything np.dtype() accepts."""
    if isinstance(obj, dtype):
        return <dtype>obj
    try:
        npd = np.dtype(obj)
    except TypeError:
        raise TypeError(f"unsupported dtype {obj!r}; expected one of {_DTYPE_NAMES}") from None
    found = _DTYPES_BY_NUMPY.get(npd.newbyteorder("=") if npd.byteorder == "<" else npd)
    if found is None:
        raise TypeError(f"unsupported dtype {npd}; expected one of {_DTYPE_NAMES}")
    return found


cdef DTypeCode _code_of(object obj) except *:
    return (<dtype>as_dtype(obj)).code
