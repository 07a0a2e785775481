"""Convolution and pooling (re-exported by nncore.functional).

Two faces of one channels-last engine:

* PyTorch's names, arguments and layouts: ``conv1d``, ``conv2d``, ``conv_transpose2d``,
  ``max_pool1d/2d``, ``avg_pool1d/2d``, ``adaptive_avg_pool1d/2d`` take (N, C, H, W)
  inputs and (out, in/groups, kH, kW) weights, like ``torch.nn.functional``;
* channels-last entry points for Keras-style layers: ``conv1d_nwc``, ``conv2d_nhwc``,
  ``conv_transpose2d_nhwc``, ``max_pool1d_nwc/2d_nhwc``, ``avg_pool1d_nwc/2d_nhwc``,
  ``adaptive_avg_pool2d_nhwc`` take (N, H, W, C) inputs and Keras-layout kernels
  (kH, kW, in/groups, out), with Keras's ``padding='valid'|'same'``.

The engine works in NHWC. The PyTorch-layout functions hand it their input as a permuted
view (no copy) and return its output as a permuted view, so consecutive ops stay
channels-last in memory. Everything is differentiable.

Padding: PyTorch's ``'same'`` (stride 1 only) pads (k - 1) * dilation in total, the extra
row at the bottom/right; Keras's ``'same'`` pads max((ceil(in / s) - 1) * s + (k - 1) * d
+ 1 - in, 0) in total, floor(total / 2) at the top/left, so the output has ceil(in / s)
rows. ``'valid'`` is no padding.
"""
import operator

from nncore._core import (_adaptive_avg_pool2d_nhwc, _avg_pool2d_nhwc, _conv2d_nhwc,
                          _conv_transpose2d_nhwc, _max_pool2d_nhwc)

__all__ = [
    "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d", "max_pool2d",
    "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "conv1d_nwc", "conv2d_nhwc", "conv_transpose2d_nhwc", "max_pool1d_nwc", "max_pool2d_nhwc",
    "avg_pool1d_nwc", "avg_pool2d_nhwc", "adaptive_avg_pool2d_nhwc",
]


# ---- argument normalisation ---------------------------------------------------------

def _tuple(value, n, name, op):
    """An int or a sequence of n ints -> a tuple of n ints."""
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(f"{op}: {name} must be an int or {n} ints, got {value!r}")
        return tuple(operator.index(v) for v in value)
    try:
        return (operator.index(value),) * n
    except TypeError:
        raise TypeError(f"{op}: {name} must be an int or {n} ints, got {value!r}") from None


def _keras_same(size, k, s, d):
    """(before, after) padding of Keras's 'same' along one axis."""
    out = -(-size // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def _torch_padding(padding, kernel, stride, dilation, op):
    """PyTorch's padding argument -> (top, bottom, left, right); kernel is (kh, kw)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{op}: padding='same' is not supported for strided "
                                 f"convolutions (stride {stride})")
            pads = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                pads += [total // 2, total - total // 2]
            return tuple(pads)
        raise ValueError(f"{op}: padding must be 'valid', 'same', an int or a tuple, "
                         f"got {padding!r}")
    ph, pw = _tuple(padding, 2, "padding", op)
    return (ph, ph, pw, pw)


def _keras_padding(padding, spatial, kernel, strides, dilation, op):
    """The NHWC functions' padding -> (top, bottom, left, right): 'valid', 'same' (Keras),
    an int, (ph, pw) or (top, bottom, left, right)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding == "same":
            (t, b), (l, r) = (_keras_same(n, k, s, d)
                              for n, k, s, d in zip(spatial, kernel, strides, dilation))
            return (t, b, l, r)
        raise ValueError(f"{op}: padding must be 'valid', 'same', an int or a tuple, "
                         f"got {padding!r}")
    if isinstance(padding, (tuple, list)) and len(padding) == 4:
        return tuple(operator.index(p) for p in padding)
    ph, pw = _tuple(padding, 2, "padding", op)
    return (ph, ph, pw, pw)


def _check_rank(t, n, what, op):
    if t.ndim != n:
        raise ValueError(f"{op}: expected a {n}-d {what}, got shape {tuple(t.shape)}")


def _check_torch_channels(input, weight, groups, op, transposed=False):
    c = input.shape[1]
    if groups < 1:
        raise ValueError(f"{op}: groups must be positive, got {groups}")
    if transposed:
        if weight.shape[0] != c:
            raise ValueError(f"{op}: weight of shape {tuple(weight.shape)} expects {weight.shape[0]} "
                             f"input channels, got input of shape {tuple(input.shape)}")
        if c % groups:
            raise ValueError(f"{op}: {c} input channels are not divisible by groups={groups}")
        return
    if c % groups or weight.shape[0] % groups:
        raise ValueError(f"{op}: input channels ({c}) and output channels ({weight.shape[0]}) "
                         f"must both be divisible by groups={groups}")
    if weight.shape[1] * groups != c:
        raise ValueError(f"{op}: weight of shape {tuple(weight.shape)} expects "
                         f"{weight.shape[1] * groups} input channels (groups={groups}), got "
                         f"input of shape {tuple(input.shape)} ({input.dtype.name})")


def _check_fits(input, kernel, pads, dilation, op):
    """The PyTorch-layout message for a kernel that does not fit (the engine would name
    the channels-last view)."""
    spatial = tuple(input.shape[2:])
    padded = [n + a + b for n, a, b in zip(spatial, pads[0::2], pads[1::2])]
    reach = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(p < 0 for p in pads):
        raise ValueError(f"{op}: padding must be non-negative, got {pads}")
    if any(r > p for r, p in zip(reach, padded)):
        dilated = f" (dilated to {'x'.join(map(str, reach))})" if any(d > 1 for d in dilation) else ""
        raise ValueError(f"{op}: kernel {'x'.join(map(str, kernel))}{dilated} is larger than "
                         f"the padded input "
                         f"{'x'.join(map(str, padded))} (input {input.dtype.name} of shape "
                         f"{tuple(input.shape)})")


def _unbatched(input, batched_ndim, op, what):
    """PyTorch accepts one sample without its batch dim; returns (input, was_unbatched)."""
    if input.ndim == batched_ndim - 1:
        return input.unsqueeze(0), True
    _check_rank(input, batched_ndim, what, op)
    return input, False


# ---- PyTorch layout -----------------------------------------------------------------

def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution (cross-correlation), ``torch.nn.functional.conv2d``.

    input (N, C, H, W) or (C, H, W); weight (out, C / groups, kH, kW); bias (out,).
    padding: an int, (pad_h, pad_w), 'valid' or 'same' (stride 1 only)."""
    op = "conv2d"
    input, single = _unbatched(input, 4, op, "input (N, C, H, W)")
    _check_rank(weight, 4, "weight (out_channels, in_channels/groups, kH, kW)", op)
    _check_torch_channels(input, weight, groups, op)
    stride = _tuple(stride, 2, "stride", op)
    dilation = _tuple(dilation, 2, "dilation", op)
    pads = _torch_padding(padding, tuple(weight.shape[2:]), stride, dilation, op)
    _check_fits(input, tuple(weight.shape[2:]), pads, dilation, op)
    y = _conv2d_nhwc(input.permute(0, 2, 3, 1), weight.permute(2, 3, 1, 0), bias, stride,
                     pads, dilation, groups).permute(0, 3, 1, 2)
    return y.squeeze(0) if single else y


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution, ``torch.nn.functional.conv1d``: input (N, C, L) or (C, L), weight
    (out, C / groups, k). padding: an int, 'valid' or 'same' (stride 1 only)."""
    op = "conv1d"
    input, single = _unbatched(input, 3, op, "input (N, C, L)")
    _check_rank(weight, 3, "weight (out_channels, in_channels/groups, k)", op)
    _check_torch_channels(input, weight, groups, op)
    (s,) = _tuple(stride, 1, "stride", op)
    (d,) = _tuple(dilation, 1, "dilation", op)
    if isinstance(padding, str):
        _, _, left, right = _torch_padding(padding, (1, weight.shape[2]), (1, s), (1, d), op)
    else:
        (left,) = _tuple(padding, 1, "padding", op)
        right = left
    _check_fits(input, (weight.shape[2],), (left, right), (d,), op)
    x = input.permute(0, 2, 1).unsqueeze(1)
    w = weight.permute(2, 1, 0).unsqueeze(0)
    y = _conv2d_nhwc(x, w, bias, (1, s), (0, 0, left, right), (1, d), groups)
    y = y.squeeze(1).permute(0, 2, 1)
    return y.squeeze(0) if single else y


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """Transposed 2-d convolution, ``torch.nn.functional.conv_transpose2d``: input
    (N, C, H, W), weight (C, out / groups, kH, kW). Output size per axis:
    (in - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1."""
    op = "conv_transpose2d"
    input, single = _unbatched(input, 4, op, "input (N, C, H, W)")
    _check_rank(weight, 4, "weight (in_channels, out_channels/groups, kH, kW)", op)
    _check_torch_channels(input, weight, groups, op, transposed=True)
    stride = _tuple(stride, 2, "stride", op)
    dilation = _tuple(dilation, 2, "dilation", op)
    ph, pw = _tuple(padding, 2, "padding", op)
    out_pad = _tuple(output_padding, 2, "output_padding", op)
    y = _conv_transpose2d_nhwc(input.permute(0, 2, 3, 1), weight.permute(2, 3, 1, 0), bias,
                               stride, (ph, ph, pw, pw), out_pad, dilation,
                               groups).permute(0, 3, 1, 2)
    return y.squeeze(0) if single else y


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """Transposed 1-d convolution: input (N, C, L), weight (C, out / groups, k)."""
    op = "conv_transpose1d"
    input, single = _unbatched(input, 3, op, "input (N, C, L)")
    _check_rank(weight, 3, "weight (in_channels, out_channels/groups, k)", op)
    _check_torch_channels(input, weight, groups, op, transposed=True)
    (s,) = _tuple(stride, 1, "stride", op)
    (d,) = _tuple(dilation, 1, "dilation", op)
    (p,) = _tuple(padding, 1, "padding", op)
    (op_,) = _tuple(output_padding, 1, "output_padding", op)
    x = input.permute(0, 2, 1).unsqueeze(1)
    w = weight.permute(2, 1, 0).unsqueeze(0)
    y = _conv_transpose2d_nhwc(x, w, bias, (1, s), (0, 0, p, p), (0, op_), (1, d), groups)
    y = y.squeeze(1).permute(0, 2, 1)
    return y.squeeze(0) if single else y


def _pool_args(kernel_size, stride, padding, dilation, n, op):
    kernel = _tuple(kernel_size, n, "kernel_size", op)
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and not stride) \
        else _tuple(stride, n, "stride", op)
    padding = _tuple(padding, n, "padding", op)
    dilation = _tuple(dilation, n, "dilation", op)
    return kernel, stride, padding, dilation


def _nchw_pool(input, fn, op):
    """Runs fn on the NHWC view of an (N, C, H, W) or (C, H, W) input."""
    input, single = _unbatched(input, 4, op, "input (N, C, H, W)")
    out = fn(input.permute(0, 2, 3, 1))
    if isinstance(out, tuple):
        y, idx = (t.permute(0, 3, 1, 2) for t in out)
        return (y.squeeze(0), idx.squeeze(0)) if single else (y, idx)
    y = out.permute(0, 3, 1, 2)
    return y.squeeze(0) if single else y


def _ncl_pool(input, fn, op):
    """Runs fn on the (N, 1, L, C) view of an (N, C, L) or (C, L) input."""
    input, single = _unbatched(input, 3, op, "input (N, C, L)")
    out = fn(input.permute(0, 2, 1).unsqueeze(1))

    def back(t):
        t = t.squeeze(1).permute(0, 2, 1)
        return t.squeeze(0) if single else t
    return tuple(back(t) for t in out) if isinstance(out, tuple) else back(out)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over kH x kW windows, ``torch.nn.functional.max_pool2d``; NaN propagates. With
    return_indices, also the flat index h * W + w of each maximum (int64)."""
    op = "max_pool2d"
    kernel, stride, (ph, pw), dilation = _pool_args(kernel_size, stride, padding, dilation,
                                                     2, op)
    return _nchw_pool(input, lambda x: _max_pool2d_nhwc(
        x, kernel, stride, (ph, ph, pw, pw), dilation, ceil_mode, return_indices), op)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows of k along L, input (N, C, L)."""
    op = "max_pool1d"
    (k,), (s,), (p,), (d,) = _pool_args(kernel_size, stride, padding, dilation, 1, op)
    return _ncl_pool(input, lambda x: _max_pool2d_nhwc(
        x, (1, k), (1, s), (0, 0, p, p), (1, d), ceil_mode, return_indices), op)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over kH x kW windows, ``torch.nn.functional.avg_pool2d``: padding counts in the
    divisor when count_include_pad; divisor_override fixes the divisor."""
    op = "avg_pool2d"
    kernel, stride, (ph, pw), _ = _pool_args(kernel_size, stride, padding, 1, 2, op)
    if divisor_override is not None and divisor_override <= 0:
        raise ValueError(f"{op}: divisor_override must be positive, got {divisor_override}")
    div = 0 if divisor_override is None else int(divisor_override)
    return _nchw_pool(input, lambda x: _avg_pool2d_nhwc(
        x, kernel, stride, (ph, ph, pw, pw), ceil_mode, count_include_pad, div), op)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over windows of k along L, input (N, C, L)."""
    op = "avg_pool1d"
    (k,), (s,), (p,), _ = _pool_args(kernel_size, stride, padding, 1, 1, op)
    return _ncl_pool(input, lambda x: _avg_pool2d_nhwc(
        x, (1, k), (1, s), (0, 0, p, p), ceil_mode, count_include_pad, 0), op)


def _adaptive_size(output_size, spatial, op):
    sizes = _tuple_or_none(output_size, len(spatial), op)
    return tuple(s if o is None else o for o, s in zip(sizes, spatial))


def _tuple_or_none(value, n, op):
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(f"{op}: output_size must be an int or {n} ints, got {value!r}")
        return tuple(None if v is None else operator.index(v) for v in value)
    return (operator.index(value),) * n


def adaptive_avg_pool2d(input, output_size):
    """Mean over PyTorch's adaptive windows to an output of output_size (an int, or
    (oh, ow) where None keeps the input's size)."""
    op = "adaptive_avg_pool2d"
    return _nchw_pool(input, lambda x: _adaptive_avg_pool2d_nhwc(
        x, *_adaptive_size(output_size, (x.shape[1], x.shape[2]), op)), op)


def adaptive_avg_pool1d(input, output_size):
    """Mean over adaptive windows along L, input (N, C, L)."""
    op = "adaptive_avg_pool1d"
    return _ncl_pool(input, lambda x: _adaptive_avg_pool2d_nhwc(
        x, 1, *_adaptive_size(output_size, (x.shape[2],), op)), op)


# ---- channels-last (Keras layouts) --------------------------------------------------

def conv2d_nhwc(x, kernel, bias=None, strides=(1, 1), padding="valid", dilation=(1, 1),
                groups=1):
    """2-d convolution of x (N, H, W, C) with kernel (kH, kW, C / groups, out) (Keras's
    Conv2D layout) and bias (out,); returns (N, OH, OW, out). padding: 'valid', 'same'
    (Keras's rule, any stride), an int, (pad_h, pad_w) or (top, bottom, left, right).
    groups == C with out == C is a depthwise convolution (a direct kernel)."""
    op = "conv2d_nhwc"
    _check_rank(x, 4, "input (N, H, W, C)", op)
    _check_rank(kernel, 4, "kernel (kH, kW, in_channels/groups, out_channels)", op)
    strides = _tuple(strides, 2, "strides", op)
    dilation = _tuple(dilation, 2, "dilation", op)
    pads = _keras_padding(padding, (x.shape[1], x.shape[2]), tuple(kernel.shape[:2]),
                          strides, dilation, op)
    return _conv2d_nhwc(x, kernel, bias, strides, pads, dilation, groups)


def conv1d_nwc(x, kernel, bias=None, strides=1, padding="valid", dilation=1, groups=1):
    """1-d convolution of x (N, L, C) with kernel (k, C / groups, out) (Keras's Conv1D);
    padding 'valid', 'same', 'causal' (all padding on the left) or an int."""
    op = "conv1d_nwc"
    _check_rank(x, 3, "input (N, L, C)", op)
    _check_rank(kernel, 3, "kernel (k, in_channels/groups, out_channels)", op)
    (s,) = _tuple(strides, 1, "strides", op)
    (d,) = _tuple(dilation, 1, "dilation", op)
    k = kernel.shape[0]
    if padding == "causal":
        pads = (0, 0, d * (k - 1), 0)
    elif isinstance(padding, str):
        pads = _keras_padding(padding, (1, x.shape[1]), (1, k), (1, s), (1, d), op)
    else:
        (p,) = _tuple(padding, 1, "padding", op)
        pads = (0, 0, p, p)
    y = _conv2d_nhwc(x.unsqueeze(1), kernel.unsqueeze(0), bias, (1, s), pads, (1, d), groups)
    return y.squeeze(1)


def conv_transpose2d_nhwc(x, kernel, bias=None, strides=(1, 1), padding="valid",
                          output_padding=None, dilation=(1, 1), groups=1):
    """Transposed 2-d convolution of x (N, H, W, C) with kernel (kH, kW, out / groups, C)
    (Keras's Conv2DTranspose layout). Output size per axis as Keras computes it: without
    output_padding, in * s + max(k' - s, 0) for 'valid' and in * s for 'same' (k' the
    dilated kernel); with it, (in - 1) * s + k' - 2 * pad + output_padding, pad = k' // 2
    for 'same' and 0 for 'valid'. An explicit (top, bottom, left, right) padding is also
    accepted (then output_padding defaults to 0)."""
    op = "conv_transpose2d_nhwc"
    _check_rank(x, 4, "input (N, H, W, C)", op)
    _check_rank(kernel, 4, "kernel (kH, kW, out_channels/groups, in_channels)", op)
    strides = _tuple(strides, 2, "strides", op)
    dilation = _tuple(dilation, 2, "dilation", op)
    if not isinstance(padding, str):
        if isinstance(padding, (tuple, list)) and len(padding) == 4:
            pads = tuple(operator.index(p) for p in padding)
        else:
            ph, pw = _tuple(padding, 2, "padding", op)
            pads = (ph, ph, pw, pw)
        out_pad = _tuple(0 if output_padding is None else output_padding, 2,
                         "output_padding", op)
        return _conv_transpose2d_nhwc(x, kernel, bias, strides, pads, out_pad, dilation,
                                      groups)
    if padding not in ("valid", "same"):
        raise ValueError(f"{op}: padding must be 'valid', 'same' or a tuple, got {padding!r}")
    pads, out_pad = [], []
    given = None if output_padding is None else _tuple(output_padding, 2, "output_padding", op)
    for axis in range(2):
        k = (kernel.shape[axis] - 1) * dilation[axis] + 1
        s = strides[axis]
        if given is not None:
            p = k // 2 if padding == "same" else 0
            pads += [p, p]
            out_pad.append(given[axis])
            continue
        # Remove `total` rows from the full transposed output (k' - s of them), or add
        # output padding when the kernel is shorter than the stride.
        total = k - s if padding == "same" else min(k - s, 0)
        if total >= 0:
            pads += [total // 2, total - total // 2]
            out_pad.append(0)
        else:
            pads += [0, 0]
            out_pad.append(-total)
    return _conv_transpose2d_nhwc(x, kernel, bias, strides, tuple(pads), tuple(out_pad),
                                  dilation, groups)


def _keras_pool_args(x, pool_size, strides, padding, op):
    pool = _tuple(pool_size, 2, "pool_size", op)
    strides = pool if strides is None else _tuple(strides, 2, "strides", op)
    if isinstance(padding, str) and padding not in ("valid", "same"):
        raise ValueError(f"{op}: padding must be 'valid' or 'same', got {padding!r}")
    pads = _keras_padding(padding, (x.shape[1], x.shape[2]), pool, strides, (1, 1), op)
    return pool, strides, pads


def max_pool2d_nhwc(x, pool_size=(2, 2), strides=None, padding="valid"):
    """Max pooling of x (N, H, W, C), Keras's MaxPooling2D: strides default to pool_size;
    'same' pads so the output has ceil(in / stride) rows (padding never wins)."""
    op = "max_pool2d_nhwc"
    _check_rank(x, 4, "input (N, H, W, C)", op)
    pool, strides, pads = _keras_pool_args(x, pool_size, strides, padding, op)
    return _max_pool2d_nhwc(x, pool, strides, pads, (1, 1), False, False)


def avg_pool2d_nhwc(x, pool_size=(2, 2), strides=None, padding="valid"):
    """Average pooling of x (N, H, W, C), Keras's AveragePooling2D: with 'same' the padded
    positions do not count in the divisor (each window averages its real elements)."""
    op = "avg_pool2d_nhwc"
    _check_rank(x, 4, "input (N, H, W, C)", op)
    pool, strides, pads = _keras_pool_args(x, pool_size, strides, padding, op)
    return _avg_pool2d_nhwc(x, pool, strides, pads, False, False, 0)


def max_pool1d_nwc(x, pool_size=2, strides=None, padding="valid"):
    """Max pooling of x (N, L, C), Keras's MaxPooling1D."""
    op = "max_pool1d_nwc"
    _check_rank(x, 3, "input (N, L, C)", op)
    (k,) = _tuple(pool_size, 1, "pool_size", op)
    s = k if strides is None else _tuple(strides, 1, "strides", op)[0]
    return max_pool2d_nhwc(x.unsqueeze(1), (1, k), (1, s), padding).squeeze(1)


def avg_pool1d_nwc(x, pool_size=2, strides=None, padding="valid"):
    """Average pooling of x (N, L, C), Keras's AveragePooling1D."""
    op = "avg_pool1d_nwc"
    _check_rank(x, 3, "input (N, L, C)", op)
    (k,) = _tuple(pool_size, 1, "pool_size", op)
    s = k if strides is None else _tuple(strides, 1, "strides", op)[0]
    return avg_pool2d_nhwc(x.unsqueeze(1), (1, k), (1, s), padding).squeeze(1)


def adaptive_avg_pool2d_nhwc(x, output_size):
    """PyTorch's adaptive average pooling on x (N, H, W, C); output_size 1 is a global
    average pool (keeping the two spatial dims of size 1)."""
    op = "adaptive_avg_pool2d_nhwc"
    _check_rank(x, 4, "input (N, H, W, C)", op)
    return _adaptive_avg_pool2d_nhwc(x, *_adaptive_size(output_size, (x.shape[1], x.shape[2]),
                                                        op))
