"""The nncore model file: a JSON header plus raw tensors, with nothing executable in it.

This module only moves bytes; it knows nothing about layers. ``Model.save`` hands it a
JSON-able config and a list of named arrays, ``load_model`` gets them back. Loading a file
never runs code from it: no pickle, no ``eval``, no ``np.load(allow_pickle=True)``.

Byte layout (all integers little-endian)::

    offset       size  field
    ----------   ----  ---------------------------------------------------------------
    0            8     magic  89 4E 4E 43 0D 0A 1A 0A  ("\\x89NNC\\r\\n\\x1a\\n")
    8            4     uint32  format version (currently 1)
    12           4     uint32  flags, must be 0
    16           8     uint64  H, length of the JSON header in bytes
    24           8     uint64  total file size in bytes (including the checksum)
    32           H     JSON header, UTF-8
    32+H               zero padding up to D = the next multiple of 64
    D            ...   data section: tensor blobs, each starting 64-byte aligned
    size-32      32    SHA-256 of every byte before it

The magic borrows PNG's trick: the high byte catches 7-bit transfers, and CR LF / LF /
^Z catch a file pushed through a text-mode conversion. The recorded size tells a truncated
file from a corrupt one; the checksum catches everything else.

The JSON header is an object::

    {"kind": "model" | "weights",
     "producer": "nncore 0.1.0",
     "config": {...},                        # "model" files only
     "weights": [TENSOR, ...],               # in the order the model gave them
     "optimizer": null | [ENTRY, ...]}       # "model" files only

    TENSOR = {"name": str, "dtype": str, "shape": [int, ...], "offset": int, "nbytes": int}
    ENTRY  = {"key": str, "value": <any JSON>}                      # scalars, None, config
           | {"key": str, "dtype": ..., "shape": ..., "offset": ..., "nbytes": ...}

``offset`` counts from D (a multiple of 64, so blobs are 64-byte aligned in the file too)
and ``nbytes`` equals ``prod(shape) * itemsize``. A blob is the array's elements in C order,
little-endian; ``bool`` is one byte per element (0 or 1). Allowed dtypes: float32, float64,
int32, int64, uint8, bool. JSON numbers may include Python's ``NaN`` / ``Infinity`` tokens.
Weight names need not be unique: order, not name, is what ``load_model`` relies on.

``read_weights_file`` accepts both kinds and returns the weights; ``read_model_file`` refuses
a weights-only file, since it has no architecture to rebuild.
"""
import collections
import hashlib
import json
import math
import os
import struct

import numpy as np

from nncore._atomic_file import atomic_write
from nncore._version import __version__

__all__ = ["ModelFile", "ModelFileError", "FORMAT_VERSION", "write_model_file",
           "read_model_file", "write_weights_file", "read_weights_file"]

MAGIC = b"\x89NNC\r\n\x1a\n"
FORMAT_VERSION = 1
ALIGNMENT = 64
_PREAMBLE = struct.Struct("<8sIIQQ")      # magic, version, flags, header length, file size
_CHECKSUM_SIZE = 32                       # SHA-256
_MIN_SIZE = _PREAMBLE.size + _CHECKSUM_SIZE
_DTYPES = ("float32", "float64", "int32", "int64", "uint8", "bool")
_MAX_NDIM = 32                            # NumPy's own limit
_CHUNK = 1 << 20

# What a wrong file usually is, so the error can say so.
_FOREIGN_SIGNATURES = [
    (b"\x89HDF\r\n\x1a\n", "an HDF5 file (a Keras .h5 model?)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"PK\x03\x04", "a zip archive (a Keras .keras model or a NumPy .npz?)"),
    (b"\x93NUMPY", "a NumPy .npy file"),
    (b"\x80", "a Python pickle (a PyTorch/joblib file?)"),
    (b"\xff\xd8\xff", "a JPEG image"),
]

ModelFile = collections.namedtuple(
    "ModelFile", ["config", "weights", "optimizer_state", "format_version"])
ModelFile.__doc__ = """A model file's contents: ``config`` (dict), ``weights`` (list of
(name, ndarray) in order), ``optimizer_state`` (dict or None), ``format_version`` (int)."""


class ModelFileError(ValueError):
    """A file that is not a readable nncore model file: foreign, truncated or corrupt."""


def _align(n):
    return -(-n // ALIGNMENT) * ALIGNMENT


# --- writing ----------------------------------------------------------------------------

def _as_blob(label, value):
    """Return ``value`` as a C-contiguous little-endian array of an allowed dtype."""
    array = np.asarray(value)
    if array.dtype.name not in _DTYPES:
        raise TypeError(f"{label}: dtype {array.dtype} cannot be saved; "
                        f"allowed dtypes are {', '.join(_DTYPES)}")
    # newbyteorder('<') is a no-op on little-endian machines and for 1-byte types.
    # astype rather than ascontiguousarray, which would turn a 0-d array into 1-d.
    return array.astype(array.dtype.newbyteorder("<"), order="C", copy=False)


class _Layout:
    """Assigns each blob its offset in the data section as blobs are added."""

    def __init__(self):
        self.blobs = []
        self.size = 0

    def add(self, array):
        entry = {"dtype": array.dtype.name, "shape": list(array.shape),
                 "offset": self.size, "nbytes": array.nbytes}
        self.blobs.append(array)
        self.size = _align(self.size + array.nbytes)
        return entry


def _json_scalar(value):
    return value is None or isinstance(value, (bool, int, float, str))


def _build_header(kind, config, weights, optimizer_state):
    layout = _Layout()
    header = {"kind": kind, "producer": f"nncore {__version__}"}
    if kind == "model":
        if not isinstance(config, dict):
            raise TypeError(f"config must be a dict, not {type(config).__name__}")
        header["config"] = config
    entries = []
    for item in weights:
        name, value = item
        if not isinstance(name, str):
            raise TypeError(f"weight names must be strings, got {name!r}")
        entry = {"name": name}
        entry.update(layout.add(_as_blob(f"weight {name!r}", value)))
        entries.append(entry)
    header["weights"] = entries
    if kind == "model":
        header["optimizer"] = None
        if optimizer_state is not None:
            header["optimizer"] = []
            for key, value in optimizer_state.items():
                if not isinstance(key, str):
                    raise TypeError(f"optimizer state keys must be strings, got {key!r}")
                entry = {"key": key}
                # NumPy scalars go in as 0-d arrays so their exact dtype survives (np.float64
                # would otherwise pass as a Python float); anything else array-like, too.
                plain = not isinstance(value, np.generic) and (
                    _json_scalar(value) or isinstance(value, (dict, list)))
                if plain:
                    entry["value"] = value
                else:
                    entry.update(layout.add(_as_blob(f"optimizer state {key!r}", value)))
                header["optimizer"].append(entry)
    try:
        text = json.dumps(header, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"cannot save: the config or optimizer state is not "
                        f"JSON-serialisable ({exc})") from exc
    return text.encode("utf-8"), layout


class _HashingWriter:
    def __init__(self, f):
        self.f, self.hash = f, hashlib.sha256()

    def write(self, data):
        self.hash.update(data)
        self.f.write(data)


def _write(path, kind, config, weights, optimizer_state, overwrite):
    header, layout = _build_header(kind, config, weights, optimizer_state)
    data_start = _align(_PREAMBLE.size + len(header))
    file_size = data_start + layout.size + _CHECKSUM_SIZE
    with atomic_write(path, overwrite=overwrite) as f:
        out = _HashingWriter(f)
        out.write(_PREAMBLE.pack(MAGIC, FORMAT_VERSION, 0, len(header), file_size))
        out.write(header)
        out.write(bytes(data_start - _PREAMBLE.size - len(header)))
        written = 0
        for blob in layout.blobs:
            # memoryview of a 0-d or empty array is fine; reshape(-1) keeps it zero-copy.
            out.write(memoryview(blob.reshape(-1).view(np.uint8)))
            written += blob.nbytes
            out.write(bytes(_align(written) - written))
            written = _align(written)
        f.write(out.hash.digest())


def write_model_file(path, config, weights, optimizer_state=None, *, overwrite=True):
    """Write a model file atomically (see the module docstring for the layout).

    ``config`` is a JSON-able dict; ``weights`` an ordered iterable of (name, array);
    ``optimizer_state`` an optional dict of str -> int / float / None / JSON-able dict or
    list / array. With ``overwrite=False`` an existing ``path`` raises FileExistsError.
    """
    _write(path, "model", config, weights, optimizer_state, overwrite)


def write_weights_file(path, weights, *, overwrite=True):
    """Write only ``weights`` (ordered (name, array) pairs), for ``Model.save_weights``."""
    _write(path, "weights", None, weights, None, overwrite)


# --- reading ----------------------------------------------------------------------------

def _describe_foreign(path, head):
    if not head:
        return f"{path} is not an nncore model file: the file is empty"
    for signature, what in _FOREIGN_SIGNATURES:
        if head.startswith(signature):
            return (f"{path} is not an nncore model file: it looks like {what} "
                    f"(starts with {head[:8]!r})")
    return f"{path} is not an nncore model file (expected magic {MAGIC!r}, found {head[:8]!r})"


def _check_preamble(path, f, size):
    head = f.read(_PREAMBLE.size)
    if len(head) < len(MAGIC) and head and MAGIC.startswith(head):
        raise ModelFileError(f"{path} is truncated: {size} bytes, less than a model file's "
                             f"{_MIN_SIZE}-byte minimum")
    if not head.startswith(MAGIC):
        raise ModelFileError(_describe_foreign(path, head))
    if size < _MIN_SIZE:
        raise ModelFileError(f"{path} is truncated: {size} bytes, less than a model file's "
                             f"{_MIN_SIZE}-byte minimum")
    _, version, flags, header_len, recorded = _PREAMBLE.unpack(head)
    if version == 0 or version > FORMAT_VERSION:
        raise ModelFileError(f"{path} has model-file format version {version}; this nncore "
                             f"({__version__}) reads versions 1 to {FORMAT_VERSION}: "
                             f"upgrade nncore to load it")
    if flags != 0:
        raise ModelFileError(f"{path} uses format flags {flags:#x} this nncore does not know")
    if size < recorded:
        raise ModelFileError(f"{path} is truncated: expected {recorded} bytes, "
                             f"found {size} (an interrupted copy or download?)")
    if size > recorded:
        raise ModelFileError(f"{path} is corrupt: expected {recorded} bytes, found {size} "
                             f"({size - recorded} extra bytes at the end)")
    return version, header_len


def _verify_checksum(path, f, size):
    digest = hashlib.sha256()
    f.seek(0)
    remaining = size - _CHECKSUM_SIZE
    while remaining:
        chunk = f.read(min(_CHUNK, remaining))
        if not chunk:
            raise ModelFileError(f"{path} shrank while being read")
        digest.update(chunk)
        remaining -= len(chunk)
    stored = f.read(_CHECKSUM_SIZE)
    if stored != digest.digest():
        raise ModelFileError(f"{path} is corrupt: SHA-256 checksum mismatch (stored "
                             f"{stored.hex()[:16]}..., computed {digest.hexdigest()[:16]}...)")


def _read_header(path, f, header_len, size):
    if _PREAMBLE.size + header_len > size - _CHECKSUM_SIZE:
        raise ModelFileError(f"{path} is corrupt: header length {header_len} runs past "
                             f"the end of the file")
    f.seek(_PREAMBLE.size)
    try:
        header = json.loads(f.read(header_len).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelFileError(f"{path} is corrupt: the header is not valid JSON ({exc})") from None
    if not isinstance(header, dict) or header.get("kind") not in ("model", "weights"):
        raise ModelFileError(f"{path} is corrupt: the header is not a model-file header")
    return header


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _read_tensor(path, f, entry, data_start, data_size, label):
    if not isinstance(entry, dict):
        raise ModelFileError(f"{path}: bad tensor entry for {label}")
    dtype, shape = entry.get("dtype"), entry.get("shape")
    offset, nbytes = entry.get("offset"), entry.get("nbytes")
    if dtype not in _DTYPES:
        raise ModelFileError(f"{path}: {label} has dtype {dtype!r}; allowed: {', '.join(_DTYPES)}")
    if (not isinstance(shape, list) or len(shape) > _MAX_NDIM
            or not all(_is_int(n) for n in shape)):
        raise ModelFileError(f"{path}: {label} has an invalid shape {shape!r}")
    if not (_is_int(offset) and _is_int(nbytes)) or offset % ALIGNMENT:
        raise ModelFileError(f"{path}: {label} has an invalid offset/nbytes "
                             f"({offset!r}, {nbytes!r})")
    dt = np.dtype(dtype).newbyteorder("<")
    if math.prod(shape) * dt.itemsize != nbytes:
        raise ModelFileError(f"{path}: {label} has shape {shape} and dtype {dtype}, which "
                             f"need {math.prod(shape) * dt.itemsize} bytes, not {nbytes}")
    if offset + nbytes > data_size:
        raise ModelFileError(f"{path}: {label} (bytes {offset}..{offset + nbytes} of the data "
                             f"section) lies outside the {data_size}-byte data section")
    array = np.empty(shape, dtype=dt)
    f.seek(data_start + offset)
    if f.readinto(memoryview(array.reshape(-1).view(np.uint8))) != nbytes:
        raise ModelFileError(f"{path} shrank while being read")
    if dtype == "bool" and array.view(np.uint8).max(initial=0) > 1:
        raise ModelFileError(f"{path}: {label} is bool but holds bytes other than 0 and 1")
    return array.astype(dt.newbyteorder("="), copy=False)


def _read_entries(path, f, header, data_start, data_size):
    weights = []
    raw = header.get("weights")
    if not isinstance(raw, list):
        raise ModelFileError(f"{path} is corrupt: the header has no weight directory")
    for i, entry in enumerate(raw):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str):
            raise ModelFileError(f"{path}: weight #{i} has no name")
        label = f"weight #{i} {name!r}"
        weights.append((name, _read_tensor(path, f, entry, data_start, data_size, label)))
    raw = header.get("optimizer")
    if raw is None:
        return weights, None
    if not isinstance(raw, list):
        raise ModelFileError(f"{path} is corrupt: bad optimizer section")
    state = {}
    for entry in raw:
        key = entry.get("key") if isinstance(entry, dict) else None
        if not isinstance(key, str):
            raise ModelFileError(f"{path}: an optimizer entry has no key")
        if "value" in entry:
            state[key] = entry["value"]
        else:
            label = f"optimizer state {key!r}"
            state[key] = _read_tensor(path, f, entry, data_start, data_size, label)
    return weights, state


def _read(path):
    path = os.fspath(path)
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        version, header_len = _check_preamble(path, f, size)
        _verify_checksum(path, f, size)
        header = _read_header(path, f, header_len, size)
        data_start = _align(_PREAMBLE.size + header_len)
        data_size = size - _CHECKSUM_SIZE - data_start
        if data_size < 0:
            raise ModelFileError(f"{path} is corrupt: the data section starts past the end")
        weights, state = _read_entries(path, f, header, data_start, data_size)
    return header, weights, state, version


def read_model_file(path):
    """Read a file written by ``write_model_file``; returns a ``ModelFile``.

    Raises FileNotFoundError for a missing file and ModelFileError (a ValueError) for a
    foreign, truncated, corrupt or too-new file, or a weights-only file.
    """
    header, weights, state, version = _read(path)
    if header["kind"] != "model":
        raise ModelFileError(f"{os.fspath(path)} holds only weights (written by "
                             f"save_weights), not a model: build the model and use "
                             f"load_weights instead")
    config = header.get("config")
    if not isinstance(config, dict):
        raise ModelFileError(f"{os.fspath(path)} is corrupt: the model config is missing")
    return ModelFile(config, weights, state, version)


def read_weights_file(path):
    """Read the weights, a list of (name, ndarray), from a weights file or a model file."""
    return _read(path)[1]
