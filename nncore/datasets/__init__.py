"""Ready-to-use datasets, with Keras's loader API.

    >>> from nncore.datasets import mnist
    >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()

Submodules: ``mnist`` (also ``mnist.load_sample()``, a split of the copy of the MNIST test
set shipped with nncore, for offline demos) and ``fashion_mnist``. They load on first use,
so importing this package costs nothing.
"""
import importlib

_SUBMODULES = ("mnist", "fashion_mnist")

__all__ = list(_SUBMODULES) + ["DatasetNotFoundError"]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"nncore.datasets.{name}")
    if name == "DatasetNotFoundError":
        from nncore.datasets._fetch import DatasetNotFoundError
        return DatasetNotFoundError
    raise AttributeError(f"module 'nncore.datasets' has no attribute {name!r}")
