"""CSVLogger: one CSV row per epoch."""
import csv
import os
import warnings

from nncore.callbacks.base import Callback

__all__ = ["CSVLogger"]


def _cell(value):
    if getattr(value, "ndim", None) == 0:
        value = value.item()
    if isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) > 0:
        return "[" + ", ".join(map(str, list(value))) + "]"
    return value


class CSVLogger(Callback):
    """Writes the epoch's logs to `filename`: a header 'epoch' + the log keys in sorted
    order (taken from the first epoch), then one row per epoch (epochs from 0, as Keras),
    flushed at once so the file can be watched during training. With `append`, rows go
    after an existing file's (its header is kept).
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys = None
        self._file = None
        self._writer = None
        self._needs_header = True
        self._ignored = set()

    def _open(self):
        self._needs_header = True
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8") as existing:
                self._needs_header = not existing.readline()
        self._file = open(self.filename, "a" if self.append else "w", newline="",
                          encoding="utf-8")
        self._writer = csv.writer(self._file, delimiter=self.sep)
        self.keys = None

    def on_train_begin(self, logs=None):
        self._open()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._file is None:  # driven without on_train_begin
            self._open()
        if self.keys is None:
            self.keys = sorted(logs)
            if self._needs_header:
                self._writer.writerow(["epoch"] + self.keys)
        # The header is written once; a quantity first seen later (validation every few
        # epochs) has no column. Say so rather than drop it silently.
        late = set(logs) - set(self.keys) - self._ignored
        if late:
            self._ignored |= late
            warnings.warn(f"CSVLogger: {', '.join(sorted(late))} appeared after the header "
                          f"was written and cannot be logged to {self.filename}", stacklevel=2)
        self._writer.writerow([epoch] + [_cell(logs.get(key, "NA")) for key in self.keys])
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
        self._file = self._writer = None
