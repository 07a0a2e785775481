"""nncore: a CPU deep-learning library with a C++ engine.

Tensor-level API with PyTorch's names:

    >>> import nncore
    >>> x = nncore.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> (x @ x.T).sum(dim=1)
    tensor([16., 36.])
"""
from nncore._version import __version__
from nncore._core import (
    Tensor, dtype, as_dtype, float32, float64, int32, int64, uint8, bool_,
    from_numpy, tensor,
    empty, zeros, ones, full, zeros_like, ones_like, full_like, empty_like, arange, eye,
    rand, randn,
    add, sub, mul, div, pow, neg, exp, log, sqrt, abs, clip, maximum, minimum,
    eq, ne, lt, le, gt, ge, where, matmul, addmm,
    sum, mean, max, min, amax, amin, var, argmax, argmin,
    reshape, permute, transpose, squeeze, unsqueeze, broadcast_to, flatten,
    set_num_threads, get_num_threads, manual_seed, initial_seed, is_grad_enabled,
)
from nncore import autograd, testing
from nncore import optimizers, schedules
from nncore import functional
from nncore.autograd import no_grad, enable_grad, set_grad_enabled
from nncore._joining import cat, concatenate, stack

bool = bool_  # nncore.bool, like torch.bool
clamp = clip
subtract, multiply, divide, true_divide = sub, mul, div, div


def get_include():
    """The folder holding nncore's C++ headers (`#include <nncore/tensor.hpp>`), for native
    plugins: pass it to the compiler's include path."""
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    installed = os.path.join(here, "include")
    if os.path.isdir(installed):
        return installed
    # A source checkout (editable install or in-place build): the headers live in cpp/include.
    return os.path.join(os.path.dirname(here), "cpp", "include")


def info():
    """What this build runs on: version, chosen instruction set, OpenMP and threads."""
    from nncore._core import _build_info
    return {"version": __version__, **_build_info()}


_LAZY_SUBMODULES = ("losses", "metrics", "initializers", "regularizers", "registry", "layers",
                    "models", "callbacks", "datasets", "data", "saving", "images", "classic")
_LAZY_NAMES = {"Sequential": "models", "Model": "models", "Input": "layers"}


def __getattr__(name):
    # Keras-level modules load on first use, keeping `import nncore` quick.
    import importlib
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"nncore.{name}")
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(f"nncore.{_LAZY_NAMES[name]}"), name)
    raise AttributeError(f"module 'nncore' has no attribute {name!r}")


__all__ = ([name for name in dir() if not name.startswith("_")] + list(_LAZY_SUBMODULES)
           + list(_LAZY_NAMES))
