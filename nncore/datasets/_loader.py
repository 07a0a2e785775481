"""Turn located files into Keras's ``((x_train, y_train), (x_test, y_test))`` tuple.

Both MNIST and Fashion-MNIST are 28x28 uint8 images with uint8 labels 0-9, so one reader
serves both. Every array is checked against that contract, and every error names the file
it came from.
"""
import os
import zipfile
import zlib

import numpy as np

from nncore.datasets import _fetch
from nncore.datasets._idx import read_idx

__all__ = ["load", "read_idx_files", "read_npz", "check_split"]

IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10
_NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load(spec, path=None):
    kind, where = _fetch.locate(spec, path)
    if kind == "npz":
        return read_npz(where)
    return read_idx_files(where)


def read_idx_files(files):
    """``files``: {IDX name: path} for the four standard files."""
    def split(prefix):
        images_path = files[f"{prefix}-images-idx3-ubyte"]
        labels_path = files[f"{prefix}-labels-idx1-ubyte"]
        x = read_idx(images_path, ndim=3, dtype=np.uint8)
        y = read_idx(labels_path, ndim=1, dtype=np.uint8)
        check_split(x, y, os.path.basename(images_path), os.path.basename(labels_path))
        return x, y

    return split("train"), split("t10k")


def read_npz(path):
    """A Keras-style archive with arrays x_train, y_train, x_test, y_test."""
    path = os.fspath(path)
    name = os.path.basename(path)
    bad = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, KeyError)
    try:
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except bad as exc:
        raise ValueError(f"{name}: not a valid .npz archive ({path}): {exc}") from exc
    if not hasattr(archive, "files"):
        raise ValueError(f"{name}: not an .npz archive ({path}): it holds a single array")
    with archive:
        missing = [k for k in _NPZ_KEYS if k not in archive.files]
        if missing:
            raise ValueError(f"{name}: missing array(s) {missing} ({path}); it holds "
                             f"{archive.files}, a dataset archive needs {list(_NPZ_KEYS)}")
        try:
            arrays = {k: archive[k] for k in _NPZ_KEYS}
        except bad as exc:
            raise ValueError(f"{name}: truncated or corrupt .npz archive ({path}): {exc}") \
                from exc

    out = []
    for split in ("train", "test"):
        x = _as_uint8(arrays[f"x_{split}"], f"{name}[x_{split}]")
        y = _as_uint8(arrays[f"y_{split}"], f"{name}[y_{split}]")
        check_split(x, y, f"{name}[x_{split}]", f"{name}[y_{split}]")
        out.append((x, y))
    return tuple(out)


def _as_uint8(a, where):
    if a.dtype == np.uint8:
        return a
    if not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"{where}: expected integer (uint8) values, found {a.dtype}")
    if a.size and (a.min() < 0 or a.max() > 255):
        raise ValueError(f"{where}: values outside 0..255 cannot be stored as uint8 "
                         f"(range {a.min()}..{a.max()})")
    return a.astype(np.uint8)


def check_split(x, y, x_name, y_name):
    if x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE:
        raise ValueError(f"{x_name}: expected images of shape (n, {IMAGE_SHAPE[0]}, "
                         f"{IMAGE_SHAPE[1]}), found {x.shape}")
    if y.ndim != 1:
        raise ValueError(f"{y_name}: expected labels of shape (n,), found {y.shape}")
    if len(x) != len(y):
        raise ValueError(f"{x_name} holds {len(x)} images but {y_name} holds {len(y)} labels")
    if y.size and y.max() >= NUM_CLASSES:
        bad = int(y[y >= NUM_CLASSES][0])
        raise ValueError(f"{y_name}: label {bad} is outside 0..{NUM_CLASSES - 1}")
