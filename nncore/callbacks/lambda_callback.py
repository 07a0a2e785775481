"""LambdaCallback: a callback made of plain functions."""
from nncore.callbacks.base import Callback

__all__ = ["LambdaCallback"]

_HOOKS = frozenset(name for name in vars(Callback) if name.startswith("on_"))


class LambdaCallback(Callback):
    """Calls the functions given for each hook, with the hook's arguments:
    ``on_epoch_end(epoch, logs)``, ``on_train_batch_end(batch, logs)``,
    ``on_train_begin(logs)``... Any other hook (on_test_end=..., on_batch_end=...) may be
    given as a keyword argument.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        unknown = sorted(set(kwargs) - _HOOKS)
        if unknown:
            raise TypeError(f"LambdaCallback: unknown hook(s) {', '.join(unknown)}; hooks "
                            f"are {', '.join(sorted(_HOOKS))}")
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end, **kwargs)
        for name, function in hooks.items():
            if function is None:
                continue
            if not callable(function):
                raise TypeError(f"LambdaCallback: {name} must be callable, got "
                                f"{type(function).__name__}")
            setattr(self, name, function)  # an instance attribute shadows the no-op method
