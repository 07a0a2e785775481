"""History: what fit returns -- every epoch's logs, and a plot of them."""
import numbers
import os
import uuid

from nncore.callbacks.base import Callback

__all__ = ["History"]


def _plain(value):
    # Store Python floats, not NumPy scalars or 0-d arrays, so the history prints and
    # serializes (json) cleanly.
    if getattr(value, "ndim", None) == 0:
        value = value.item()
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return value


class History(Callback):
    """Records the logs of every epoch; fit adds one to each run and returns it.

    ``history.history`` maps each quantity to its per-epoch values
    ({'loss': [...], 'val_loss': [...]}); ``history.epoch`` lists the epochs recorded.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []
        # Epochs at which each quantity was logged: validation may skip epochs, and the
        # plot must put its points at the right places.
        self._epochs_of = {}

    def on_train_begin(self, logs=None):
        self.history, self.epoch, self._epochs_of = {}, [], {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(_plain(value))
            self._epochs_of.setdefault(key, []).append(epoch)
        if self.model is not None:
            self.model.history = self

    # ----------------------------------------------------------------- plotting

    def _quantities(self, metrics):
        """Base names to plot, one subplot each ('loss' covers 'loss' and 'val_loss')."""
        def base(key):
            return key[4:] if key.startswith("val_") else key

        if metrics is None:
            names = list(dict.fromkeys(base(key) for key in self.history))
            names.sort(key=lambda name: (name != "loss", name))
        else:
            names = [metrics] if isinstance(metrics, str) else list(metrics)
            names = list(dict.fromkeys(base(name) for name in names))
            missing = [n for n in names if n not in self.history
                       and "val_" + n not in self.history]
            if missing:
                raise ValueError(f"History.plot: no recorded quantity named "
                                 f"{', '.join(map(repr, missing))} (recorded: "
                                 f"{', '.join(sorted(self.history)) or 'none'})")
        if not names:
            raise ValueError("History.plot: nothing to plot; no epoch has been recorded")
        return names

    def _x(self, key):
        """1-based epoch numbers of the values of `key`, as the progress bar shows them."""
        values = self.history[key]
        epochs = self._epochs_of.get(key)
        if epochs is None or len(epochs) != len(values):  # history filled in by hand
            epochs = range(len(values))
        return [epoch + 1 for epoch in epochs]

    def plot(self, path=None, metrics=None):
        """Draws each quantity (loss, metrics) with its 'val_' counterpart, one subplot per
        quantity, and returns the matplotlib Figure; saves it to `path` when given (PNG
        unless the extension names another format matplotlib knows).

        `metrics` picks the quantities: a name or a list of names ('loss', 'accuracy').
        Needs matplotlib (``pip install matplotlib``, or the ``nncore[plot]`` extra).
        """
        names = self._quantities(metrics)
        try:
            import matplotlib  # noqa: F401 - checked first: a stale matplotlib.figure
            from matplotlib.figure import Figure  # in sys.modules must not hide its absence
            from matplotlib.ticker import MaxNLocator
        except ImportError as error:
            raise ImportError("History.plot needs matplotlib, which is not installed: "
                              "pip install matplotlib (or pip install 'nncore[plot]')"
                              ) from error

        # A bare Figure, not pyplot: no GUI backend, no window, no global figure registry.
        columns = min(3, len(names))
        rows = -(-len(names) // columns)
        figure = Figure(figsize=(4.5 * columns, 3.5 * rows), layout="constrained")
        axes = figure.subplots(rows, columns, squeeze=False).ravel()
        for ax, name in zip(axes, names):
            for key, label in ((name, "training"), ("val_" + name, "validation")):
                if key in self.history:
                    ax.plot(self._x(key), self.history[key], marker=".", label=label)
            ax.set_title(name)
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole
            ax.legend()
        for ax in axes[len(names):]:
            ax.set_visible(False)
        if path is not None:
            _save_atomically(figure, os.fspath(path))
        return figure


def _save_atomically(figure, path):
    # Write beside the target, then rename: a reader (or a crash) never sees half a file.
    fmt = os.path.splitext(path)[1][1:].lower() or "png"
    temporary = f"{path}.{uuid.uuid4().hex}.tmp"
    try:
        with open(temporary, "xb") as file:
            figure.savefig(file, format=fmt)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
