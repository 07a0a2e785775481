"""The ParametricSquareplus layer: squareplus with a learned smoothness per feature.

Its forward pass and both gradients (with respect to the input and to b) are the C++
kernels in parametric_squareplus.hpp, bound in _parametric_squareplus.pyx and joined to
nncore's autograd by the Function below; the layer stores and trains b.
"""
import math

import nncore
import nncore.functional as F
from nncore.autograd import Function
from nncore.initializers import Constant
from nncore.layers import Layer

from nncore_example_native import _parametric_squareplus

__all__ = ["ParametricSquareplus", "ParametricSquareplusFunction", "parametric_squareplus"]


class ParametricSquareplusFunction(Function):
    """(x + sqrt(x^2 + b)) / 2, b per feature: one kernel forward, one kernel backward."""

    @staticmethod
    def forward(ctx, x, b):
        ctx.save_for_backward(x, b)
        return _parametric_squareplus.forward(x, b)

    @staticmethod
    def backward(ctx, grad):
        x, b = ctx.saved_tensors
        grad_x, grad_b = _parametric_squareplus.backward(x, b, grad)
        needs_x, needs_b = ctx.needs_input_grad
        return (grad_x if needs_x else None), (grad_b if needs_b else None)


def parametric_squareplus(x, b):
    """(x + sqrt(x^2 + b)) / 2 with b, a 1-d tensor of positive values, broadcast along
    x's last axis; differentiable in x and in b."""
    for what, t in (("x", x), ("b", b)):
        if not isinstance(t, nncore.Tensor):
            raise TypeError(f"parametric_squareplus: {what} must be an nncore.Tensor, got "
                            f"{type(t).__name__}")
    return ParametricSquareplusFunction.apply(x, b)


def _softplus_inverse(y):
    # log(exp(y) - 1), written so that exp(y) cannot overflow for large y.
    return y + math.log(-math.expm1(-y))


class ParametricSquareplus(Layer):
    """Squareplus with a learned b per feature (the last axis), as PReLU is ReLU with a
    learned slope: ``y = (x + sqrt(x^2 + b)) / 2``, a smooth ReLU whose bend near 0 each
    feature tunes for itself.

    b must stay positive (at b = 0 the gradient at x = 0 is 0 / 0), so the trained weight
    is ``b_raw`` and ``b = softplus(b_raw)``: any step the optimizer takes keeps b > 0.
    ``initial_b`` (4, squareplus's usual value) is where every b starts."""

    def __init__(self, initial_b=4.0, **kwargs):
        super().__init__(**kwargs)
        if not float(initial_b) > 0:
            raise ValueError(f"ParametricSquareplus: initial_b must be positive, got "
                             f"{initial_b!r}")
        self.initial_b = float(initial_b)

    def build(self, input_shape):
        features = input_shape[-1]
        if features is None:
            raise ValueError(f"ParametricSquareplus layer {self.name!r}: the last dimension "
                             f"of its input must be known, got shape {tuple(input_shape)}")
        self.b_raw = self.add_weight("b_raw", (features,),
                                     initializer=Constant(_softplus_inverse(self.initial_b)))

    @property
    def b(self):
        """The current b of every feature (a tensor without a graph)."""
        with nncore.no_grad():
            return F.softplus(self.b_raw)

    def call(self, inputs):
        return parametric_squareplus(inputs, F.softplus(self.b_raw))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "initial_b": self.initial_b}
