"""Reading, writing and preparing images without Pillow: PNG and PGM/PPM, plus MNIST-style
digit preparation, so a trained digit classifier can be tried on a drawing.

    >>> from nncore.images import read_image, to_mnist
    >>> x = to_mnist(read_image("my_digit.png"))     # (28, 28) uint8, white on black
    >>> model.predict(x.reshape(1, 784) / 255.0)

``read_image`` always returns grayscale: colour becomes luminance with the ITU-R BT.601
weights (0.299 R + 0.587 G + 0.114 B), and transparency is composited over a *white*
background, because drawn digits are usually dark ink on a light (or transparent) page;
``to_mnist`` then inverts light-background images to MNIST's white-on-black.
"""
import os
import re

import numpy as np

from nncore import _png
from nncore._atomic_file import atomic_write

__all__ = ["read_image", "write_png", "resize", "to_mnist"]

_LUMA = np.array([0.299, 0.587, 0.114])
_WHITESPACE = b" \t\r\n\x0b\x0c"
_OTHER_FORMATS = [(b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"), (b"BM", "BMP"),
                  (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"RIFF", "RIFF (WebP?)"),
                  (b"P1", "PBM"), (b"P4", "PBM"), (b"\x89HDF", "HDF5")]

# to_mnist: MNIST digits were scaled to fit a 20x20 box, then placed in 28x28 so that their
# centre of mass sits at the centre; measured on MNIST it is at (14.0, 14.0) +- 0.3.
_BOX, _SIDE, _CENTRE = 20, 28, 14.0
_INK_THRESHOLD = 0.05    # fraction of the peak that counts as ink for the bounding box
_MIN_CONTRAST = 16.0     # below this (out of 255) an image is treated as blank


# --- reading ----------------------------------------------------------------------------

def read_image(path):
    """Read a PNG or PGM/PPM (P2, P3, P5, P6) file as a grayscale (h, w) uint8 array."""
    name = os.fspath(path)
    with open(name, "rb") as f:
        data = f.read()
    if data.startswith(_png.SIGNATURE):
        samples = _png.decode_png(data, name)
    elif re.match(rb"P[2356][\s#]", data[:3]):
        samples = _decode_netpbm(data, name)
    else:
        raise ValueError(f"{name}: unsupported image format ({_describe(data)}); "
                         f"read_image reads PNG and PGM/PPM, convert the image to PNG")
    return _to_uint8(_gray(samples) * 255.0)


def _describe(data):
    if not data:
        return "the file is empty"
    for signature, kind in _OTHER_FORMATS:
        if data.startswith(signature):
            return f"it looks like {kind}"
    return f"it starts with {data[:8]!r}"


def _gray(samples):
    """(h, w, c) samples in [0, 1] -> (h, w) luminance, alpha composited over white."""
    channels = samples.shape[2]
    color = samples[..., :3] @ _LUMA if channels >= 3 else samples[..., 0]
    if channels in (2, 4):
        alpha = samples[..., -1]
        color = alpha * color + (1.0 - alpha)
    return color


def _to_uint8(values):
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _netpbm_header(data, name):
    """Parse 'P5 <w> <h> <maxval>' (comments allowed); returns the values and raster offset."""
    values, pos = [], 2
    while len(values) < 3:
        while pos < len(data) and (data[pos] in _WHITESPACE or data[pos] == ord("#")):
            if data[pos] == ord("#"):   # a comment runs to the end of its line
                end = data.find(b"\n", pos)
                pos = len(data) if end < 0 else end + 1
            else:
                pos += 1
        start = pos
        while pos < len(data) and 48 <= data[pos] <= 57:
            pos += 1
        if start == pos:
            raise ValueError(f"{name}: malformed PGM/PPM header (expected width, height "
                             f"and maxval, found {data[start:start + 8]!r})")
        values.append(int(data[start:pos]))
    if pos >= len(data) or data[pos] not in _WHITESPACE:
        raise ValueError(f"{name}: malformed PGM/PPM header: no whitespace after maxval")
    width, height, maxval = values
    if not width or not height or not 1 <= maxval <= 65535:
        raise ValueError(f"{name}: invalid PGM/PPM header: {width}x{height}, maxval {maxval}")
    return width, height, maxval, pos + 1


def _decode_netpbm(data, name):
    width, height, maxval, start = _netpbm_header(data, name)
    channels = 3 if data[1:2] in b"36" else 1
    count = width * height * channels
    if data[1:2] in b"56":    # binary; 16-bit samples are big-endian
        dtype = np.dtype(np.uint8 if maxval < 256 else ">u2")
        if len(data) - start < count * dtype.itemsize:
            raise ValueError(f"{name}: truncated PGM/PPM: {count * dtype.itemsize} bytes of "
                             f"pixels expected, {len(data) - start} found")
        values = np.frombuffer(data, dtype, count, start)
    else:                     # plain (ASCII) decimal samples
        text = re.sub(rb"#[^\n]*", b" ", data[start:])
        try:
            values = np.array(text.split(), dtype=np.int64)
        except ValueError:
            raise ValueError(f"{name}: corrupt plain PGM/PPM: non-numeric pixel values") from None
        if values.size < count:
            raise ValueError(f"{name}: truncated PGM/PPM: {count} pixel values expected, "
                             f"{values.size} found")
        values = values[:count]
    if values.max() > maxval:
        raise ValueError(f"{name}: corrupt PGM/PPM: pixel value {values.max()} exceeds "
                         f"maxval {maxval}")
    return (values / float(maxval)).reshape(height, width, channels)


# --- writing ----------------------------------------------------------------------------

def write_png(path, array, *, overwrite=True):
    """Write an 8-bit PNG atomically: (h, w) gray, (h, w, 3) RGB or (h, w, 4) RGBA.

    uint8 (or any integer in 0..255) is written as is, floats must lie in [0, 1] and are
    scaled by 255, booleans become 0 / 255.
    """
    a = np.asarray(array)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] in (3, 4))) or 0 in a.shape:
        raise ValueError(f"write_png: expected a non-empty (h, w), (h, w, 3) or (h, w, 4) "
                         f"array, got shape {a.shape}")
    if a.dtype == np.bool_:
        a = a.astype(np.uint8) * 255
    elif np.issubdtype(a.dtype, np.floating):
        if not (np.isfinite(a).all() and a.min() >= 0 and a.max() <= 1):
            raise ValueError("write_png: float images must hold values in [0, 1]")
        a = _to_uint8(a * 255.0)
    elif np.issubdtype(a.dtype, np.integer):
        if a.min() < 0 or a.max() > 255:
            raise ValueError(f"write_png: integer images must hold values in 0..255, "
                             f"found {a.min()}..{a.max()}")
        a = a.astype(np.uint8)
    else:
        raise TypeError(f"write_png: cannot write an array of dtype {a.dtype}")
    encoded = _png.encode_png(a.reshape(a.shape[0], a.shape[1], -1))
    with atomic_write(path, overwrite=overwrite) as f:
        f.write(encoded)


# --- resampling -------------------------------------------------------------------------

def _bilinear_axis(a, n_out, axis):
    # Pixel centres at i + 0.5 on both grids (as OpenCV and Pillow), edges clamped.
    n_in = a.shape[axis]
    x = np.clip((np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5, 0, n_in - 1)
    i0 = np.floor(x).astype(np.intp)
    i1 = np.minimum(i0 + 1, n_in - 1)
    t = (x - i0).reshape((-1,) + (1,) * (a.ndim - axis - 1))
    return np.take(a, i0, axis) * (1 - t) + np.take(a, i1, axis) * t


def _area_axis(a, n_out, axis):
    # Each output pixel averages the input interval it covers, fractional ends included:
    # differences of the running sum, interpolated linearly inside an input pixel.
    a = np.moveaxis(a, axis, 0)
    n_in = a.shape[0]
    total = np.concatenate([np.zeros((1,) + a.shape[1:]), np.cumsum(a, axis=0)])
    edges = np.arange(n_out + 1) * (n_in / n_out)
    i = np.minimum(np.floor(edges).astype(np.intp), n_in - 1)
    frac = (edges - i).reshape((-1,) + (1,) * (a.ndim - 1))
    running = total[i] + frac * a[i]
    return np.moveaxis((running[1:] - running[:-1]) * (n_out / n_in), 0, axis)


def _resize_float(image, shape, method):
    step = {"bilinear": _bilinear_axis, "area": _area_axis}.get(method)
    if step is None:
        raise ValueError(f"resize: unknown method {method!r}; use 'bilinear' or 'area'")
    out = image.astype(np.float64)
    for axis, n in enumerate(shape):
        if n != out.shape[axis]:
            out = step(out, n, axis)
    return out


def resize(image, shape, *, method="bilinear"):
    """Resize the first two axes of ``image`` to ``shape`` = (height, width).

    ``method="bilinear"`` interpolates (good for enlarging); ``"area"`` averages the input
    pixels each output pixel covers (good for shrinking, where bilinear would alias).
    Integer images are rounded back to their dtype; float images stay float64.
    """
    image = np.asarray(image)
    shape = tuple(int(n) for n in shape)
    if image.ndim not in (2, 3) or 0 in image.shape[:2] or len(shape) != 2 or min(shape) < 1:
        raise ValueError(f"resize: cannot resize an image of shape {image.shape} to {shape}")
    out = _resize_float(image, shape, method)
    if np.issubdtype(image.dtype, np.integer):
        info = np.iinfo(image.dtype)
        return np.clip(np.rint(out), info.min, info.max).astype(image.dtype)
    return out


# --- MNIST preparation ------------------------------------------------------------------

def to_mnist(image):
    """Prepare an image of one digit the way MNIST's digits were prepared.

    ``image`` is (h, w) grayscale, or (h, w, 3|4) colour; uint8 in 0..255 or floats in
    [0, 1]. Steps: invert if the background is light (mean above 127) so the digit is white
    on black; subtract the background level and stretch the ink to 0..255; crop to the ink's
    bounding box; scale the longer side to 20 pixels, keeping the aspect ratio (area
    averaging to shrink, bilinear to enlarge); paste into 28x28 with the centre of mass at
    the centre. Returns (28, 28) uint8; a blank image gives all zeros.

    Thin pen strokes on a large canvas become faint after shrinking; draw with a stroke
    about a tenth of the digit's height for results that look like MNIST.
    """
    x = np.asarray(image)
    if not (x.ndim == 2 or (x.ndim == 3 and x.shape[2] in (1, 2, 3, 4))) or 0 in x.shape:
        raise ValueError(f"to_mnist: expected a (h, w) or (h, w, 3) image, got shape {x.shape}")
    x = x / 255.0 if np.issubdtype(x.dtype, np.integer) else x.astype(np.float64)
    x = (_gray(x) if x.ndim == 3 else x) * 255.0
    if x.mean() > 127:
        x = 255.0 - x
    # The background level plus three robust standard deviations (1.4826 MAD) of its
    # noise: zero for clean images such as MNIST, enough to drop a photo's paper grain.
    background = np.median(x)
    x = np.clip(x - background - 3 * 1.4826 * np.median(np.abs(x - background)), 0, None)
    out = np.zeros((_SIDE, _SIDE), np.uint8)
    if x.max() < _MIN_CONTRAST:
        return out
    x *= 255.0 / x.max()
    ink = x > _INK_THRESHOLD * 255.0
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    crop = x[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    size = (max(1, round(h * _BOX / max(h, w))), max(1, round(w * _BOX / max(h, w))))
    digit = _resize_float(crop, size, "area" if max(h, w) > _BOX else "bilinear")
    digit *= 255.0 / digit.max()   # shrinking dims thin strokes; MNIST ink peaks at 255
    mass = digit.sum()
    cy = (digit.sum(axis=1) @ np.arange(size[0])) / mass
    cx = (digit.sum(axis=0) @ np.arange(size[1])) / mass
    top = min(max(round(_CENTRE - cy), 0), _SIDE - size[0])
    left = min(max(round(_CENTRE - cx), 0), _SIDE - size[1])
    out[top:top + size[0], left:left + size[1]] = _to_uint8(digit)
    return out
