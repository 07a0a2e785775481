# Op entry points as module functions (PyTorch names, NumPy aliases where NumPy differs).

cdef Tensor _as_tensor(object x):
    return x if isinstance(x, Tensor) else tensor(x)


def add(a, b): return _binary(BinaryOp.add, a, b)
def sub(a, b): return _binary(BinaryOp.sub, a, b)
def mul(a, b): return _binary(BinaryOp.mul, a, b)
def div(a, b): return _binary(BinaryOp.div, a, b)
def pow(a, b): return _binary(BinaryOp.pow, a, b)
def maximum(a, b): return _binary(BinaryOp.maximum, a, b)
def minimum(a, b): return _binary(BinaryOp.minimum, a, b)
def eq(a, b): return _binary(BinaryOp.eq, a, b)
def ne(a, b): return _binary(BinaryOp.ne, a, b)
def lt(a, b): return _binary(BinaryOp.lt, a, b)
def le(a, b): return _binary(BinaryOp.le, a, b)
def gt(a, b): return _binary(BinaryOp.gt, a, b)
def ge(a, b): return _binary(BinaryOp.ge, a, b)
def neg(a): return _unary(UnaryOp.neg, _as_tensor(a))
def exp(a): return _unary(UnaryOp.exp, _as_tensor(a))
def log(a): return _unary(UnaryOp.log, _as_tensor(a))
def sqrt(a): return _unary(UnaryOp.sqrt, _as_tensor(a))
def abs(a): return _unary(UnaryOp.abs, _as_tensor(a))


def clip(a, min=None, max=None):
    """Clamps every element into [min, max]; either bound may be None. NaN stays NaN."""
    cdef Tensor t = _as_tensor(a)
    if not t.dtype.is_floating_point and t.c.dtype() != DTypeCode.bool_:
        # Integer bounds must be integers; beyond the dtype's range they clip nothing.
        info = np.iinfo(t.dtype.numpy_dtype)
        for bound in (min, max):
            if (isinstance(bound, (float, np.floating)) and not np.isinf(bound)
                    and not float(bound).is_integer()):
                raise TypeError(f"clip: bound {bound!r} is not an integer, for a "
                                f"{t.dtype.name} tensor")
        low = None if min is None or min <= info.min else (
            info.max if min >= info.max else int(min))
        high = None if max is None or max >= info.max else (
            info.min if max <= info.min else int(max))
        min, max = low, high
    cdef cbool has_lo = min is not None, has_hi = max is not None
    cdef double lo = min if has_lo else 0.0, hi = max if has_hi else 0.0
    cdef CTensor r
    with nogil:
        r = c_clip(t.c, has_lo, lo, has_hi, hi)
    return _wrap(r)


def where(condition, a, b):
    """Elements of a where condition is true, else of b (all three broadcast)."""
    cdef Tensor c = _as_tensor(condition)
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
        r = c_where(c.c, ta.c, tb.c)
    return _wrap(r)


def matmul(a, b):
    """Matrix product with NumPy's rules (1-d operands, broadcast batch dims)."""
    cdef Tensor ta = _as_tensor(a), tb = _as_tensor(b)
    cdef CTensor r
    with nogil:
        r = c_matmul(ta.c, tb.c)
    return _wrap(r)


def linear(x, kernel, bias=None):
    """x @ kernel + bias in one GEMM, kernel of shape (in_features, out_features) (Keras's
    Dense layout); leading dims of x are batch dims. Differentiable in all three."""
    cdef Tensor tx = _as_tensor(x), tw = _as_tensor(kernel)
    cdef CTensor cb
    if bias is not None:
        cb = (<Tensor>_as_tensor(bias)).c
    cdef CTensor r
    with nogil:
        r = c_linear(tx.c, tw.c, cb)
    return _wrap(r)


def addmm(input, mat1, mat2, *, beta=1.0, alpha=1.0):
    """beta * input + alpha * (mat1 @ mat2), in one GEMM call. With beta == 0, input is
    ignored (NaN in it does not propagate), like PyTorch."""
    cdef Tensor a = _as_tensor(mat1), b = _as_tensor(mat2), c_in = _as_tensor(input)
    if a.c.ndim() != 2 or b.c.ndim() != 2:
        raise ValueError(f"addmm: expected 2-d matrices, got shapes {a.shape} and {b.shape}")
    if a.c.dtype() != b.c.dtype() or a.c.dtype() != c_in.c.dtype():
        raise TypeError(f"addmm: dtype mismatch: input {c_in.dtype.name}, mat1 {a.dtype.name}, "
                        f"mat2 {b.dtype.name}")
    if a.c.dtype() != DTypeCode.float32 and a.c.dtype() != DTypeCode.float64:
        raise TypeError(f"addmm: requires float32 or float64, got {a.dtype.name}")
    if a.c.size(1) != b.c.size(0):
        raise ValueError(f"addmm: shapes {a.shape} and {b.shape} are not aligned "
                         f"({a.dtype.name})")
    cdef int64_t m = a.c.size(0), n = b.c.size(1), k = a.c.size(1)
    cdef Dims shape = _dims((m, n))
    cdef Tensor out = _wrap_value(CTensor.empty(shape, a.c.dtype()))
    cdef double al = alpha, be = beta
    if be != 0.0:
        with nogil:
            c_copy_(out.c, c_in.c)
    with nogil:
        if a.c.dtype() == DTypeCode.float32:
            c_gemm(m, n, k, <float>al, <float*>a.c.data_ptr(), a.c.strides()[0], a.c.strides()[1],
                 <float*>b.c.data_ptr(), b.c.strides()[0], b.c.strides()[1], <float>be,
                 <float*>out.c.data_ptr(), n, 1)
        else:
            c_gemm(m, n, k, al, <double*>a.c.data_ptr(), a.c.strides()[0], a.c.strides()[1],
                 <double*>b.c.data_ptr(), b.c.strides()[0], b.c.strides()[1], be,
                 <double*>out.c.data_ptr(), n, 1)
    return out


cdef tuple _reduce_dims(object dim, object keepdim, object axis, object keepdims):
    if axis is not None:
        if dim is not None:
            raise TypeError("pass either dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is not None and not isinstance(dim, (tuple, list)):
        dim = (dim,)
    return dim, bool(keepdim)


cdef Tensor _reduce(ReduceOp op, object x, object dim, object keepdim, object axis,
                    object keepdims):
    cdef Tensor t = _as_tensor(x)
    dims, keep = _reduce_dims(dim, keepdim, axis, keepdims)
    cdef cbool k = keep
    cdef CTensor r
    cdef Dims d
    if dims is None:
        with nogil:
            r = c_reduce_all(op, t.c, k)
    else:
        d = _dims(dims)
        with nogil:
            r = c_reduce(op, t.c, d, k)
    return _wrap(r)


def sum(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Sum over `dim` (an int or tuple; all dims when None). Integer and bool sums are int64."""
    return _reduce(ReduceOp.sum, x, dim, keepdim, axis, keepdims)


def mean(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return _reduce(ReduceOp.mean, x, dim, keepdim, axis, keepdims)


def max(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Largest values over `dim` (an int or tuple; all dims when None). NaN propagates."""
    return _reduce(ReduceOp.max, x, dim, keepdim, axis, keepdims)


def min(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return _reduce(ReduceOp.min, x, dim, keepdim, axis, keepdims)


amax = max
amin = min


def var(x, dim=None, *, correction=None, keepdim=False, unbiased=None, axis=None,
        keepdims=None, ddof=None):
    """Variance over `dim`. `correction` (or NumPy's ddof) is subtracted from the count;
    the default 1 is the unbiased estimate, like PyTorch (NumPy's default is ddof=0)."""
    cdef Tensor t = _as_tensor(x)
    dims, keep = _reduce_dims(dim, keepdim, axis, keepdims)
    if ddof is not None:
        correction = ddof
    if unbiased is not None:
        correction = 1 if unbiased else 0
    cdef int64_t corr = 1 if correction is None else correction
    cdef cbool k = keep, all_axes = dims is None
    cdef Dims d = _dims(() if dims is None else dims)
    cdef CTensor r
    with nogil:
        r = c_var(t.c, d, all_axes, corr, k)
    return _wrap(r)


cdef Tensor _arg_extreme(object x, object dim, object keepdim, object axis, object keepdims,
                         bint is_max):
    cdef Tensor t = _as_tensor(x)
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    cdef cbool all_dims = dim is None, keep = bool(keepdim)
    cdef int64_t d = 0 if dim is None else _operator.index(dim)
    cdef CTensor r
    with nogil:
        r = c_argmax(t.c, d, all_dims, keep) if is_max else c_argmin(t.c, d, all_dims, keep)
    return _wrap(r)


def argmax(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Index of the first largest value along `dim` (of the flattened tensor when None)."""
    return _arg_extreme(x, dim, keepdim, axis, keepdims, True)


def argmin(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return _arg_extreme(x, dim, keepdim, axis, keepdims, False)


def reshape(x, *shape): return _as_tensor(x).reshape(*shape)
def permute(x, *dims): return _as_tensor(x).permute(*dims)
def transpose(x, dim0, dim1): return _as_tensor(x).transpose(dim0, dim1)
def squeeze(x, dim=None): return _as_tensor(x).squeeze(dim)
def unsqueeze(x, dim): return _as_tensor(x).unsqueeze(dim)
def broadcast_to(x, shape): return _as_tensor(x).expand(tuple(shape))
def flatten(x, start_dim=0, end_dim=-1): return _as_tensor(x).flatten(start_dim, end_dim)


# ------------------------------------------------------------ creation

cdef Tensor _leaf(Tensor t, bint requires_grad):
    if requires_grad:
        c_set_requires_grad(t.c, True)
    return t


def empty(*shape, dtype=float32, requires_grad=False):
    cdef Dims d = _dims(_shape_arg(shape))
    return _leaf(_wrap_value(CTensor.empty(d, _code_of(dtype))), requires_grad)


def full(shape, fill_value, *, dtype=float32, requires_grad=False):
    if isinstance(shape, int):
        shape = (shape,)
    cdef Dims d = _dims(shape)
    cdef DTypeCode code = _code_of(dtype)
    cdef double v = fill_value
    cdef CTensor r
    with nogil:
        r = c_full(d, v, code)
    return _leaf(_wrap(r), requires_grad)


def zeros(*shape, dtype=float32, requires_grad=False):
    return full(_shape_arg(shape), 0.0, dtype=dtype, requires_grad=requires_grad)


def ones(*shape, dtype=float32, requires_grad=False):
    return full(_shape_arg(shape), 1.0, dtype=dtype, requires_grad=requires_grad)


def zeros_like(x, *, dtype=None):
    t = _as_tensor(x)
    return full(t.shape, 0.0, dtype=t.dtype if dtype is None else dtype)


def ones_like(x, *, dtype=None):
    t = _as_tensor(x)
    return full(t.shape, 1.0, dtype=t.dtype if dtype is None else dtype)


def full_like(x, fill_value, *, dtype=None):
    t = _as_tensor(x)
    return full(t.shape, fill_value, dtype=t.dtype if dtype is None else dtype)


def empty_like(x, *, dtype=None):
    t = _as_tensor(x)
    return empty(t.shape, dtype=t.dtype if dtype is None else dtype)


def arange(start, end=None, step=1, *, dtype=None):
    """Values start, start + step, ... below end. int64 for integer arguments, else float32."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = int64 if integral else float32
    cdef DTypeCode code = _code_of(dtype)
    cdef double a = start, b = end, s = step
    cdef CTensor r
    with nogil:
        r = c_arange(a, b, s, code)
    return _wrap(r)


def eye(n, m=None, *, dtype=float32):
    return _wrap_value(c_eye(n, n if m is None else m, _code_of(dtype)))


def rand(*shape, dtype=float32, requires_grad=False):
    """Uniform samples in [0, 1), reproducible after nncore.manual_seed."""
    cdef Dims d = _dims(_shape_arg(shape))
    cdef DTypeCode code = _code_of(dtype)
    cdef CTensor r
    with nogil:
        r = c_rand(d, code)
    return _leaf(_wrap(r), requires_grad)


def randn(*shape, dtype=float32, requires_grad=False):
    """Standard normal samples, reproducible after nncore.manual_seed."""
    cdef Dims d = _dims(_shape_arg(shape))
    cdef DTypeCode code = _code_of(dtype)
    cdef CTensor r
    with nogil:
        r = c_randn(d, code)
    return _leaf(_wrap(r), requires_grad)
