"""Tensor-level functions with PyTorch's names and arguments (``torch.nn.functional``).

    >>> import nncore.functional as F
    >>> F.relu(nncore.tensor([-1.0, 2.0]))
    tensor([0., 2.])

Every function here runs one fused C++ kernel (SIMD, multithreaded, GIL released) and is
differentiable; inputs must be float32 or float64 (anything else raises TypeError).
Besides PyTorch's activations there are the classic ones under their own names: linear,
step / heaviside, sign, gaussian, hard_sigmoid, swish.
"""
from nncore._core import activation as _act, prelu as _prelu, softmax as _softmax
# Losses live in their own module (owned with the loss registry); re-exported here so that
# nncore.functional carries every tensor-level function under PyTorch's names.
from nncore import _loss_functional
from nncore._loss_functional import *  # noqa: F401,F403
from nncore import _conv_functional
from nncore._conv_functional import *  # noqa: F401,F403
from nncore._joining import cat, concatenate, stack  # noqa: F401
from nncore._padding import pad  # noqa: F401
from nncore._rnn_functional import gru, lstm, rnn  # noqa: F401

__all__ = [
    "linear", "step", "heaviside", "sign", "sigmoid", "hardsigmoid", "hard_sigmoid", "tanh",
    "relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "gelu", "silu", "swish",
    "softplus", "softsign", "mish", "gaussian", "asinh", "softmax", "log_softmax",
    "cat", "concatenate", "stack", "pad", "rnn", "lstm", "gru",
] + list(_loss_functional.__all__) + list(_conv_functional.__all__)


def linear(input, weight=None, bias=None):
    """With only `input`: the identity activation (a copy; the gradient passes through).
    With `weight` (and optional `bias`): PyTorch's ``linear``, input @ weight.T + bias."""
    if weight is None:
        if bias is not None:
            raise TypeError("linear: bias given without weight")
        return _act("linear", input)
    out = input @ weight.T
    return out if bias is None else out + bias


def heaviside(input, values=0.0, straight_through=False):
    """1 where input > 0, 0 where input < 0, and `values` (a number) where input == 0.

    The true gradient is zero almost everywhere. With ``straight_through=True`` the backward
    passes the incoming gradient unchanged (the straight-through estimator), which lets a
    step activation train."""
    return _act("step", input, float(values), 0.0, straight_through)


def step(input, straight_through=False):
    """The perceptron's step: 1 where input >= 0, else 0 (heaviside with value 1 at 0).

    Zero gradient almost everywhere; ``straight_through=True`` passes the gradient
    unchanged instead."""
    return _act("step", input, 1.0, 0.0, straight_through)


def sign(input, straight_through=False):
    """-1, 0 or 1 by the sign of input (NaN stays NaN).

    Zero gradient almost everywhere; ``straight_through=True`` passes the gradient
    unchanged instead."""
    return _act("sign", input, 0.0, 0.0, straight_through)


def sigmoid(input):
    """1 / (1 + exp(-x)); gradient s * (1 - s), from the saved output."""
    return _act("sigmoid", input)


def hardsigmoid(input):
    """relu6(x + 3) / 6 (Keras' hard_sigmoid); gradient 1/6 on (-3, 3), else 0."""
    return _act("hard_sigmoid", input)


hard_sigmoid = hardsigmoid


def tanh(input):
    """tanh(x); gradient 1 - tanh(x)^2, from the saved output."""
    return _act("tanh", input)


def relu(input):
    """max(x, 0); gradient 1 where x > 0, else 0."""
    return _act("relu", input)


def relu6(input):
    """min(max(x, 0), 6); gradient 1 on (0, 6), else 0."""
    return _act("relu6", input)


def leaky_relu(input, negative_slope=0.01):
    """x where x > 0, else negative_slope * x."""
    return _act("leaky_relu", input, float(negative_slope))


def prelu(input, weight):
    """max(x, 0) + weight * min(x, 0) with a learnable `weight`: one element, or one per
    channel (dim 1 of input), like torch.nn.functional.prelu. Differentiable in both."""
    return _prelu(input, weight)


def elu(input, alpha=1.0):
    """x where x > 0, else alpha * (exp(x) - 1)."""
    return _act("elu", input, float(alpha))


def selu(input):
    """scale * elu(x, alpha) with alpha = 1.6732632..., scale = 1.0507009..."""
    return _act("selu", input)


def gelu(input, approximate="none"):
    """x * Phi(x), Phi the standard normal CDF (exact, via erf) when approximate='none';
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) when approximate='tanh'."""
    if approximate == "none":
        return _act("gelu", input)
    if approximate == "tanh":
        return _act("gelu_tanh", input)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input):
    """x * sigmoid(x), also called swish."""
    return _act("silu", input)


swish = silu


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, or x itself where beta * x > threshold (where the two
    agree to float precision); gradient sigmoid(beta * x)."""
    return _act("softplus", input, float(beta), float(threshold))


def softsign(input):
    """x / (1 + |x|); gradient 1 / (1 + |x|)^2."""
    return _act("softsign", input)


def mish(input):
    """x * tanh(softplus(x))."""
    return _act("mish", input)


def gaussian(input):
    """exp(-x^2 / 2) (unnormalised); gradient -x * exp(-x^2 / 2)."""
    return _act("gaussian", input)


def asinh(input):
    """ln(x + sqrt(x^2 + 1)), computed without cancellation for negative or tiny x;
    gradient 1 / sqrt(x^2 + 1)."""
    return _act("asinh", input)


def softmax(input, dim=-1):
    """exp(x) / sum(exp(x)) along `dim`, computed as exp(x - max) so large inputs do not
    overflow."""
    return _softmax(input, dim, False)


def log_softmax(input, dim=-1):
    """x - max - log(sum(exp(x - max))) along `dim`: log(softmax(x)) without underflow."""
    return _softmax(input, dim, True)
