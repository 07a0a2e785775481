"""The IDX file format of MNIST and Fashion-MNIST, gzipped or not.

An IDX file is a 4-byte magic number -- two zero bytes, a type code, the number of
dimensions -- then one big-endian uint32 per dimension, then the values in C order,
big-endian. Nothing follows the values. Readers here check every one of those facts, so a
truncated download or a file of some other format fails with a ValueError naming the file
instead of producing a wrongly shaped array.
"""
import gzip
import os
import struct
import zlib

import numpy as np

__all__ = ["read_idx", "write_idx"]

# type code -> big-endian NumPy dtype
_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dt.newbyteorder("="): code for code, dt in _TYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"
# Far above any real IDX file; stops a corrupt header from asking for terabytes.
_MAX_BYTES = 1 << 34


def _open(path):
    # Sniff the content rather than trust the extension: people gunzip files and keep names.
    with open(path, "rb") as f:
        head = f.read(2)
    if head == _GZIP_MAGIC:
        return gzip.open(path, "rb")
    return open(path, "rb")


def _read_exactly(f, n):
    data = f.read(n)
    if len(data) != n:
        raise EOFError(f"expected {n} bytes, found {len(data)}")
    return data


def read_idx(path, ndim=None, dtype=None):
    """Read one IDX file (plain or gzip-compressed) into a writable native-endian array.

    ``ndim`` and ``dtype``, when given, are what the caller expects; a file holding
    anything else is rejected. Raises FileNotFoundError for a missing file and ValueError,
    naming the file, for anything malformed.
    """
    path = os.fspath(path)
    name = os.path.basename(path)
    with _open(path) as f:
        try:
            return _parse(f, name, ndim, dtype)
        except (EOFError, OSError, zlib.error) as exc:
            raise ValueError(f"{name}: truncated or corrupt IDX file ({path}): {exc}") from exc


def _parse(f, name, ndim, dtype):
    magic = f.read(4)
    if len(magic) < 4:
        raise ValueError(f"{name}: not an IDX file: only {len(magic)} bytes")
    zero, code, rank = magic[:2], magic[2], magic[3]
    if zero != b"\x00\x00" or code not in _TYPES:
        raise ValueError(f"{name}: not an IDX file: bad magic number 0x{magic.hex()}")
    if rank == 0:
        raise ValueError(f"{name}: IDX header declares 0 dimensions")
    if ndim is not None and rank != ndim:
        raise ValueError(f"{name}: expected an IDX file with {ndim} dimension(s), "
                         f"the header declares {rank}")
    file_dtype = _TYPES[code]
    if dtype is not None and file_dtype.newbyteorder("=") != np.dtype(dtype):
        raise ValueError(f"{name}: expected {np.dtype(dtype)} values, the file holds "
                         f"{file_dtype.newbyteorder('=')}")
    shape = struct.unpack(f">{rank}I", _read_exactly(f, 4 * rank))
    nbytes = int(np.prod(shape, dtype=np.int64)) * file_dtype.itemsize
    if nbytes > _MAX_BYTES:
        raise ValueError(f"{name}: IDX header declares an implausible shape {shape}")

    out = np.empty(shape, dtype=file_dtype)
    view = memoryview(out.reshape(-1).view(np.uint8))
    filled = 0
    # readinto fills the array in place: no intermediate bytes object of the whole file.
    while filled < nbytes:
        got = f.readinto(view[filled:])
        if not got:
            raise ValueError(f"{name}: truncated IDX file: header declares shape {shape} "
                             f"({nbytes} bytes of data), found only {filled}")
        filled += got
    if f.read(1):
        raise ValueError(f"{name}: IDX file has data after the {nbytes} bytes its header "
                         f"declares for shape {shape}")
    # A no-op for bytes; a byte swap for wider types on little-endian machines.
    return out.astype(file_dtype.newbyteorder("="), copy=False)


def write_idx(path, array):
    """Write ``array`` as an IDX file; gzip-compressed when ``path`` ends in ``.gz``."""
    array = np.asarray(array)
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"IDX cannot hold {array.dtype} values; use one of "
                        f"{sorted(str(d) for d in _CODES)}")
    if array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"IDX holds 1 to 255 dimensions, not {array.ndim}")
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = np.ascontiguousarray(array, dtype=_TYPES[code]).tobytes()
    path = os.fspath(path)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header)
        f.write(data)
