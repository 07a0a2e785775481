"""Autograd from Python: grad mode switches and custom differentiable functions.

The graph and the backward pass live in the C++ engine; this module adds the PyTorch-style
Python surface: ``no_grad()``, ``enable_grad()``, ``set_grad_enabled(mode)`` (each usable as
a context manager or a decorator) and ``Function`` for ops whose forward and backward are
written in Python.
"""
import functools

from nncore import _core
from nncore._core import Tensor, is_grad_enabled

__all__ = ["Function", "FunctionCtx", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "backward"]


class _GradMode:
    """Sets grad mode for a `with` block or for every call of a decorated function."""

    def __init__(self, enabled):
        self._enabled = bool(enabled)
        self._saved = []

    def __enter__(self):
        self._saved.append(is_grad_enabled())
        _core._set_grad_enabled(self._enabled)
        return self

    def __exit__(self, *exc):
        _core._set_grad_enabled(self._saved.pop())
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)(self._enabled) if type(self) is _GradMode else type(self)():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Ops inside record no graph (inference, parameter updates)."""

    def __init__(self):
        super().__init__(False)


class enable_grad(_GradMode):
    """Turns recording back on inside a no_grad region."""

    def __init__(self):
        super().__init__(True)


class set_grad_enabled(_GradMode):
    """Recording on or off, as given; applies immediately when called as a function."""

    def __init__(self, mode):
        super().__init__(mode)
        self._saved.append(is_grad_enabled())
        _core._set_grad_enabled(self._enabled)

    def __enter__(self):
        return self  # already switched by the constructor

    def __call__(self, fn):
        enabled = self._enabled
        _core._set_grad_enabled(self._saved.pop())  # a decorator does not switch now

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with _GradMode(enabled):
                return fn(*args, **kwargs)
        return wrapper


def backward(tensors, grad_tensors=None, retain_graph=False):
    """Backward from several outputs at once (their gradients are summed into the leaves)."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    elif isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors]
    _core._run_backward(tensors, list(grad_tensors), retain_graph)


class FunctionCtx:
    """What forward passes to backward: saved tensors and any other attributes."""

    def __init__(self):
        self._saved = ()
        self.needs_input_grad = ()

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward: expected tensors or None, got "
                                f"{type(t).__name__}")
        # Saved as data: keeping the graph alive through ctx would make a reference cycle.
        self._saved = tuple(None if t is None else t.detach() for t in tensors)

    @property
    def saved_tensors(self):
        if self._saved is None:
            raise RuntimeError("saved tensors were freed after backward; call backward with "
                               "retain_graph=True the first time if you need to")
        return self._saved


class Function:
    """A differentiable op defined in Python, like torch.autograd.Function:

        class Cube(nncore.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x * x

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 3 * x * x

        y = Cube.apply(x)

    forward runs with grad mode off; its tensor outputs join the C++ graph through one node
    whose backward calls this class's backward with one gradient per output (zeros for
    outputs that got none) and expects one gradient (or None) per forward argument.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("Function subclasses must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("Function subclasses must define backward(ctx, ...)")

    @classmethod
    def apply(cls, *args):
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            result = cls.forward(ctx, *args)
        single = not isinstance(result, tuple)
        outputs = (result,) if single else result
        for out in outputs:
            if not isinstance(out, Tensor):
                raise TypeError(f"{cls.__name__}.forward must return tensors, got "
                                f"{type(out).__name__}")
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        inputs = [args[i] for i in positions]
        if not (is_grad_enabled() and any(t.requires_grad for t in inputs)):
            return result
        # Fresh tensor objects (the same data) to carry the new node as their grad_fn.
        outputs = [out.detach() for out in outputs]
        shapes = [(out.shape, out.dtype) for out in outputs]
        name = f"{cls.__name__}Backward"

        def run_backward(grads):
            grads = [_core.zeros(*shape, dtype=dtype) if g is None else g
                     for g, (shape, dtype) in zip(grads, shapes)]
            with no_grad():
                result = cls.backward(ctx, *grads)
            result = result if isinstance(result, tuple) else (result,)
            if len(result) != len(args):
                raise ValueError(f"{name}: backward returned {len(result)} gradients for "
                                 f"{len(args)} forward arguments")
            chosen = []
            for i in positions:
                g, arg = result[i], args[i]
                if g is not None:
                    if not isinstance(g, Tensor):
                        raise TypeError(f"{name}: gradient {i} is a {type(g).__name__}, "
                                        f"not a tensor")
                    if g.shape != arg.shape:
                        raise ValueError(f"{name}: gradient {i} has shape {g.shape}, its "
                                         f"input has shape {arg.shape}")
                chosen.append(g)
            return chosen

        _core._record_function(name, inputs, outputs, run_backward)
        return outputs[0] if single else tuple(outputs)
