"""Metrics with Keras's names and semantics.

Functions such as ``categorical_accuracy(y_true, y_pred)`` return one value per sample;
classes such as ``CategoricalAccuracy()`` accumulate over batches with
``update_state(y_true, y_pred, sample_weight=None)``, report the weighted mean with
``result()`` and start over with ``reset_state()``. Nothing here records autograd history.
"""
import nncore
from nncore._core import Tensor
from nncore.autograd import no_grad

__all__ = ["accuracy", "binary_accuracy", "categorical_accuracy",
           "sparse_categorical_accuracy", "top_k_categorical_accuracy",
           "sparse_top_k_categorical_accuracy", "mean_squared_error", "mean_absolute_error",
           "Metric", "Mean", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
           "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "MeanSquaredError",
           "MeanAbsoluteError"]


def _as(x, dtype=None):
    return x if isinstance(x, Tensor) else nncore.tensor(x, dtype=dtype)


def _floats(y):
    return y if y.dtype.is_floating_point else y.to(nncore.float32)


@no_grad()
def accuracy(y_true, y_pred):
    """1 where the values are equal."""
    y_true, y_pred = _as(y_true), _as(y_pred)
    return (y_true.to(y_pred.dtype) == y_pred).to(nncore.float32)


@no_grad()
def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Mean over the last axis of (y_pred > threshold) == y_true."""
    y_pred = _floats(_as(y_pred))
    y_true = _as(y_true).to(y_pred.dtype)
    hits = ((y_pred > threshold).to(y_pred.dtype) == y_true).to(nncore.float32)
    return hits.mean(-1)


@no_grad()
def categorical_accuracy(y_true, y_pred):
    """1 where argmax(y_pred) equals argmax(y_true) (one-hot targets)."""
    y_true, y_pred = _as(y_true), _as(y_pred)
    return (y_pred.argmax(-1) == y_true.argmax(-1)).to(nncore.float32)


@no_grad()
def sparse_categorical_accuracy(y_true, y_pred):
    """1 where argmax(y_pred) equals the integer label."""
    y_pred = _as(y_pred)
    labels = _as(y_true)
    labels = labels.reshape(labels.shape[:-1]) if labels.ndim == y_pred.ndim else labels
    return (y_pred.argmax(-1) == labels.long()).to(nncore.float32)


def _in_top_k(scores, labels, k):
    # The label's score is in the top k when fewer than k scores are strictly greater
    # (ties count as inside, as Keras's in_top_k does).
    n, c = scores.shape
    true_score = scores.reshape(-1)[nncore.arange(n) * c + labels.long()].reshape(n, 1)
    return ((scores > true_score).sum(-1) < k).to(nncore.float32)


@no_grad()
def top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_true, y_pred = _as(y_true), _as(y_pred)
    return _in_top_k(y_pred, y_true.argmax(-1), k)


@no_grad()
def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_pred = _as(y_pred)
    labels = _as(y_true)
    labels = labels.reshape(-1)
    return _in_top_k(y_pred, labels, k)


@no_grad()
def mean_squared_error(y_true, y_pred):
    y_pred = _floats(_as(y_pred))
    diff = y_pred - _as(y_true).to(y_pred.dtype)
    return (diff * diff).mean(-1)


@no_grad()
def mean_absolute_error(y_true, y_pred):
    y_pred = _floats(_as(y_pred))
    return nncore.abs(y_pred - _as(y_true).to(y_pred.dtype)).mean(-1)


mse, mae = mean_squared_error, mean_absolute_error


# ---------------------------------------------------------------- stateful classes

class Metric:
    """Base class of stateful metrics: a weighted running mean of per-sample values."""

    fn = None

    def __init__(self, name=None, dtype=None, **kwargs):
        self.name = name or "".join("_" + c.lower() if c.isupper() else c
                                    for c in type(self).__name__).lstrip("_")
        self._kwargs = kwargs
        self.reset_state()

    def reset_state(self):
        self._total = 0.0
        self._count = 0.0

    def _values(self, y_true, y_pred):
        return type(self).fn(y_true, y_pred, **self._kwargs)

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._values(y_true, y_pred).to(nncore.float64).numpy().reshape(-1)
        if sample_weight is None:
            self._total += float(values.sum())
            self._count += values.size
        else:
            w = _as(sample_weight).to(nncore.float64).numpy().reshape(-1)
            if w.size == 1:
                w = w.repeat(values.size)
            if w.size != values.size:
                raise ValueError(f"{self.name}: {w.size} sample weights for {values.size} "
                                 f"values")
            self._total += float((values * w).sum())
            self._count += float(w.sum())

    def result(self):
        value = self._total / self._count if self._count else 0.0
        return nncore.tensor(value, dtype=nncore.float32)

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Updates the state and returns the result, like Keras's stateful call."""
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self):
        return {"name": self.name, **self._kwargs}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Mean(Metric):
    """The weighted mean of the values given to update_state(values, sample_weight)."""

    def update_state(self, values, sample_weight=None):
        values = _as(values)
        super().update_state(None, values, sample_weight)

    def _values(self, y_true, y_pred):
        return y_pred

    def __call__(self, values, sample_weight=None):
        self.update_state(values, sample_weight)
        return self.result()


def _metric_class(name, fn, **defaults):
    def __init__(self, name=None, dtype=None, **kwargs):
        Metric.__init__(self, name=name, dtype=dtype, **{**defaults, **kwargs})

    return type(name, (Metric,), {"fn": staticmethod(fn), "__init__": __init__,
                                  "__doc__": f"Running mean of {fn.__name__}."})


Accuracy = _metric_class("Accuracy", accuracy)
BinaryAccuracy = _metric_class("BinaryAccuracy", binary_accuracy, threshold=0.5)
CategoricalAccuracy = _metric_class("CategoricalAccuracy", categorical_accuracy)
SparseCategoricalAccuracy = _metric_class("SparseCategoricalAccuracy",
                                          sparse_categorical_accuracy)
TopKCategoricalAccuracy = _metric_class("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                        k=5)
SparseTopKCategoricalAccuracy = _metric_class("SparseTopKCategoricalAccuracy",
                                              sparse_top_k_categorical_accuracy, k=5)
MeanSquaredError = _metric_class("MeanSquaredError", mean_squared_error)
MeanAbsoluteError = _metric_class("MeanAbsoluteError", mean_absolute_error)
