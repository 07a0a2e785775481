"""ProgbarLogger: the progress bar that fit, evaluate and predict show with verbose=1 or 2."""
import math

from nncore.callbacks.base import Callback
from nncore.callbacks.progbar import Progbar

__all__ = ["ProgbarLogger"]


def _display_order(logs):
    # Alphabetical, validation quantities after the training ones.
    return sorted(logs, key=lambda key: (key.startswith("val_"), key))


class ProgbarLogger(Callback):
    """Shows a Progbar per epoch during fit, and one for a whole evaluate or predict.

    Reads from ``params``: 'verbose' (0, 1, 2 or 'auto' = 1), 'epochs', 'steps' (per
    epoch; None if unknown, then learnt from the first epoch), and optionally
    'batch_size' / 'samples' to show throughput in samples/s. `stream` defaults to
    sys.stdout at the time of writing.
    """

    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream
        self.verbose = 1
        self.epochs = 1
        self.target = None
        self.progbar = None
        self.seen = 0
        self._in_fit = False  # fit's validation runs evaluate hooks: those get no bar

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else int(verbose)
        self.epochs = params.get("epochs") or 1
        self.target = params.get("steps")

    def _start_bar(self, title=None):
        params = self.params or {}
        batch_size, samples = params.get("batch_size"), params.get("samples")
        if batch_size is None and samples and self.target:
            batch_size = math.ceil(samples / self.target)
        self.seen = 0
        # 20 columns of bar, as Keras, leave room for the metrics on an 80-column terminal.
        self.progbar = Progbar(self.target, width=20, verbose=self.verbose,
                               batch_size=batch_size, samples=samples, title=title,
                               stream=self.stream)

    def _update_bar(self, batch, logs):
        self.seen = batch + 1
        if self.progbar is not None:
            self.progbar.update(self.seen, self._values(logs), finalize=False)

    def _finish_bar(self, logs):
        if self.progbar is None:
            return
        if self.target is None:  # steps were unknown: now they are, for the next epochs
            self.target = self.seen
            self.progbar.target = self.seen
        self.progbar.update(self.seen, self._values(logs), finalize=True)
        self.progbar = None

    def _values(self, logs):
        if not logs:
            return None
        # Logs hold running averages already: show them as given, not averaged again.
        self.progbar.stateful_metrics.update(logs)
        return [(key, logs[key]) for key in _display_order(logs)]

    # ----------------------------------------------------------------- fit

    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._start_bar(f"Epoch {epoch + 1}/{self.epochs}" if self.epochs > 1 else None)

    def on_train_batch_end(self, batch, logs=None):
        self._update_bar(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finish_bar(logs)

    # ----------------------------------------------------------------- evaluate, predict

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._start_bar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self._update_bar(batch, logs)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self._finish_bar(logs)

    def on_predict_begin(self, logs=None):
        self._start_bar()

    def on_predict_batch_end(self, batch, logs=None):
        self._update_bar(batch, None)  # predict's logs carry outputs, not numbers to show

    def on_predict_end(self, logs=None):
        self._finish_bar(None)
