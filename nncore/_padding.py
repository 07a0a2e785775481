"""pad: constant padding of the last dims, PyTorch's ``F.pad`` argument order,
differentiable (re-exported by nncore.functional)."""
from nncore import _core
from nncore.autograd import Function

__all__ = ["pad"]


class _Pad(Function):
    # One NumPy copy into a filled output; the backward hands back the interior slice.
    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.interior = tuple(slice(before, before + size)
                             for (before, _), size in zip(widths, x.shape))
        shape = [size + before + after for (before, after), size in zip(widths, x.shape)]
        out = _core.full(tuple(shape), value, dtype=x.dtype)
        out.numpy()[ctx.interior] = x.numpy()
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.interior].contiguous(), None, None


def pad(input, pad, mode="constant", value=0.0):
    """Pads the last len(pad) // 2 dims: ``pad = (left, right)`` for the last dim, then
    ``(top, bottom)`` for the one before, ... as torch.nn.functional.pad. Only constant
    padding is supported; widths must be >= 0."""
    if mode != "constant":
        raise NotImplementedError(f"pad: mode {mode!r} is not supported (only 'constant')")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: expected an even number of widths for at most {input.ndim} "
                         f"dims, got {pad} for a tensor of shape {tuple(input.shape)}")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: negative widths are not supported, got {pad}")
    widths = [(0, 0)] * input.ndim
    for i in range(len(pad) // 2):
        widths[input.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return _Pad.apply(input, tuple(widths), float(value))

