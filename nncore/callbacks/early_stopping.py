"""EarlyStopping: stop fit when a monitored quantity stops improving."""
from nncore.callbacks._monitor import monitored_value, resolve_mode
from nncore.callbacks.base import Callback
from nncore.callbacks.progbar import print_msg

__all__ = ["EarlyStopping"]


class EarlyStopping(Callback):
    """Stops training after `patience` epochs without improvement of `monitor`, as Keras 3.

    An improvement is a change beyond `min_delta` in the direction of `mode` ('auto':
    maximize names containing 'acc', 'auc', 'precision' or 'recall', minimize the rest).
    With a `baseline`, an epoch resets the patience only if it also beats the baseline.
    Epochs before `start_from_epoch` are ignored (warm-up). With `restore_best_weights`,
    the weights of the best epoch are put back when training ends, whether this callback
    stopped it or not. A monitor missing from the logs warns and the epoch is skipped.

    After training: ``stopped_epoch`` (0 if it did not stop), ``best``, ``best_epoch``.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor = monitor
        self.mode = resolve_mode("EarlyStopping", monitor, mode)
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None

    def _is_improvement(self, value, reference):
        if reference is None:
            return True
        if self.mode == "min":
            return value + self.min_delta < reference
        return value - self.min_delta > reference

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        current = monitored_value("EarlyStopping", self.monitor, logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Nothing better seen yet: these weights are the best so far.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Patience starts over only for an epoch that also beats the baseline.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg("Restoring model weights from the end of the best epoch: "
                          f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
