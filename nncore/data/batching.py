"""Mini-batches over arrays that share their first (sample) axis.

    >>> for xb, yb in batches(x, y, batch_size=64, seed=0):
    ...     train_step(xb, yb)

Unshuffled batches are slices of the inputs: views, no copy. A shuffled batch gathers rows
from all over the input, so it is necessarily a copy; with ``reuse_buffers=True`` the copy
goes into one preallocated contiguous buffer per array, recycled from batch to batch (no
allocation per step, but each batch is only valid until the next one is produced).

Shuffled orders are reproducible: epoch ``e`` of an iterator seeded with ``s`` visits the
samples in the order ``numpy.random.default_rng([s, e]).permutation(n)``, whatever happened
in earlier epochs.
"""
import numpy as np

__all__ = ["BatchIterator", "batches"]


class BatchIterator:
    """Re-iterable mini-batches: each ``iter()`` is one epoch, each epoch a new order.

    ``arrays`` are NumPy arrays (or array-likes) with the same length, or None, which is
    passed through as None in every batch (handy for optional targets or sample weights).
    Every batch is a tuple with one entry per array. ``len()`` is the number of batches per
    epoch. ``seed`` is an int, a ``numpy.random.Generator`` (one draw from it fixes the seed)
    or None (a fresh random seed, fixed for this iterator; read it back from ``.seed``).
    ``epoch`` is the index of the next epoch; set it to resume a run mid-way.
    """

    def __init__(self, *arrays, batch_size=32, shuffle=True, seed=None, drop_last=False,
                 reuse_buffers=False):
        if not arrays or all(a is None for a in arrays):
            raise ValueError("BatchIterator needs at least one array")
        self.arrays = tuple(None if a is None else np.asarray(a) for a in arrays)
        lengths = [len(a) for a in self.arrays if a is not None]
        if len(set(lengths)) != 1:
            raise ValueError(f"arrays to batch have different numbers of samples: {lengths}")
        if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.num_samples = lengths[0]
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.reuse_buffers = bool(reuse_buffers)
        if isinstance(seed, np.random.Generator):
            seed = int(seed.integers(2**63))
        elif seed is None:
            seed = np.random.SeedSequence().entropy
        self.seed = int(seed)
        if self.seed < 0:
            raise ValueError(f"seed must be non-negative, got {seed}")
        self.epoch = 0

    def __len__(self):
        n, b = self.num_samples, self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def order(self, epoch):
        """The sample indices of epoch ``epoch``, in visiting order."""
        if not self.shuffle:
            return np.arange(self.num_samples)
        return np.random.default_rng([self.seed, int(epoch)]).permutation(self.num_samples)

    def __iter__(self):
        epoch, self.epoch = self.epoch, self.epoch + 1
        return self._batches(epoch)

    def _batches(self, epoch):
        b = self.batch_size
        stop = len(self) * b
        if not self.shuffle:
            for start in range(0, stop, b):
                yield tuple(None if a is None else a[start:start + b] for a in self.arrays)
            return
        order = self.order(epoch)
        buffers = [np.empty((b,) + a.shape[1:], a.dtype)
                   if self.reuse_buffers and a is not None else None for a in self.arrays]
        for start in range(0, stop, b):
            index = order[start:start + b]
            yield tuple(_gather(a, index, buf) for a, buf in zip(self.arrays, buffers))

    def __repr__(self):
        return (f"BatchIterator({len(self.arrays)} array(s), {self.num_samples} samples, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, epoch={self.epoch})")


def _gather(a, index, buffer):
    if a is None:
        return None
    if buffer is None:
        return np.take(a, index, axis=0)
    out = buffer[: len(index)]
    # mode="clip" lets take write straight into `out`; "raise" would go through a temporary.
    # The indices come from a permutation, so nothing is ever clipped.
    np.take(a, index, axis=0, out=out, mode="clip")
    return out


def batches(*arrays, batch_size=32, shuffle=True, seed=None, drop_last=False,
            reuse_buffers=False):
    """One epoch of mini-batches: tuples with one batch per array. Same arguments as
    BatchIterator; ``batches(..., seed=s)`` gives the order of a BatchIterator's first
    epoch. Without shuffling each batch is a view of its array."""
    return iter(BatchIterator(*arrays, batch_size=batch_size, shuffle=shuffle, seed=seed,
                              drop_last=drop_last, reuse_buffers=reuse_buffers))
