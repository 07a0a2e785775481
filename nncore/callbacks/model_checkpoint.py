"""ModelCheckpoint: save the model (or its weights) during training."""
import math
import os
import warnings

from nncore.callbacks._monitor import resolve_mode
from nncore.callbacks.base import Callback
from nncore.callbacks.progbar import print_msg

__all__ = ["ModelCheckpoint"]


class ModelCheckpoint(Callback):
    """Saves with ``model.save`` (or ``model.save_weights`` if `save_weights_only`).

    `filepath` may hold format fields filled from the logs and the epoch, 1-based as
    shown by the progress bar: 'ckpt-{epoch:02d}-{val_loss:.2f}.nnc'. With
    `save_best_only`, a file is written only when `monitor` beats the best value so far
    (starting from `initial_value_threshold` if given). `save_freq` is 'epoch' or a number
    of batches (then the running-average batch logs are used, and '{batch}' is available).
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__()
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a positive "
                             f"number of batches, got {save_freq!r}")
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.mode = resolve_mode("ModelCheckpoint", monitor, mode)
        self.save_freq = save_freq
        if initial_value_threshold is not None:
            self.best = float(initial_value_threshold)
        else:
            self.best = math.inf if self.mode == "min" else -math.inf
        self._epoch = 0
        self._batches_since_save = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        # Counted across epochs: save_freq=100 with 60-batch epochs saves at 100, 200, ...
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs or {})

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _path(self, epoch, batch, logs):
        fields = {**logs, "epoch": epoch + 1}
        if batch is not None:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise KeyError(f"ModelCheckpoint: cannot fill the file name {self.filepath!r}: "
                           f"no value for {error} (available: "
                           f"{', '.join(sorted(fields))})") from None

    def _improved(self, current):
        return current < self.best if self.mode == "min" else current > self.best

    def _save(self, epoch, batch, logs):
        path = self._path(epoch, batch, logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"ModelCheckpoint: can save the best model only with "
                              f"{self.monitor!r} in the logs (available: "
                              f"{', '.join(sorted(logs)) or 'none'}); skipping", stacklevel=3)
                return
            current = float(current)
            if not self._improved(current):
                if self.verbose > 0:
                    print_msg(f"Epoch {epoch + 1}: {self.monitor} did not improve from "
                              f"{self.best:.5f}")
                return
            if self.verbose > 0:
                print_msg(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} "
                          f"to {current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print_msg(f"Epoch {epoch + 1}: saving model to {path}")
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
