"""cat and stack: joining tensors along a dim, differentiable (re-exported by
nncore.functional and the nncore namespace)."""
import numpy as np

from nncore import _core
from nncore.autograd import Function

__all__ = ["cat", "concatenate", "stack"]


class _Cat(Function):
    # The copy is one NumPy concatenate into a fresh nncore tensor; the backward hands each
    # input its slice of the gradient.
    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        ctx.sizes = [t.shape[dim] for t in tensors]
        shape = list(tensors[0].shape)
        shape[dim] = sum(ctx.sizes)
        out = _core.empty(*shape, dtype=tensors[0].dtype)
        np.concatenate([t.numpy() for t in tensors], axis=dim, out=out.numpy())
        return out

    @staticmethod
    def backward(ctx, grad):
        grads, start = [None], 0
        index = [slice(None)] * grad.ndim
        for size in ctx.sizes:
            index[ctx.dim] = slice(start, start + size)
            grads.append(grad[tuple(index)].contiguous())
            start += size
        return tuple(grads)


def cat(tensors, dim=0):
    """Joins tensors of one dtype along an existing `dim` (all other sizes must match)."""
    tensors = [_core.tensor(t) if not isinstance(t, _core.Tensor) else t for t in tensors]
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    first = tensors[0]
    if first.ndim == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated")
    if not -first.ndim <= dim < first.ndim:
        raise IndexError(f"cat: dim {dim} is out of range for tensors with {first.ndim} dims")
    dim %= first.ndim
    for i, t in enumerate(tensors):
        if t.dtype != first.dtype:
            raise TypeError(f"cat: tensor {i} is {t.dtype.name}, tensor 0 is {first.dtype.name}")
        if t.ndim != first.ndim or any(a != b for d, (a, b) in enumerate(
                zip(t.shape, first.shape)) if d != dim):
            raise ValueError(f"cat: tensor {i} has shape {tuple(t.shape)}, which does not "
                             f"match tensor 0's {tuple(first.shape)} outside dim {dim}")
    return _Cat.apply(dim, *tensors)


concatenate = cat


def stack(tensors, dim=0):
    """Joins same-shaped tensors along a new `dim`."""
    tensors = [_core.tensor(t) if not isinstance(t, _core.Tensor) else t for t in tensors]
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    ndim = tensors[0].ndim + 1
    if not -ndim <= dim < ndim:
        raise IndexError(f"stack: dim {dim} is out of range for results with {ndim} dims")
    dim %= ndim
    return cat([_core.unsqueeze(t, dim) for t in tensors], dim)
