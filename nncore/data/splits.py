"""Train / validation / test splits.

Without shuffling every part is a slice of the input, a view sharing its memory: splitting
60,000 images costs nothing. Shuffled parts are gathers, so they are copies.
"""
import numpy as np

__all__ = ["train_test_split", "split_validation"]


def train_test_split(x, y=None, test_size=0.2, shuffle=True, seed=None):
    """Split samples (the first axis) into a training part and a test part.

    Returns ``((x_train, y_train), (x_test, y_test))``, the layout of
    ``mnist.load_data()``, or ``(x_train, x_test)`` when ``y`` is None. ``test_size`` is a
    fraction in (0, 1) or a number of samples. With ``shuffle=False`` the test part is the
    last samples and both parts are views; with ``shuffle=True`` the samples are drawn by a
    permutation from ``seed`` (an int, a ``numpy.random.Generator`` or None).
    """
    x = np.asarray(x)
    y = None if y is None else np.asarray(y)
    n = _num_samples(x, y)
    n_test = _count(n, test_size, "test_size")
    if shuffle:
        order = np.random.default_rng(seed).permutation(n)
        train, test = order[: n - n_test], order[n - n_test:]
        parts = [(np.take(a, train, axis=0), np.take(a, test, axis=0)) if a is not None
                 else (None, None) for a in (x, y)]
    else:
        parts = [_cut(a, n - n_test) for a in (x, y)]
    (x_train, x_test), (y_train, y_test) = parts
    if y is None:
        return x_train, x_test
    return (x_train, y_train), (x_test, y_test)


def split_validation(x, y=None, fraction=0.2):
    """Hold out the *last* ``fraction`` of the samples, unshuffled, as Keras's
    ``fit(validation_split=fraction)`` does: the first ``floor(n * (1 - fraction))`` samples
    train. Returns ``((x_train, y_train), (x_val, y_val))`` of views. ``x`` and ``y`` may
    also be lists or tuples of arrays (several model inputs or outputs), split alike.
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"split_validation: fraction must be in (0, 1), got {fraction}")
    n = _num_samples(x, y)
    split_at = int(np.floor(n * (1.0 - fraction)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"split_validation: a fraction of {fraction} of {n} samples leaves "
                         f"{'no training' if split_at == 0 else 'no validation'} samples")
    (x_train, x_val), (y_train, y_val) = _cut(x, split_at), _cut(y, split_at)
    return (x_train, y_train), (x_val, y_val)


def _cut(a, at):
    if a is None:
        return None, None
    if isinstance(a, (list, tuple)):
        pieces = [_cut(item, at) for item in a]
        return type(a)(p[0] for p in pieces), type(a)(p[1] for p in pieces)
    a = np.asarray(a)
    return a[:at], a[at:]


def _lengths(a):
    if a is None:
        return []
    if isinstance(a, (list, tuple)):
        return [n for item in a for n in _lengths(item)]
    return [len(a)]


def _num_samples(x, y):
    lengths = _lengths(x) + _lengths(y)
    if not lengths:
        raise ValueError("no arrays to split")
    if len(set(lengths)) != 1:
        raise ValueError(f"arrays to split have different numbers of samples: {lengths}")
    return lengths[0]


def _count(n, size, what):
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        count = int(size)
    elif 0.0 < size < 1.0:
        # Same rounding as split_validation: the training part gets the floor.
        count = n - int(np.floor(n * (1.0 - size)))
    else:
        raise ValueError(f"{what} must be a fraction in (0, 1) or a number of samples, "
                         f"got {size}")
    if not 0 < count < n:
        raise ValueError(f"{what}={size} of {n} samples leaves an empty part")
    return count
