"""Label encodings."""
import numpy as np

__all__ = ["to_categorical"]


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encode integer class labels, like ``keras.utils.to_categorical``.

    ``y`` of shape ``s`` gives shape ``s + (num_classes,)``; a trailing dimension of size 1
    is dropped first, so labels shaped (n, 1) give (n, num_classes), not (n, 1, num_classes).
    ``num_classes`` defaults to ``max(y) + 1``. Labels must be whole numbers in
    ``[0, num_classes)``; anything else is a ValueError naming the offending label.

        >>> to_categorical([0, 2], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.]], dtype=float32)
    """
    y = np.asarray(y)
    if y.dtype == bool or not (np.issubdtype(y.dtype, np.integer)
                               or np.issubdtype(y.dtype, np.floating)):
        raise ValueError(f"to_categorical: labels must be integers, got dtype {y.dtype}")
    if np.issubdtype(y.dtype, np.floating):
        whole = np.isfinite(y) & (y == np.round(y))
        if not whole.all():
            bad = y[~whole].flat[0]
            raise ValueError(f"to_categorical: label {bad} is not a whole number")
    shape = y.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = y.reshape(-1).astype(np.int64)
    if num_classes is None:
        if flat.size == 0:
            raise ValueError("to_categorical: num_classes is required when y is empty")
        num_classes = int(flat.max()) + 1
    num_classes = int(num_classes)
    if num_classes < 1:
        raise ValueError(f"to_categorical: num_classes must be positive, got {num_classes}")
    out_of_range = (flat < 0) | (flat >= num_classes)
    if out_of_range.any():
        bad = y.reshape(-1)[out_of_range][0]
        raise ValueError(f"to_categorical: label {bad} is outside [0, {num_classes}) "
                         f"(num_classes={num_classes})")
    out = np.zeros((flat.size, num_classes), dtype=dtype)
    out[np.arange(flat.size), flat] = 1
    return out.reshape(shape + (num_classes,))
