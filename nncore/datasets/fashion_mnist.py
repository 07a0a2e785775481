"""Fashion-MNIST: 28x28 grayscale images of 10 kinds of clothing (Zalando SE; MIT license).

    >>> from nncore.datasets import fashion_mnist
    >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()

The files and the search order are MNIST's (see ``nncore.datasets.mnist``) with the folder
name ``fashion-mnist``: ``path``, ``$NNCORE_DATA/fashion-mnist/``, ``$NNCORE_DATA/``, then
``~/.nncore/datasets/fashion-mnist/``, then a download from ``MIRRORS``.
"""
from nncore.datasets import _fetch, _loader
from nncore.datasets._fetch import DatasetNotFoundError

__all__ = ["load_data", "DatasetNotFoundError", "CLASS_NAMES", "MIRRORS", "CHECKSUMS"]

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
MIRRORS = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
CHECKSUMS = {
    "train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310",
}


def load_data(path=None):
    """Fashion-MNIST as ``((x_train, y_train), (x_test, y_test))``: uint8 images
    (n, 28, 28) and uint8 labels (n,) indexing CLASS_NAMES; 60,000 train, 10,000 test.

    Raises DatasetNotFoundError (a FileNotFoundError) listing the files and folders when
    the data is nowhere to be found, and ValueError naming the file when one is malformed.
    """
    spec = _fetch.Spec("fashion-mnist", "Fashion-MNIST", dict(CHECKSUMS), list(MIRRORS),
                       ("fashion-mnist.npz", "fashion_mnist.npz"))
    return _loader.load(spec, path)
