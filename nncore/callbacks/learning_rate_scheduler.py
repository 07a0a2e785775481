"""LearningRateScheduler: set the optimizer's learning rate at the start of each epoch."""
import inspect
import numbers

from nncore.callbacks.base import Callback
from nncore.callbacks.progbar import print_msg

__all__ = ["LearningRateScheduler"]


def _takes_current_rate(schedule):
    """Whether `schedule` accepts (epoch, lr) rather than only (epoch)."""
    try:
        signature = inspect.signature(schedule)
    except (TypeError, ValueError):  # some builtins have no signature: assume Keras 2+
        return True
    positional = 0
    for parameter in signature.parameters.values():
        if parameter.kind == parameter.VAR_POSITIONAL:
            return True
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            positional += 1
    return positional >= 2


class LearningRateScheduler(Callback):
    """Sets ``model.optimizer.learning_rate = schedule(epoch, lr)`` before each epoch.

    `schedule` takes the epoch (from 0) and the current learning rate and returns the new
    one; a one-argument ``schedule(epoch)`` works too. The rate in force is recorded in
    the epoch's logs as 'learning_rate' (so History and CSVLogger keep it).
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: schedule must be callable, got "
                            f"{type(schedule).__name__}")
        self.schedule = schedule
        self.verbose = verbose
        # Decided once from the signature: catching a TypeError from the call instead
        # would also swallow genuine errors raised inside the schedule.
        self._two_arguments = _takes_current_rate(schedule)

    def _optimizer(self):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "learning_rate"):
            raise ValueError("LearningRateScheduler: the model's optimizer must have a "
                             "'learning_rate' attribute (compile the model first)")
        return optimizer

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self._optimizer()
        if self._two_arguments:
            rate = self.schedule(epoch, float(optimizer.learning_rate))
        else:
            rate = self.schedule(epoch)
        if getattr(rate, "ndim", None) == 0:
            rate = rate.item()
        if not isinstance(rate, numbers.Real) or isinstance(rate, bool):
            raise ValueError(f"LearningRateScheduler: the schedule must return a number, "
                             f"got {rate!r} for epoch {epoch}")
        optimizer.learning_rate = float(rate)
        if self.verbose > 0:
            print_msg(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                      f"{float(rate):.6g}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self._optimizer().learning_rate)
