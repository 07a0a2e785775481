"""MNIST handwritten digits (Yann LeCun and Corinna Cortes; CC BY-SA 3.0).

    >>> from nncore.datasets import mnist
    >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()
    >>> x_train.shape, x_train.dtype, y_train.shape
    ((60000, 28, 28), dtype('uint8'), (60000,))

``load_data(path=None)`` looks in ``path`` (a folder with the four IDX files, plain or
``.gz``, or with ``mnist.npz``; or the ``.npz`` file itself), then in ``$NNCORE_DATA/mnist/``
and ``$NNCORE_DATA/``, then in the cache ``~/.nncore/datasets/mnist/``; failing those it
downloads into the cache from ``MIRRORS`` (MD5-checked) unless ``NNCORE_OFFLINE=1``.

``load_sample()`` needs neither files nor network: it splits the 10,000-image official test
set that ships inside nncore.
"""
import os

import numpy as np

from nncore.datasets import _fetch, _loader
from nncore.datasets._fetch import DatasetNotFoundError
from nncore.datasets._idx import read_idx

__all__ = ["load_data", "load_sample", "DatasetNotFoundError", "MIRRORS", "CHECKSUMS"]

# Tried in order; replace (e.g. with a file:// URL of a local copy) to fetch elsewhere.
MIRRORS = [
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
]
# MD5 of each published .gz file.
CHECKSUMS = {
    "train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c",
}
_SAMPLE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_sample")


def load_data(path=None):
    """MNIST as ``((x_train, y_train), (x_test, y_test))``: uint8 images (n, 28, 28) and
    uint8 labels (n,), 60,000 for training and 10,000 for testing.

    Raises DatasetNotFoundError (a FileNotFoundError) listing the files and folders when
    the data is nowhere to be found, and ValueError naming the file when one is malformed.
    """
    # The module attributes are read at each call so they can be changed after import.
    spec = _fetch.Spec("mnist", "MNIST", dict(CHECKSUMS), list(MIRRORS), ("mnist.npz",))
    return _loader.load(spec, path)


def load_sample(test_fraction=0.2, seed=0):
    """A small real MNIST that ships with nncore: the 10,000 official test images, split
    at random (reproducibly, from ``seed``) into ``((x_train, y_train), (x_test, y_test))``
    with ``test_fraction`` of them held out. Needs no download; meant for demos and quick
    runs. Report accuracy on the full ``load_data()`` test set for anything that matters.
    """
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction}")
    files = {name: os.path.join(_SAMPLE_DIR, name + ".gz")
             for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
    x = _read_sample_file(files["t10k-images-idx3-ubyte"], 3)
    y = _read_sample_file(files["t10k-labels-idx1-ubyte"], 1)
    _loader.check_split(x, y, "sample images", "sample labels")
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(round(len(x) * test_fraction))
    train, test = order[n_test:], order[:n_test]
    return (x[train], y[train]), (x[test], y[test])


def _read_sample_file(path, ndim):
    try:
        return read_idx(path, ndim=ndim, dtype=np.uint8)
    except FileNotFoundError as exc:
        raise DatasetNotFoundError(
            f"the MNIST sample that ships with nncore is missing ({path}); the installation "
            f"is incomplete -- reinstall nncore, or use load_data()") from exc
