"""Losses with Keras's names and semantics.

Functions take ``(y_true, y_pred)`` and return one value per sample (the mean over the last
axis where Keras does that); classes such as ``MeanSquaredError()`` are called as
``loss(y_true, y_pred, sample_weight=None)`` and reduce with ``reduction``: 'mean' (Keras's
'sum_over_batch_size': the weighted sum divided by the number of values), 'sum' or 'none'.
The tensor-level forms with PyTorch's names live in nncore.functional.
"""
import numpy as np

import nncore
from nncore._core import Tensor, _softmax_cross_entropy

EPSILON = 1e-7  # Keras's backend epsilon: probabilities are clipped to [eps, 1 - eps]


def _as(x, like=None):
    if isinstance(x, Tensor):
        return x
    return nncore.tensor(x, dtype=like.dtype if like is not None else None)


def same_rank(y_true, y_pred):
    """Keras's rule before comparing: a target with one dim fewer than an output ending in
    size 1 gains that dim, and one with an extra trailing 1 loses it, so (n,) targets
    meet (n, 1) outputs element by element instead of broadcasting to (n, n)."""
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        return y_true.unsqueeze(-1)
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        return y_true.squeeze(-1)
    return y_true


def _pair(y_true, y_pred):
    y_pred = _as(y_pred)
    y_true = same_rank(_as(y_true, y_pred), y_pred)
    if y_true.dtype != y_pred.dtype and y_pred.dtype.is_floating_point:
        y_true = y_true.to(y_pred.dtype)
    return y_true, y_pred


# ---------------------------------------------------------------- functions

def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    diff = y_pred - y_true
    return (diff * diff).mean(-1)


def half_sum_squared_error(y_true, y_pred):
    """1/2 * sum of squared errors over the last axis: the loss of the backprop lecture,
    whose derivative is simply y_pred - y_true."""
    y_true, y_pred = _pair(y_true, y_pred)
    diff = y_pred - y_true
    return (diff * diff).sum(-1) * 0.5


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return nncore.abs(y_pred - y_true).mean(-1)


def huber(y_true, y_pred, delta=1.0):
    y_true, y_pred = _pair(y_true, y_pred)
    d = nncore.abs(y_pred - y_true)
    quadratic = nncore.minimum(d, delta)
    return (quadratic * quadratic * 0.5 + (d - quadratic) * delta).mean(-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:  # max(x, 0) - x t + log(1 + exp(-|x|)): no overflow, no log(0)
        values = (nncore.maximum(y_pred, 0.0) - y_pred * y_true
                  + nncore.log(1 + nncore.exp(-nncore.abs(y_pred))))
    else:
        p = y_pred.clip(EPSILON, 1 - EPSILON)
        values = -(y_true * nncore.log(p) + (1 - y_true) * nncore.log(1 - p))
    return values.mean(-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _pair(y_true, y_pred)
    classes = y_pred.shape[axis]
    if label_smoothing:
        y_true = y_true * (1 - label_smoothing) + label_smoothing / classes
    if from_logits and y_pred.ndim == 2 and axis in (-1, 1):
        return _softmax_cross_entropy(y_pred, y_true, soft=True)  # the fused kernel
    if from_logits:
        shifted = y_pred - y_pred.max(axis, keepdim=True)
        log_p = shifted - nncore.log(nncore.exp(shifted).sum(axis, keepdim=True))
    else:  # probabilities: renormalised and clipped, as Keras does
        p = y_pred / y_pred.sum(axis, keepdim=True)
        log_p = nncore.log(p.clip(EPSILON, 1 - EPSILON))
    return -(y_true * log_p).sum(axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    y_pred = _as(y_pred)
    labels = _as(y_true)
    if labels.dtype != nncore.int64:
        labels = labels.long()
    if y_pred.ndim != 2 or axis not in (-1, 1):
        raise ValueError(f"sparse_categorical_crossentropy: expected predictions of shape "
                         f"(batch, classes), got {y_pred.shape}")
    labels = labels.reshape(-1)
    if from_logits:
        return _softmax_cross_entropy(y_pred, labels)
    n, c = y_pred.shape
    values = labels.numpy()
    bad = np.flatnonzero((values < 0) | (values >= c))
    if bad.size:
        raise IndexError(f"sparse_categorical_crossentropy: target {int(values[bad[0]])} at "
                         f"row {int(bad[0])} is not a class index in [0, {c})")
    p = (y_pred / y_pred.sum(-1, keepdim=True)).clip(EPSILON, 1 - EPSILON)
    return -nncore.log(p.reshape(-1)[nncore.arange(n) * c + labels])


def hinge(y_true, y_pred):
    """mean(max(1 - t y, 0)); labels in {0, 1} are mapped to {-1, 1} as in Keras."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _signed_labels(y_true)
    return nncore.maximum(1 - y_true * y_pred, 0.0).mean(-1)


def squared_hinge(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    margin = nncore.maximum(1 - _signed_labels(y_true) * y_pred, 0.0)
    return (margin * margin).mean(-1)


def _signed_labels(y):
    # Keras maps {0, 1} labels to {-1, 1}: any label that is not -1 means 0/1 labels.
    with nncore.no_grad():
        zero_one = y.numel() > 0 and bool((y.min() >= 0).item())
    return y * 2 - 1 if zero_one else y


def kl_divergence(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    t = y_true.clip(EPSILON, 1)
    p = y_pred.clip(EPSILON, 1)
    return (t * nncore.log(t / p)).sum(-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """-cos(y_true, y_pred) along `axis` (Keras's loss: -1 when aligned)."""
    y_true, y_pred = _pair(y_true, y_pred)

    def unit(x):
        return x / nncore.sqrt(nncore.maximum((x * x).sum(axis, keepdim=True), 1e-12))

    return -(unit(y_true) * unit(y_pred)).sum(axis)


def triplet(anchor, positive, negative, margin=0.2):
    """FaceNet's triplet loss: mean over the batch of max(|a - p|^2 - |a - n|^2 + margin, 0)
    with squared Euclidean distances."""
    d_pos = ((anchor - positive) ** 2).sum(-1)
    d_neg = ((anchor - negative) ** 2).sum(-1)
    return nncore.maximum(d_pos - d_neg + margin, 0.0).mean()


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
kld = KLD = kl_divergence


# ---------------------------------------------------------------- classes

class Loss:
    """Base class: subclasses set `fn`; __call__ applies sample weights and reduces."""

    fn = None

    def __init__(self, reduction="mean", name=None, **kwargs):
        if reduction == "sum_over_batch_size":
            reduction = "mean"
        if reduction not in ("mean", "sum", "none", None):
            raise ValueError(f"{type(self).__name__}: reduction must be 'mean', 'sum' or "
                             f"'none', got {reduction!r}")
        self.reduction = reduction or "none"
        self.name = name or _snake(type(self).__name__)
        self._kwargs = kwargs

    def call(self, y_true, y_pred):
        return type(self).fn(y_true, y_pred, **self._kwargs)

    def __call__(self, y_true, y_pred, sample_weight=None):
        values = self.call(y_true, y_pred)
        count = values.numel()
        if sample_weight is not None:
            w = _as(sample_weight, values)
            if w.dtype != values.dtype:
                w = w.to(values.dtype)
            while w.ndim > values.ndim and w.shape[-1] == 1:
                w = w.squeeze(-1)
            values = values * w
        if self.reduction == "sum":
            return values.sum()
        if self.reduction == "mean":
            return values.sum() / max(count, 1)
        return values

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, **self._kwargs}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _snake(name):
    out = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return out


def _loss_class(name, fn, **defaults):
    def __init__(self, reduction="mean", name=None, **kwargs):
        Loss.__init__(self, reduction=reduction, name=name, **{**defaults, **kwargs})

    return type(name, (Loss,), {"fn": staticmethod(fn), "__init__": __init__,
                                "__doc__": f"Class form of {fn.__name__}."})


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error)
HalfSumSquaredError = _loss_class("HalfSumSquaredError", half_sum_squared_error)
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error)
Huber = _loss_class("Huber", huber, delta=1.0)
BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy,
                                 from_logits=False, label_smoothing=0.0)
CategoricalCrossentropy = _loss_class("CategoricalCrossentropy", categorical_crossentropy,
                                      from_logits=False, label_smoothing=0.0)
SparseCategoricalCrossentropy = _loss_class("SparseCategoricalCrossentropy",
                                            sparse_categorical_crossentropy, from_logits=False)
Hinge = _loss_class("Hinge", hinge)
SquaredHinge = _loss_class("SquaredHinge", squared_hinge)
KLDivergence = _loss_class("KLDivergence", kl_divergence)
CosineSimilarity = _loss_class("CosineSimilarity", cosine_similarity)


class Triplet(Loss):
    """Class form of triplet: called as loss(anchor, positive, negative)."""

    def __init__(self, margin=0.2, reduction="mean", name=None):
        super().__init__(reduction=reduction, name=name, margin=margin)

    def __call__(self, anchor, positive, negative):
        return triplet(anchor, positive, negative, **self._kwargs)
