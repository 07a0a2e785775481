# The Tensor type: views, indexing, NumPy interop (buffer protocol), operators, printing.
import operator as _operator

cdef extern from *:
    """
    static const char* nncore_buffer_format(int code) {
      static const char* formats[] = {"f", "d", "i", "q", "B", "?"};
      return formats[code];
    }
    """
    const char* nncore_buffer_format(int code)


cdef Dims _dims(object seq) except *:
    cdef Dims d
    for v in seq:
        d.push_back(_operator.index(v))
    return d


cdef tuple _tuple(const Dims& d):
    return tuple([d[i] for i in range(d.size())])


cdef object _shape_arg(tuple args):
    """Accepts f(2, 3) and f((2, 3)) alike, like PyTorch."""
    if len(args) == 1 and not isinstance(args[0], int) and hasattr(args[0], "__len__"):
        return tuple(args[0])
    return args


cdef int _axis(Tensor t, object dim) except -1:
    cdef int n = t.c.ndim()
    d = _operator.index(dim)
    if not (-n <= d < n):
        raise IndexError(f"dimension {d} is out of range for a tensor with {n} dimensions")
    return d + n if d < 0 else d


cdef inline Tensor _wrap(CTensor& t):
    """A Python Tensor taking over `t` (left undefined)."""
    cdef Tensor out = Tensor.__new__(Tensor)
    out.c = move(t)
    return out


def _rebuild_tensor(array, requires_grad):
    return tensor(array, requires_grad=requires_grad)


cdef inline Tensor _wrap_value(CTensor t):
    return _wrap(t)


cdef void _release_buffer(void* view) noexcept with gil:
    PyBuffer_Release(<Py_buffer*>view)
    PyMem_Free(view)


cpdef Tensor from_numpy(object array):
    """A tensor sharing `array`'s memory (no copy); the array is kept alive by the tensor.

    A read-only array is copied instead, since a tensor is always writable.
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    cdef dtype dt = as_dtype(array.dtype)
    if not array.flags.writeable:
        return tensor(array)
    if dt is bool_ and array.size and array.view(np.uint8).max() > 1:
        # Kernels rely on bools being 0 or 1; other bytes are normalised in a copy.
        return tensor(array != 0)
    cdef Py_buffer* view = <Py_buffer*>PyMem_Malloc(sizeof(Py_buffer))
    if view == NULL:
        raise MemoryError("from_numpy: out of memory")
    try:
        PyObject_GetBuffer(array, view, PyBUF_RECORDS)
    except BaseException:
        PyMem_Free(view)
        raise
    cdef int nd = view.ndim, i
    cdef Py_ssize_t size = dt.itemsize, lo = 0, hi = 0, span
    cdef Dims shape, strides
    cdef shared_ptr[Storage] storage
    try:
        if nd > kMaxDims:
            raise ValueError(f"from_numpy: at most {kMaxDims} dimensions are supported, got {nd}")
        for i in range(nd):
            if view.strides[i] % size != 0:
                raise ValueError(f"from_numpy: strides {array.strides} of a {dt.name} array "
                                 f"are not multiples of its item size {size}")
            shape.push_back(view.shape[i])
            strides.push_back(view.strides[i] // size)
            span = (view.shape[i] - 1) * view.strides[i]
            if span < 0:
                lo += span
            else:
                hi += span
        if view.len == 0:
            lo = hi = 0  # a zero-size view reaches no memory
        storage = Storage.borrow(<char*>view.buf + lo, <size_t>(hi - lo + size),
                                 _release_buffer, view)
    except BaseException:
        PyBuffer_Release(view)
        PyMem_Free(view)
        raise
    # From here the storage owns the buffer view and releases it.
    return _wrap_value(CTensor(storage, dt.code, shape, strides, -lo // size))


cpdef Tensor tensor(object data, object dtype=None, bint requires_grad=False):
    """A new tensor holding a copy of `data` (nested lists, scalars, arrays or a Tensor).

    Python floats become float32 and ints int64 unless `dtype` says otherwise; a NumPy
    array keeps its dtype.
    """
    if isinstance(data, Tensor):
        data = (<Tensor>data).numpy()
    keep_dtype = isinstance(data, (np.ndarray, np.generic))
    array = np.asarray(data)
    if dtype is not None:
        target = as_dtype(dtype)
    elif array.dtype == np.float64 and not keep_dtype:
        target = float32
    elif array.dtype.kind == "i" and not keep_dtype:
        target = int64
    else:
        target = as_dtype(array.dtype)
    cdef DTypeCode code = _code_of(target)
    if code in (DTypeCode.int32, DTypeCode.int64, DTypeCode.uint8) and array.size:
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise ValueError(f"cannot convert non-finite values to {target.name}")
        if array.dtype.kind in "iuf":
            info = np.iinfo(target.numpy_dtype)
            if array.min() < info.min or array.max() > info.max:
                raise OverflowError(f"values out of bounds for {target.name}")
    cdef Tensor out = _wrap_value(CTensor.empty(_dims(array.shape), code))
    np.copyto(out.numpy(), array, casting="unsafe")
    if requires_grad:
        c_set_requires_grad(out.c, True)
    return out


cdef Tensor _scalar_like(object value, Tensor like):
    """A 0-d tensor of `like`'s dtype holding a Python number."""
    cdef DTypeCode code = like.c.dtype()
    cdef CTensor r
    cdef Dims scalar_shape
    floating = code == DTypeCode.float32 or code == DTypeCode.float64
    if isinstance(value, (float, np.floating)) and not floating:
        raise TypeError(f"a float scalar ({value!r}) cannot be combined with a "
                        f"{dtype_name(code).decode()} tensor without a cast; convert the "
                        f"tensor with .to(nncore.float32)")
    if not floating:
        _check_integer_range(value, code)
    # Written straight into a 0-d tensor: this runs for every `tensor * 2.0`.
    r = CTensor.empty(scalar_shape, code)
    if code == DTypeCode.float32:
        (<float*>r.data_ptr())[0] = value
    elif code == DTypeCode.float64:
        (<double*>r.data_ptr())[0] = value
    elif code == DTypeCode.int64:
        (<int64_t*>r.data_ptr())[0] = value
    elif code == DTypeCode.int32:
        (<int32_t*>r.data_ptr())[0] = value
    elif code == DTypeCode.uint8:
        (<uint8_t*>r.data_ptr())[0] = value
    else:
        (<cbool*>r.data_ptr())[0] = bool(value)
    return _wrap(r)


cdef int _check_integer_range(object value, DTypeCode code) except -1:
    info = np.iinfo(_dtype_of(code).numpy_dtype)
    if not (info.min <= value <= info.max):
        raise OverflowError(f"Python integer {value} out of bounds for "
                            f"{dtype_name(code).decode()}")
    return 0


cdef Tensor _operand(object x, Tensor like):
    if isinstance(x, Tensor):
        return <Tensor>x
    if isinstance(x, (bool, int, float, np.number, np.bool_)):
        return _scalar_like(x, like)
    if isinstance(x, (list, tuple)):
        return tensor(x, dtype=_dtype_of(like.c.dtype()))
    return tensor(x)


cdef Tensor _binary(BinaryOp op, object a, object b):
    cdef Tensor ta, tb
    if isinstance(a, Tensor):
        ta = <Tensor>a
        tb = _operand(b, ta)
    elif isinstance(b, Tensor):
        tb = <Tensor>b
        ta = _operand(a, tb)
    else:
        ta = tensor(a)
        tb = _operand(b, ta)
    cdef CTensor r
    with nogil:
        r = c_binary(op, ta.c, tb.c)
    return _wrap(r)


cdef Tensor _unary(UnaryOp op, Tensor a):
    cdef CTensor r
    with nogil:
        r = c_unary(op, a.c)
    return _wrap(r)


cdef Tensor _inplace(Tensor self, BinaryOp op, object other):
    _check_inplace(self, other, "in-place " + op_names[<int>op])
    cdef Tensor result = _binary(op, self, other)
    with nogil:
        c_copy_(self.c, result.c)
    return self


cdef tuple op_names = ("add", "sub", "mul", "div")


cdef Tensor _advanced_index(Tensor self, tuple key):
    """Integer-array and mask indexing: one index tensor along one dim (the others taken
    whole) or a mask of the tensor's own shape gather differentiably; other combinations go
    through NumPy and copy."""
    cdef Tensor index, flat
    cdef CTensor r
    position = [i for i, k in enumerate(key) if _is_advanced_key(k)]
    whole = all(isinstance(k, slice) and k == slice(None) for i, k in enumerate(key)
                if i not in position)
    if len(position) == 1 and whole and key[position[0]] is not Ellipsis:
        index = _as_tensor(key[position[0]])
        dim = position[0]
        if index.c.dtype() == DTypeCode.bool_ and dim == 0 and index.shape == self.shape:
            flat = self.reshape(-1)
            return _wrap_value(c_index_select(flat.c, 0, c_nonzero_flat(index.c)))
        if index.c.ndim() == 1 and index.c.dtype() in (DTypeCode.int64, DTypeCode.int32):
            return _wrap_value(c_index_select(self.c, dim, index.c))
    if c_grad_enabled() and c_requires_grad(self.c):
        raise IndexError(f"this combination of indices ({key!r}) is not differentiable; "
                         f"index one dimension at a time")
    key = tuple(k.numpy() if isinstance(k, Tensor) else k for k in key)
    return tensor(self.numpy()[key])


cdef bint _is_advanced_key(object k):
    return isinstance(k, (Tensor, np.ndarray, list, bool, np.bool_))


cdef class Tensor:
    """An n-dimensional array of one dtype, viewing refcounted storage.

    Create one with nncore.tensor(data), nncore.from_numpy(array) or nncore.zeros(...).
    """

    # NumPy defers to Tensor's reflected operators (array + tensor -> Tensor).
    __array_ufunc__ = None

    def __init__(self, *args, **kwargs):
        raise TypeError("create tensors with nncore.tensor(data), nncore.from_numpy(array), "
                        "nncore.zeros(shape), ...")

    # ------------------------------------------------------------ metadata

    @property
    def shape(self):
        return _tuple(self.c.shape())

    @property
    def dtype(self):
        return _dtype_of(self.c.dtype())

    @property
    def ndim(self):
        return self.c.ndim()

    @property
    def itemsize(self):
        return self.c.itemsize()

    @property
    def nbytes(self):
        return self.c.numel() * self.c.itemsize()

    @property
    def T(self):
        """All dimensions reversed (a view), like NumPy's .T."""
        return self.permute(tuple(range(self.c.ndim() - 1, -1, -1)))

    def size(self, dim=None):
        if dim is None:
            return self.shape
        return self.c.size(_axis(self, dim))

    def stride(self, dim=None):
        """Strides in elements (like PyTorch), not bytes."""
        if dim is None:
            return _tuple(self.c.strides())
        return self.c.strides()[_axis(self, dim)]

    def storage_offset(self):
        return self.c.offset()

    def numel(self):
        return self.c.numel()

    def dim(self):
        return self.c.ndim()

    def is_contiguous(self):
        return self.c.is_contiguous()

    def data_ptr(self):
        return <size_t>self.c.data_ptr() if self.c.defined() else 0

    def __reduce__(self):
        # Pickles as data (a copy), like NumPy arrays; the graph is not pickled.
        return (_rebuild_tensor, (self.numpy().copy(), self.requires_grad))

    # ------------------------------------------------------------ autograd

    @property
    def requires_grad(self):
        return c_requires_grad(self.c)

    @requires_grad.setter
    def requires_grad(self, bint value):
        c_set_requires_grad(self.c, value)

    def requires_grad_(self, bint requires_grad=True):
        c_set_requires_grad(self.c, requires_grad)
        return self

    @property
    def is_leaf(self):
        return c_is_leaf(self.c)

    @property
    def grad_fn(self):
        """The node that computed this tensor (None for leaves)."""
        return _grad_fn(c_grad_fn(self.c))

    @property
    def grad(self):
        """Gradient accumulated by backward() (None until then)."""
        cdef CTensor g = c_grad_of(self.c)
        return _wrap(g) if g.defined() else None

    @grad.setter
    def grad(self, value):
        cdef CTensor undefined
        c_set_grad(self.c, undefined if value is None else (<Tensor>value).c)

    def retain_grad(self):
        """Keeps .grad for this non-leaf tensor after backward()."""
        c_retain_grad(self.c)

    @property
    def retains_grad(self):
        return c_retains_grad(self.c)

    def detach(self):
        """The same data, cut from the graph (shares memory, requires no grad)."""
        return _wrap_value(c_detach(self.c))

    def backward(self, gradient=None, retain_graph=False):
        """Accumulates d(self)/d(leaf) into every leaf's .grad. `gradient` is required
        unless this tensor has one element."""
        _run_backward([self], [gradient], retain_graph)

    # ------------------------------------------------------------ NumPy interop

    def __getbuffer__(self, Py_buffer* buffer, int flags):
        cdef int nd = self.c.ndim(), i
        cdef Py_ssize_t size = self.c.itemsize()
        if not self.c.defined():
            raise BufferError("this Tensor object holds no data (create tensors with "
                              "nncore.tensor, nncore.zeros, ...)")
        if not self.c.is_contiguous() and (
                (flags & PyBUF_STRIDES) != PyBUF_STRIDES
                or (flags & PyBUF_C_CONTIGUOUS) == PyBUF_C_CONTIGUOUS
                or (flags & PyBUF_F_CONTIGUOUS) == PyBUF_F_CONTIGUOUS
                or (flags & PyBUF_ANY_CONTIGUOUS) == PyBUF_ANY_CONTIGUOUS):
            raise BufferError("this tensor is not contiguous; call .contiguous() first")
        for i in range(nd):
            self._buf_shape[i] = self.c.shape()[i]
            self._buf_strides[i] = self.c.strides()[i] * size
        buffer.buf = self.c.data_ptr()
        buffer.obj = self
        buffer.len = self.c.numel() * size
        buffer.itemsize = size
        buffer.readonly = 0
        buffer.ndim = nd
        buffer.format = <char*>nncore_buffer_format(<int>self.c.dtype())
        buffer.shape = self._buf_shape
        buffer.strides = self._buf_strides
        buffer.suboffsets = NULL
        buffer.internal = NULL

    def __releasebuffer__(self, Py_buffer* buffer):
        pass

    def numpy(self):
        """A NumPy array sharing this tensor's memory (no copy)."""
        if not self.c.defined():
            raise ValueError("this Tensor object holds no data (create tensors with "
                             "nncore.tensor, nncore.zeros, ...)")
        return np.asarray(self)

    def tolist(self):
        return self.numpy().tolist()

    def item(self):
        if self.c.numel() != 1:
            raise ValueError(f"item: only a tensor with one element can be converted to a "
                             f"Python number, got shape {self.shape}")
        return self.numpy().reshape(-1)[0].item()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.c.numel() != 1:
            raise ValueError(f"the truth value of a tensor with {self.c.numel()} elements is "
                             f"ambiguous; use .any() or .all() on a comparison")
        return bool(self.item())

    def __len__(self):
        if self.c.ndim() == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.c.size(0)

    def __iter__(self):
        if self.c.ndim() == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(self.c.size(0)):
            yield _wrap_value(c_select(self.c, 0, i))

    def __hash__(self):
        return id(self)

    def __repr__(self):
        array = self.numpy()
        body = np.array2string(array, separator=", ", prefix="tensor(", threshold=1000)
        extra = ""
        if array.size == 0 and array.ndim != 1:
            extra += f", size={self.shape}"
        if self.c.dtype() not in (DTypeCode.float32, DTypeCode.int64, DTypeCode.bool_):
            extra += f", dtype={self.dtype!r}"
        if c_grad_fn(self.c):
            extra += f", grad_fn={self.grad_fn!r}"
        elif c_requires_grad(self.c):
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def __str__(self):
        return self.__repr__()

    # ------------------------------------------------------------ views

    def reshape(self, *shape):
        cdef Dims d = _dims(_shape_arg(shape))
        cdef CTensor r
        with nogil:
            r = c_reshape(self.c, d)
        return _wrap(r)

    def view(self, *shape):
        cdef Dims d = _dims(_shape_arg(shape))
        return _wrap_value(c_view(self.c, d))

    def permute(self, *dims):
        cdef Dims d = _dims(_shape_arg(dims))
        return _wrap_value(c_permute(self.c, d))

    def transpose(self, int64_t dim0, int64_t dim1):
        return _wrap_value(c_transpose(self.c, dim0, dim1))

    def squeeze(self, dim=None):
        if dim is None:
            return _wrap_value(c_squeeze_all(self.c))
        return _wrap_value(c_squeeze(self.c, <int64_t>_operator.index(dim)))

    def unsqueeze(self, int64_t dim):
        return _wrap_value(c_unsqueeze(self.c, dim))

    def expand(self, *sizes):
        cdef Dims d = _dims(_shape_arg(sizes))
        return _wrap_value(c_expand(self.c, d))

    def broadcast_to(self, shape):
        return self.expand(tuple(shape))

    def flatten(self, int start_dim=0, int end_dim=-1):
        cdef int n = self.c.ndim()
        if n == 0:
            return self.reshape(1)
        start = _axis(self, start_dim)
        end = _axis(self, end_dim)
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape
        return self.reshape(shape[:start] + (-1,) + shape[end + 1:])

    def contiguous(self):
        if self.c.is_contiguous():
            return self
        cdef CTensor r
        with nogil:
            r = c_contiguous(self.c)
        return _wrap(r)

    def clone(self):
        cdef CTensor r
        with nogil:
            r = c_clone(self.c)
        return _wrap(r)

    def to(self, dtype):
        cdef DTypeCode code = _code_of(dtype)
        if code == self.c.dtype():
            return self
        cdef CTensor r
        with nogil:
            r = c_to_dtype(self.c, code)
        return _wrap(r)

    def float(self):
        return self.to(float32)

    def double(self):
        return self.to(float64)

    def int(self):
        return self.to(int32)

    def long(self):
        return self.to(int64)

    def bool(self):
        return self.to(bool_)

    # ------------------------------------------------------------ indexing

    def _basic_index(self, tuple key):
        cdef int consumed = 0, dim = 0, ndim = self.c.ndim()
        cdef CTensor t = self.c
        seen_ellipsis = False
        for k in key:
            if k is not None and k is not Ellipsis:
                consumed += 1
        if consumed > ndim:
            raise IndexError(f"too many indices for a tensor of shape {self.shape}: "
                             f"{consumed} were given")
        for k in key:
            if k is None:
                t = c_unsqueeze(t, dim)
                dim += 1
            elif k is Ellipsis:
                if seen_ellipsis:
                    raise IndexError("an index can only have a single ellipsis ('...')")
                seen_ellipsis = True
                dim += ndim - consumed
            elif isinstance(k, slice):
                start, stop, step = k.indices(t.size(dim))
                t = c_slice(t, dim, start, stop, step)
                dim += 1
            else:
                try:
                    index = _operator.index(k)
                except TypeError:
                    raise IndexError(f"only integers, slices, None, ..., and integer or bool "
                                     f"arrays are valid indices, got {type(k).__name__}") from None
                t = c_select(t, dim, index)
        return _wrap(t)

    def __getitem__(self, key):
        if not isinstance(key, tuple):
            key = (key,)
        if any(_is_advanced_key(k) for k in key):
            return _advanced_index(self, key)
        return self._basic_index(key)

    def __setitem__(self, key, value):
        if not isinstance(key, tuple):
            key = (key,)
        cdef Tensor src
        _check_inplace(self, value, "setitem")
        if any(_is_advanced_key(k) for k in key):
            key = tuple(k.numpy() if isinstance(k, Tensor) else k for k in key)
            self.numpy()[key] = value.numpy() if isinstance(value, Tensor) else value
            return
        cdef Tensor target = self._basic_index(key)
        src = value if isinstance(value, Tensor) else tensor(value, dtype=self.dtype)
        with nogil:
            c_copy_(target.c, src.c)

    def copy_(self, Tensor src not None):
        """Copies src into this tensor (broadcasting, converting dtype); returns self."""
        _check_inplace(self, src, "copy_")
        with nogil:
            c_copy_(self.c, src.c)
        return self

    def fill_(self, double value):
        _check_inplace(self, None, "fill_")
        with nogil:
            c_fill_(self.c, value)
        return self

    def zero_(self):
        return self.fill_(0.0)

    # ------------------------------------------------------------ operators

    def __add__(self, other): return _binary(BinaryOp.add, self, other)
    def __radd__(self, other): return _binary(BinaryOp.add, other, self)
    def __sub__(self, other): return _binary(BinaryOp.sub, self, other)
    def __rsub__(self, other): return _binary(BinaryOp.sub, other, self)
    def __mul__(self, other): return _binary(BinaryOp.mul, self, other)
    def __rmul__(self, other): return _binary(BinaryOp.mul, other, self)
    def __truediv__(self, other): return _binary(BinaryOp.div, self, other)
    def __rtruediv__(self, other): return _binary(BinaryOp.div, other, self)
    def __pow__(self, other, modulo): return _binary(BinaryOp.pow, self, other)
    def __rpow__(self, other, modulo): return _binary(BinaryOp.pow, other, self)
    def __matmul__(self, other): return matmul(self, other)
    def __rmatmul__(self, other): return matmul(other, self)
    def __iadd__(self, other): return _inplace(self, BinaryOp.add, other)
    def __isub__(self, other): return _inplace(self, BinaryOp.sub, other)
    def __imul__(self, other): return _inplace(self, BinaryOp.mul, other)
    def __itruediv__(self, other): return _inplace(self, BinaryOp.div, other)
    def __neg__(self): return _unary(UnaryOp.neg, self)
    def __pos__(self): return self
    def __abs__(self): return _unary(UnaryOp.abs, self)
    def __eq__(self, other): return _binary(BinaryOp.eq, self, other)
    def __ne__(self, other): return _binary(BinaryOp.ne, self, other)
    def __lt__(self, other): return _binary(BinaryOp.lt, self, other)
    def __le__(self, other): return _binary(BinaryOp.le, self, other)
    def __gt__(self, other): return _binary(BinaryOp.gt, self, other)
    def __ge__(self, other): return _binary(BinaryOp.ge, self, other)

    # ------------------------------------------------------------ math methods

    def add(self, other): return _binary(BinaryOp.add, self, other)
    def sub(self, other): return _binary(BinaryOp.sub, self, other)
    def mul(self, other): return _binary(BinaryOp.mul, self, other)
    def div(self, other): return _binary(BinaryOp.div, self, other)
    def pow(self, exponent): return _binary(BinaryOp.pow, self, exponent)
    def maximum(self, other): return _binary(BinaryOp.maximum, self, other)
    def minimum(self, other): return _binary(BinaryOp.minimum, self, other)
    def eq(self, other): return _binary(BinaryOp.eq, self, other)
    def ne(self, other): return _binary(BinaryOp.ne, self, other)
    def lt(self, other): return _binary(BinaryOp.lt, self, other)
    def le(self, other): return _binary(BinaryOp.le, self, other)
    def gt(self, other): return _binary(BinaryOp.gt, self, other)
    def ge(self, other): return _binary(BinaryOp.ge, self, other)
    def neg(self): return _unary(UnaryOp.neg, self)
    def exp(self): return _unary(UnaryOp.exp, self)
    def log(self): return _unary(UnaryOp.log, self)
    def sqrt(self): return _unary(UnaryOp.sqrt, self)
    def abs(self): return _unary(UnaryOp.abs, self)
    def clip(self, min=None, max=None): return clip(self, min, max)
    clamp = clip
    def matmul(self, other): return matmul(self, other)

    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce(ReduceOp.sum, self, dim, keepdim, axis, keepdims)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce(ReduceOp.mean, self, dim, keepdim, axis, keepdims)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """Largest values over `dim` (an int or a tuple; all dims when None)."""
        return _reduce(ReduceOp.max, self, dim, keepdim, axis, keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce(ReduceOp.min, self, dim, keepdim, axis, keepdims)

    amax = max
    amin = min

    def var(self, dim=None, *, correction=None, keepdim=False, unbiased=None, axis=None,
            keepdims=None, ddof=None):
        return var(self, dim, correction=correction, keepdim=keepdim, unbiased=unbiased,
                   axis=axis, keepdims=keepdims, ddof=ddof)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return argmax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return argmin(self, dim, keepdim, axis=axis, keepdims=keepdims)
