"""The bent identity activation, composed from nncore ops so autograd differentiates it."""
import nncore


def bent_identity(x):
    """(sqrt(x^2 + 1) - 1) / 2 + x; gradient x / (2 sqrt(x^2 + 1)) + 1.

    Computed as x^2 / (2 (sqrt(x^2 + 1) + 1)) + x, the same value without the cancellation
    of sqrt(x^2 + 1) - 1 for small x.
    """
    x2 = x * x
    return x2 / ((nncore.sqrt(x2 + 1.0) + 1.0) * 2.0) + x
