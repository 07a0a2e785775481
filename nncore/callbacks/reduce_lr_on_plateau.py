"""ReduceLROnPlateau: lower the learning rate when a monitored quantity stalls."""
import math

from nncore.callbacks._monitor import monitored_value, resolve_mode
from nncore.callbacks.base import Callback
from nncore.callbacks.progbar import print_msg

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by `factor` after `patience` epochs without an
    improvement of `monitor` by more than `min_delta`, never below `min_lr`; then waits
    `cooldown` epochs before counting again. The rate in force is recorded in the epoch's
    logs as 'learning_rate'. Mode 'auto' maximizes accuracy-like names, else minimizes.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0 "
                             f"(it would not reduce the rate), got {factor}")
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.mode = resolve_mode("ReduceLROnPlateau", monitor, mode)
        self.min_delta = min_delta
        self.cooldown = cooldown
        self.min_lr = min_lr
        self._reset()

    def _reset(self):
        self.best = math.inf if self.mode == "min" else -math.inf
        self.wait = 0
        self.cooldown_counter = 0

    def _improved(self, current):
        if self.mode == "min":
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if logs is not None:
            logs["learning_rate"] = float(optimizer.learning_rate)
        current = monitored_value("ReduceLROnPlateau", self.monitor, logs)
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait < self.patience:
            return
        old_lr = float(optimizer.learning_rate)
        if old_lr > self.min_lr:
            new_lr = max(old_lr * self.factor, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0:
                print_msg(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                          f"to {new_lr:.6g}.")
            self.cooldown_counter = self.cooldown
            self.wait = 0
