"""Loss functions with PyTorch's names and semantics (re-exported by nncore.functional).

`input` is the prediction and `target` the truth, as in torch.nn.functional; reduction is
'mean' (over all elements), 'sum' or 'none'.
"""
import nncore
from nncore._core import _softmax_cross_entropy

__all__ = ["mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div",
           "triplet_margin_loss"]


def _reduce(values, reduction, op):
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    if reduction == "none":
        return values
    raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _same_shape(op, input, target):
    if input.shape != target.shape:
        raise ValueError(f"{op}: input of shape {input.shape} and target of shape "
                         f"{target.shape} differ")


def mse_loss(input, target, reduction="mean"):
    """(input - target)^2."""
    _same_shape("mse_loss", input, target)
    diff = input - target
    return _reduce(diff * diff, reduction, "mse_loss")


def l1_loss(input, target, reduction="mean"):
    """|input - target|."""
    _same_shape("l1_loss", input, target)
    return _reduce(nncore.abs(input - target), reduction, "l1_loss")


def huber_loss(input, target, reduction="mean", delta=1.0):
    """0.5 d^2 where |d| <= delta, else delta (|d| - 0.5 delta)."""
    _same_shape("huber_loss", input, target)
    d = nncore.abs(input - target)
    quadratic = nncore.minimum(d, delta)
    return _reduce(quadratic * quadratic * 0.5 + (d - quadratic) * delta, reduction,
                   "huber_loss")


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """-(t log p + (1 - t) log(1 - p)) for probabilities p; logs are clamped at -100 as in
    PyTorch, so p = 0 or 1 gives a finite loss."""
    _same_shape("binary_cross_entropy", input, target)
    log_p = nncore.maximum(nncore.log(input), -100.0)
    log_q = nncore.maximum(nncore.log(1 - input), -100.0)
    values = -(target * log_p + (1 - target) * log_q)
    if weight is not None:
        values = values * weight
    return _reduce(values, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """Binary cross-entropy of sigmoid(input), computed stably from the logits:
    max(x, 0) - x t + log(1 + exp(-|x|)) (with pos_weight scaling the positive term)."""
    _same_shape("binary_cross_entropy_with_logits", input, target)
    softplus_neg = nncore.log(1 + nncore.exp(-nncore.abs(input))) + nncore.maximum(-input, 0.0)
    # log(1 + exp(-x)) = softplus(-x); the loss is (1 - t) x + (1 + (pw - 1) t) softplus(-x).
    if pos_weight is None:
        values = (1 - target) * input + softplus_neg
    else:
        values = (1 - target) * input + (1 + (pos_weight - 1) * target) * softplus_neg
    if weight is not None:
        values = values * weight
    return _reduce(values, reduction, "binary_cross_entropy_with_logits")


def cross_entropy(input, target, weight=None, reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy of logits (N, C) against class indices (N,) or class
    probabilities (N, C), through the fused kernel. `weight` weights classes; the 'mean' of
    weighted class-index losses divides by the total weight, as PyTorch does."""
    if input.ndim != 2:
        raise ValueError(f"cross_entropy: expected logits of shape (N, C), got {input.shape}")
    soft = target.dtype.is_floating_point
    if label_smoothing:
        classes = input.shape[1]
        probs = target if soft else _one_hot(target, classes, input.dtype)
        target, soft = probs * (1 - label_smoothing) + label_smoothing / classes, True
    if weight is not None and not soft:
        w = weight[target]
        values = _softmax_cross_entropy(input, target) * w
        if reduction == "mean":
            return values.sum() / w.sum()
        return _reduce(values, reduction, "cross_entropy")
    if weight is not None:
        target = target * weight
    values = _softmax_cross_entropy(input, target, soft=soft)
    return _reduce(values, reduction, "cross_entropy")


def _one_hot(indices, classes, dtype):
    return (indices.reshape(-1, 1) == nncore.arange(classes).reshape(1, -1)).to(dtype)


def nll_loss(input, target, weight=None, reduction="mean"):
    """-input[i, target[i]] for log-probabilities (N, C) and class indices (N,)."""
    if input.ndim != 2:
        raise ValueError(f"nll_loss: expected log-probabilities of shape (N, C), got "
                         f"{input.shape}")
    n, c = input.shape
    flat = nncore.arange(n) * c + target.long()
    values = -input.reshape(-1)[flat]
    if weight is not None:
        w = weight[target]
        values = values * w
        if reduction == "mean":
            return values.sum() / w.sum()
    return _reduce(values, reduction, "nll_loss")


def kl_div(input, target, reduction="mean", log_target=False):
    """target * (log target - input), with `input` log-probabilities; 'batchmean' divides the
    sum by the batch size (the mathematically correct KL), 'mean' by the element count."""
    if log_target:
        values = nncore.exp(target) * (target - input)
    else:
        safe = nncore.where(target > 0, target, nncore.ones_like(target))
        values = nncore.where(target > 0, target * (nncore.log(safe) - input),
                              nncore.zeros_like(input))
    if reduction == "batchmean":
        return values.sum() / input.shape[0]
    return _reduce(values, reduction, "kl_div")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        reduction="mean"):
    """max(d(a, p) - d(a, n) + margin, 0) with PyTorch's distance d(x, y) = ||x - y + eps||_p."""
    def distance(x, y):
        diff = nncore.abs(x - y + eps)
        return (diff ** p).sum(-1) ** (1.0 / p)

    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = nncore.minimum(d_neg, distance(positive, negative))
    return _reduce(nncore.maximum(d_pos - d_neg + margin, 0.0), reduction,
                   "triplet_margin_loss")
