"""The squareplus activation: C++ kernels made differentiable by an autograd.Function.

The C++ kernels run on nncore tensors through nncore's C API (see _squareplus.pyx); this
Function joins them to nncore's autograd graph: forward and backward each call one kernel.
"""
import nncore
from nncore.autograd import Function

from nncore_example_native import _squareplus


class Squareplus(Function):
    """squareplus(x, b) with the C++ forward and derivative kernels."""

    @staticmethod
    def forward(ctx, x, b):
        ctx.save_for_backward(x)
        ctx.b = b
        return _squareplus.forward(x, b)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _squareplus.backward(x, grad, ctx.b), None  # b is a constant: no gradient


def squareplus(x, b=4.0):
    """(x + sqrt(x^2 + b)) / 2, a smooth ReLU (Barron, 2021); b > 0 sets the smoothness
    near 0. Gradient (1 + x / sqrt(x^2 + b)) / 2."""
    if not isinstance(x, nncore.Tensor):
        raise TypeError(f"squareplus: expected an nncore.Tensor, got {type(x).__name__}")
    if x.dtype not in (nncore.float32, nncore.float64):
        raise TypeError(f"squareplus: expected a float32 or float64 tensor, got {x.dtype.name}")
    if not b > 0:
        raise ValueError(f"squareplus: b must be positive, got {b}")
    return Squareplus.apply(x, float(b))
