"""How fit/evaluate/predict see their data: NumPy arrays (or lists of them, one per model
input), cut into batches that are views when the order is sequential."""
import numpy as np

import nncore

__all__ = ["as_arrays", "num_samples", "batch_slices", "take", "to_tensor",
           "validation_tail", "class_weights_to_sample"]


def as_arrays(data, what):
    """None, an array, or a list/tuple of arrays (several model inputs) as NumPy."""
    if data is None:
        return None
    if isinstance(data, nncore.Tensor):
        return data.detach().numpy()
    if isinstance(data, (list, tuple)) and data and all(
            isinstance(d, (np.ndarray, nncore.Tensor)) for d in data):
        return [as_arrays(d, what) for d in data]
    if isinstance(data, dict):
        raise TypeError(f"{what}: dict inputs are not supported; pass an array or a list of "
                        f"arrays")
    array = np.asarray(data)
    if array.dtype == object:
        raise TypeError(f"{what}: cannot convert {type(data).__name__} to a numeric array")
    return array


def _lengths(data):
    if data is None:
        return []
    return [len(d) if np.ndim(d) else 1 for d in (data if isinstance(data, list) else [data])]


def num_samples(x, y, sample_weight, what):
    """The common number of samples; a clear error when x, y and weights disagree."""
    if x is None:
        raise ValueError(f"{what}: x (the inputs) is required")
    sizes = {"x": _lengths(x), "y": _lengths(y), "sample_weight": _lengths(sample_weight)}
    every = [n for values in sizes.values() for n in values]
    if len(set(every)) > 1:
        detail = ", ".join(f"{k}: {v if len(v) > 1 else v[0]}" for k, v in sizes.items() if v)
        raise ValueError(f"{what}: inputs, targets and sample weights must have the same number "
                         f"of samples, got {detail}")
    return every[0]


def batch_slices(n, batch_size, order):
    """Row selectors per batch: slices (so batches are views) or index arrays."""
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        yield slice(start, stop) if order is None else order[start:stop]


def take(data, rows):
    if data is None:
        return None
    if isinstance(data, list):
        return [d[rows] for d in data]
    return data[rows]


def to_tensor(data):
    if isinstance(data, list):
        return [to_tensor(d) for d in data]
    if not data.flags.c_contiguous and not data.flags.f_contiguous:
        data = np.ascontiguousarray(data)
    if data.dtype == np.float16:
        data = data.astype(np.float32)
    return nncore.from_numpy(data)


def validation_tail(arrays, fraction):
    """Keras's validation_split: the last `fraction` of the samples, before shuffling."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fit: validation_split must be in (0, 1), got {fraction}")
    x = arrays[0]
    n = _lengths(x)[0]
    split = int(n * (1.0 - fraction))
    if split <= 0 or split >= n:
        raise ValueError(f"fit: validation_split={fraction} leaves no training or no "
                         f"validation samples out of {n}")
    head = tuple(take(a, slice(0, split)) for a in arrays)
    tail = tuple(a for a in (take(a, slice(split, n)) for a in arrays) if a is not None)
    return head, tail


def class_weights_to_sample(y, class_weight):
    """Per-sample weights from {class: weight}; labels are integers or one-hot rows."""
    y = np.asarray(y)
    labels = y.argmax(-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    labels = labels.astype(np.int64)
    table = np.ones(int(max(max(class_weight), labels.max(initial=0))) + 1, np.float32)
    for cls, weight in class_weight.items():
        table[int(cls)] = weight
    return table[labels]
