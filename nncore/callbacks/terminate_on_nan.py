"""TerminateOnNaN: stop training as soon as the loss is NaN or infinite."""
import math

from nncore.callbacks.base import Callback
from nncore.callbacks.progbar import print_msg

__all__ = ["TerminateOnNaN"]


class TerminateOnNaN(Callback):
    """Sets ``model.stop_training`` when a training batch's loss is NaN or infinite, and
    says where: "Batch 18/469 (epoch 3/10): invalid loss nan, terminating training"
    (numbered from 1, as the progress bar counts). ``stopped_at`` holds the
    (epoch, batch) indices, from 0 as the hooks receive them, or None.
    """

    def __init__(self):
        super().__init__()
        self.stopped_at = None
        self._epoch = 0

    def on_train_begin(self, logs=None):
        self.stopped_at = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(loss)):
            return
        self.stopped_at = (self._epoch, batch)
        params = self.params or {}
        steps, epochs = params.get("steps"), params.get("epochs")
        where = f"Batch {batch + 1}" + (f"/{steps}" if steps else "")
        where += f" (epoch {self._epoch + 1}" + (f"/{epochs})" if epochs else ")")
        print_msg(f"{where}: invalid loss {float(loss)}, terminating training")
        self.model.stop_training = True
