# Convolution and pooling on channels-last tensors (cpp/include/nncore/conv.hpp).
#
# These are the raw entry points: NHWC input, Keras-layout kernels, padding already resolved
# to (top, bottom, left, right). nncore/_conv_functional.py builds the public API on them
# (PyTorch layout and names, and the *_nhwc functions with Keras's 'same'/'valid').


cdef ConvOptions _conv_options(object stride, object padding, object dilation,
                               int64_t groups) except *:
    cdef ConvOptions o
    o.stride_h, o.stride_w = stride
    o.pad_top, o.pad_bottom, o.pad_left, o.pad_right = padding
    o.dilation_h, o.dilation_w = dilation
    o.groups = groups
    return o


cdef PoolOptions _pool_options(object kernel, object stride, object padding,
                               object dilation) except *:
    cdef PoolOptions o
    o.kernel_h, o.kernel_w = kernel
    o.stride_h, o.stride_w = stride
    o.pad_top, o.pad_bottom, o.pad_left, o.pad_right = padding
    o.dilation_h, o.dilation_w = dilation
    return o


def _conv2d_nhwc(x, kernel, bias, stride, padding, dilation, int64_t groups):
    """x (N, H, W, C), kernel (KH, KW, C/groups, Cout); padding (top, bottom, left, right)."""
    cdef Tensor tx = _as_tensor(x), tw = _as_tensor(kernel)
    cdef CTensor cb
    if bias is not None:
        cb = (<Tensor>_as_tensor(bias)).c
    cdef ConvOptions o = _conv_options(stride, padding, dilation, groups)
    cdef CTensor r
    with nogil:
        r = c_conv2d(tx.c, tw.c, cb, o)
    return _wrap(r)


def _conv_transpose2d_nhwc(x, kernel, bias, stride, padding, output_padding, dilation,
                           int64_t groups):
    """x (N, H, W, Cin), kernel (KH, KW, Cout/groups, Cin)."""
    cdef Tensor tx = _as_tensor(x), tw = _as_tensor(kernel)
    cdef CTensor cb
    if bias is not None:
        cb = (<Tensor>_as_tensor(bias)).c
    cdef ConvOptions o = _conv_options(stride, padding, dilation, groups)
    cdef int64_t oph = output_padding[0], opw = output_padding[1]
    cdef CTensor r
    with nogil:
        r = c_conv_transpose2d(tx.c, tw.c, cb, o, oph, opw)
    return _wrap(r)


def _max_pool2d_nhwc(x, kernel, stride, padding, dilation, bint ceil_mode,
                     bint return_indices):
    """Max over windows; with return_indices also the flat h * W + w argmax (int64)."""
    cdef Tensor tx = _as_tensor(x)
    cdef PoolOptions o = _pool_options(kernel, stride, padding, dilation)
    o.ceil_mode = ceil_mode
    cdef CTensor r, idx
    with nogil:
        if return_indices:
            r = c_max_pool2d_with_indices(tx.c, o, idx)
        else:
            r = c_max_pool2d(tx.c, o)
    if return_indices:
        return _wrap(r), _wrap(idx)
    return _wrap(r)


def _avg_pool2d_nhwc(x, kernel, stride, padding, bint ceil_mode, bint count_include_pad,
                     int64_t divisor_override):
    """Mean over windows; divisor_override 0 means none."""
    cdef Tensor tx = _as_tensor(x)
    cdef PoolOptions o = _pool_options(kernel, stride, padding, (1, 1))
    o.ceil_mode = ceil_mode
    o.count_include_pad = count_include_pad
    o.divisor_override = divisor_override
    cdef CTensor r
    with nogil:
        r = c_avg_pool2d(tx.c, o)
    return _wrap(r)


def _adaptive_avg_pool2d_nhwc(x, int64_t out_h, int64_t out_w):
    cdef Tensor tx = _as_tensor(x)
    cdef CTensor r
    with nogil:
        r = c_adaptive_avg_pool2d(tx.c, out_h, out_w)
    return _wrap(r)
