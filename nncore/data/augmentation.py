"""Random image augmentation on NumPy batches, vectorised over the images.

Images are ``(n, h, w)`` or channels-last ``(n, h, w, c)``. Every random function draws one
set of parameters per image from ``rng`` (a ``numpy.random.Generator``, an int seed, or None
for fresh entropy), so a seed reproduces a batch exactly. The dtype is kept: integer images
are rounded and clipped to their type's range (uint8 stays 0..255), floats stay floats.

    >>> aug = ImageAugmenter(rotation=10, shift=0.1, seed=0)
    >>> for xb, yb in batches(x, y, batch_size=128):
    ...     train_step(aug(xb), yb)

Geometry follows Keras: a positive angle turns the picture counter-clockwise (like
``np.rot90``) about its centre; ``fill_mode`` says what lies outside the image:
``"constant"`` (``fill_value``), ``"nearest"`` (edge pixels repeated), ``"reflect"``
(mirrored, edge included: ``d c b a | a b c d | d c b a``) or ``"wrap"`` (tiled).
"""
import numbers

import numpy as np

__all__ = ["rotate", "translate", "random_rotation", "random_shift", "random_flip",
           "random_crop", "random_brightness", "random_contrast", "ImageAugmenter"]

_FILL_MODES = ("constant", "nearest", "reflect", "wrap")
_INTERPOLATIONS = ("nearest", "bilinear")
# Pixels resampled per chunk: bounds the temporaries (a few float64 arrays of this size)
# when a whole dataset is passed at once instead of one batch.
_CHUNK_PIXELS = 1 << 20


# --- geometry --------------------------------------------------------------------------

def rotate(x, angle, *, interpolation="nearest", fill_mode="constant", fill_value=0):
    """Rotate every image by ``angle`` degrees (a scalar or one per image),
    counter-clockwise about its centre."""
    x4, squeeze = _as_nhwc(x)
    angles = np.broadcast_to(np.asarray(angle, dtype=np.float64), (len(x4),))
    zeros = np.zeros(len(x4))
    return _finish(_warp(x4, angles, zeros, zeros, interpolation, fill_mode, fill_value),
                   x4.dtype, squeeze)


def translate(x, dy, dx, *, interpolation="nearest", fill_mode="constant", fill_value=0):
    """Move every image's content down by ``dy`` and right by ``dx`` pixels (scalars or one
    per image; negative moves up / left)."""
    x4, squeeze = _as_nhwc(x)
    n = len(x4)
    dy = np.broadcast_to(np.asarray(dy, dtype=np.float64), (n,))
    dx = np.broadcast_to(np.asarray(dx, dtype=np.float64), (n,))
    return _finish(_warp(x4, np.zeros(n), dy, dx, interpolation, fill_mode, fill_value),
                   x4.dtype, squeeze)


def random_rotation(x, degrees, *, interpolation="nearest", fill_mode="constant",
                    fill_value=0, rng=None):
    """Rotate each image by an angle drawn uniformly from ``[-degrees, degrees]`` (or from
    ``[lo, hi]`` when ``degrees`` is a pair)."""
    lo, hi = _symmetric_range(degrees, "degrees")
    angles = _rng(rng).uniform(lo, hi, size=len(np.asarray(x)))
    return rotate(x, angles, interpolation=interpolation, fill_mode=fill_mode,
                  fill_value=fill_value)


def random_shift(x, max_shift, *, fill_mode="constant", fill_value=0, rng=None):
    """Translate each image by a whole number of pixels drawn uniformly from
    ``[-m, m]`` per axis. ``max_shift`` is one value for both axes or ``(height, width)``;
    a value below 1 is a fraction of the image size (0.1 of 28 rows: up to 3 pixels),
    otherwise a number of pixels. Whole pixels keep every shifted pixel exact."""
    x4, squeeze = _as_nhwc(x)
    dy, dx = _draw_shifts(_rng(rng), x4.shape, max_shift)
    n = len(x4)
    return _finish(_warp(x4, np.zeros(n), dy, dx, "nearest", fill_mode, fill_value),
                   x4.dtype, squeeze)


def random_flip(x, mode="horizontal", *, probability=0.5, rng=None):
    """Mirror each image left-right (``"horizontal"``), top-bottom (``"vertical"``) or, with
    independent draws, both (``"horizontal_and_vertical"``), each with ``probability``."""
    if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
        raise ValueError(f"random_flip: mode must be 'horizontal', 'vertical' or "
                         f"'horizontal_and_vertical', got {mode!r}")
    x = np.array(x, copy=True)
    _check_images(x)
    rng = _rng(rng)
    # Axis 2 is the width and axis 1 the height in both (n, h, w) and (n, h, w, c).
    axes = {"horizontal": (2,), "vertical": (1,), "horizontal_and_vertical": (2, 1)}[mode]
    for axis in axes:
        chosen = rng.random(len(x)) < probability
        x[chosen] = np.flip(x[chosen], axis=axis)
    return x


def random_crop(x, size=None, padding=0, *, fill_mode="constant", fill_value=0, rng=None):
    """Pad each side by ``padding`` pixels, then cut a window of ``size`` = (height, width)
    (default: the input's) at a random position per image -- CIFAR's classic "pad 4, crop
    32". The padding is filled as ``fill_mode`` says."""
    x4, squeeze = _as_nhwc(x)
    n, h, w, _ = x4.shape
    ch, cw = (h, w) if size is None else _pair(size, "size")
    p = int(padding)
    if p < 0:
        raise ValueError(f"random_crop: padding must be >= 0, got {padding}")
    if not (0 < ch <= h + 2 * p and 0 < cw <= w + 2 * p):
        raise ValueError(f"random_crop: a {ch}x{cw} window does not fit in {h}x{w} images "
                         f"padded by {p}")
    if p:
        pad_mode = {"constant": "constant", "nearest": "edge", "reflect": "symmetric",
                    "wrap": "wrap"}[_check_fill_mode(fill_mode)]
        extra = {"constant_values": fill_value} if pad_mode == "constant" else {}
        x4 = np.pad(x4, ((0, 0), (p, p), (p, p), (0, 0)), mode=pad_mode, **extra)
    rng = _rng(rng)
    top = rng.integers(0, x4.shape[1] - ch + 1, size=n)
    left = rng.integers(0, x4.shape[2] - cw + 1, size=n)
    rows = (top[:, None] + np.arange(ch))[:, :, None]
    cols = (left[:, None] + np.arange(cw))[:, None, :]
    out = x4[np.arange(n)[:, None, None], rows, cols]
    return out[..., 0] if squeeze else out


# --- intensity -------------------------------------------------------------------------

def random_brightness(x, max_delta, *, value_range=None, rng=None):
    """Add to each image a constant drawn from ``[-max_delta, max_delta]`` (or a
    ``(lo, hi)`` pair) times the width of ``value_range``, then clip to ``value_range``.
    ``value_range`` defaults to the dtype's range for integers (0..255 for uint8) and to
    (0, 1) for floats; pass it explicitly for other data (e.g. standardised images)."""
    x4, squeeze = _as_nhwc(x)
    vmin, vmax = _value_range(x4.dtype, value_range)
    lo, hi = _symmetric_range(max_delta, "max_delta")
    work = _work_dtype(x4.dtype)
    delta = (_rng(rng).uniform(lo, hi, size=len(x4)) * (vmax - vmin)).astype(work)
    y = x4.astype(work)
    y += delta[:, None, None, None]
    return _finish(y, x4.dtype, squeeze, vmin, vmax)


def random_contrast(x, factor, *, value_range=None, rng=None):
    """Scale each image's deviations from its own per-channel mean by a factor drawn from
    ``[1 - factor, 1 + factor]`` (the low end floored at 0), or from
    ``[1 - lower, 1 + upper]`` for a pair ``(lower, upper)`` as in Keras's RandomContrast;
    then clip to ``value_range`` (defaults as in random_brightness)."""
    x4, squeeze = _as_nhwc(x)
    vmin, vmax = _value_range(x4.dtype, value_range)
    if isinstance(factor, numbers.Number):
        low, high = max(0.0, 1.0 - abs(factor)), 1.0 + abs(factor)
    else:
        lower, upper = _pair(factor, "factor", cast=float)
        low, high = 1.0 - lower, 1.0 + upper
        if not 0.0 <= low <= high:
            raise ValueError(f"random_contrast: factor {factor} gives the contrast range "
                             f"[{low}, {high}]; it must satisfy 0 <= low <= high")
    work = _work_dtype(x4.dtype)
    k = _rng(rng).uniform(low, high, size=len(x4)).astype(work)
    y = x4.astype(work)
    mean = y.mean(axis=(1, 2), keepdims=True)
    y -= mean
    y *= k[:, None, None, None]
    y += mean
    return _finish(y, x4.dtype, squeeze, vmin, vmax)


# --- composition -----------------------------------------------------------------------

class ImageAugmenter:
    """Several augmentations applied per batch: ``augmenter(x)`` returns a new batch.

    Order: flip, then rotation and shift together (one resampling, so pixels are
    interpolated once), then crop, brightness and contrast. An option left at 0/None is
    skipped. The augmenter owns a Generator seeded from ``seed``; successive calls continue
    its stream, so a run is reproducible from the seed; ``augmenter(x, rng=...)`` uses the
    given generator instead.

    rotation: max degrees (or a (lo, hi) pair); shift: as random_shift's max_shift;
    flip: None or a random_flip mode; crop: None or (height, width); crop_padding: pixels;
    brightness: as random_brightness's max_delta; contrast: as random_contrast's factor.
    """

    def __init__(self, rotation=0.0, shift=0.0, flip=None, crop=None, crop_padding=0,
                 brightness=0.0, contrast=0.0, *, interpolation="nearest",
                 fill_mode="constant", fill_value=0, value_range=None, seed=None):
        _check_fill_mode(fill_mode)
        if interpolation not in _INTERPOLATIONS:
            raise ValueError(f"interpolation must be one of {_INTERPOLATIONS}, "
                             f"got {interpolation!r}")
        self.rotation, self.shift, self.flip = rotation, shift, flip
        self.crop, self.crop_padding = crop, crop_padding
        self.brightness, self.contrast = brightness, contrast
        self.interpolation, self.fill_mode, self.fill_value = interpolation, fill_mode, fill_value
        self.value_range = value_range
        self.rng = np.random.default_rng(seed)

    def __call__(self, x, rng=None):
        rng = self.rng if rng is None else _rng(rng)
        geometry = dict(fill_mode=self.fill_mode, fill_value=self.fill_value)
        if self.flip:
            x = random_flip(x, self.flip, rng=rng)
        if _nonzero(self.rotation) or _nonzero(self.shift):
            x4, squeeze = _as_nhwc(x)
            n = len(x4)
            lo, hi = _symmetric_range(self.rotation, "rotation")
            angles = rng.uniform(lo, hi, size=n)
            dy, dx = _draw_shifts(rng, x4.shape, self.shift)
            x = _finish(_warp(x4, angles, dy, dx, self.interpolation, **geometry),
                        x4.dtype, squeeze)
        if self.crop is not None or self.crop_padding:
            x = random_crop(x, self.crop, self.crop_padding, rng=rng, **geometry)
        intensity = dict(value_range=self.value_range, rng=rng)
        if _nonzero(self.brightness):
            x = random_brightness(x, self.brightness, **intensity)
        if _nonzero(self.contrast):
            x = random_contrast(x, self.contrast, **intensity)
        return x

    def __repr__(self):
        options = ("rotation", "shift", "flip", "crop", "crop_padding", "brightness",
                   "contrast")
        set_ = ", ".join(f"{k}={getattr(self, k)!r}" for k in options
                         if _nonzero(getattr(self, k)))
        return f"ImageAugmenter({set_})"


# --- helpers ---------------------------------------------------------------------------

def _rng(rng):
    # default_rng passes a Generator through untouched and seeds one from anything else.
    return np.random.default_rng(rng)


def _check_images(x):
    if x.ndim not in (3, 4):
        raise ValueError(f"expected images of shape (n, h, w) or (n, h, w, c), got {x.shape}")
    if x.dtype == bool or not (np.issubdtype(x.dtype, np.integer)
                               or np.issubdtype(x.dtype, np.floating)):
        raise TypeError(f"expected integer or floating-point images, got {x.dtype}")


def _as_nhwc(x):
    x = np.asarray(x)
    _check_images(x)
    return (x[..., None], True) if x.ndim == 3 else (x, False)


def _work_dtype(dtype):
    return np.result_type(dtype, np.float32)


def _finish(y, dtype, squeeze, lo=None, hi=None):
    """Back to the input's layout and dtype, clipped to [lo, hi] when given."""
    if squeeze:
        y = y[..., 0]
    if np.issubdtype(dtype, np.integer) and y.dtype != dtype:
        info = np.iinfo(dtype)
        lo = info.min if lo is None else max(lo, info.min)
        hi = info.max if hi is None else min(hi, info.max)
        y = np.rint(y, out=y)
    if lo is not None:
        y = np.clip(y, lo, hi, out=y)
    return y.astype(dtype, copy=False)


def _value_range(dtype, value_range):
    if value_range is not None:
        lo, hi = (float(v) for v in value_range)
        if not lo < hi:
            raise ValueError(f"value_range must be (low, high) with low < high, "
                             f"got {value_range}")
        return lo, hi
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return float(info.min), float(info.max)
    return 0.0, 1.0


def _nonzero(option):
    if option is None or option is False:
        return False
    if isinstance(option, numbers.Number):
        return option != 0
    if isinstance(option, str):
        return True
    return any(_nonzero(v) for v in option)


def _pair(value, what, cast=int):
    if isinstance(value, numbers.Number):
        return cast(value), cast(value)
    pair = tuple(value)
    if len(pair) != 2:
        raise ValueError(f"{what} must be a number or a pair, got {value!r}")
    return cast(pair[0]), cast(pair[1])


def _symmetric_range(value, what):
    if isinstance(value, numbers.Number):
        return -abs(float(value)), abs(float(value))
    lo, hi = _pair(value, what, cast=float)
    if lo > hi:
        raise ValueError(f"{what}: the range ({lo}, {hi}) is reversed")
    return lo, hi


def _draw_shifts(rng, shape, max_shift):
    limits = []
    for m, size in zip(_pair(max_shift, "max_shift", cast=float), shape[1:3]):
        m = abs(m)
        limits.append(int(round(m * size)) if m < 1 else int(m))
    n = shape[0]
    return (rng.integers(-limits[0], limits[0] + 1, size=n).astype(np.float64),
            rng.integers(-limits[1], limits[1] + 1, size=n).astype(np.float64))


def _check_fill_mode(fill_mode):
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"fill_mode must be one of {_FILL_MODES}, got {fill_mode!r}")
    return fill_mode


def _warp(x4, angles, dy, dx, interpolation, fill_mode, fill_value):
    """Rotate each image by its angle about its centre, then move it by (dy, dx) pixels.
    Works backwards: for every output pixel, find the input point that lands there."""
    _check_fill_mode(fill_mode)
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"interpolation must be one of {_INTERPOLATIONS}, "
                         f"got {interpolation!r}")
    n, h, w, _ = x4.shape
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    theta = np.deg2rad(angles)
    cos, sin = np.cos(theta), np.sin(theta)
    out_dtype = x4.dtype if interpolation == "nearest" else _work_dtype(x4.dtype)
    out = np.empty(x4.shape, dtype=out_dtype)
    rows = np.arange(h, dtype=np.float64)[:, None] - cy
    cols = np.arange(w, dtype=np.float64)[None, :] - cx
    step = max(1, _CHUNK_PIXELS // max(1, h * w))
    for s in range(0, n, step):
        part = slice(s, s + step)
        y = rows[None] - dy[part, None, None]          # (m, h, 1), relative to the centre
        x = cols[None] - dx[part, None, None]          # (m, 1, w)
        c, si = cos[part, None, None], sin[part, None, None]
        # Inverse rotation, in row/column coordinates (rows grow downwards).
        src_r = cy + si * x + c * y
        src_c = cx + c * x - si * y
        out[part] = _sample(x4[part], src_r, src_c, interpolation, fill_mode, fill_value,
                            out_dtype)
    return out


def _sample(x4, r, c, interpolation, fill_mode, fill_value, out_dtype):
    """Values of x4 at real coordinates (r, c), one set per image, as (m, h, w, channels)."""
    m, h, w, channels = x4.shape
    if fill_mode == "constant":
        # A one-pixel frame of fill_value: every outside coordinate, clipped onto the frame,
        # reads the fill value, with no mask to build or apply.
        x4 = np.pad(x4, ((0, 0), (1, 1), (1, 1), (0, 0)), constant_values=fill_value)
    height, width = x4.shape[1:3]
    flat = x4.reshape(-1, channels)
    base = (np.arange(m) * (height * width))[:, None, None]

    def fold(i, size):
        if fill_mode == "constant":
            return np.clip(i, -1, size) + 1
        return _fold(i, size, fill_mode)

    if interpolation == "nearest":
        index = base + fold(np.rint(r).astype(np.intp), h) * width
        index += fold(np.rint(c).astype(np.intp), w)
        return np.take(flat, index, axis=0)
    r0, c0 = np.floor(r), np.floor(c)
    fr = (r - r0).astype(out_dtype)[..., None]
    fc = (c - c0).astype(out_dtype)[..., None]
    r0, c0 = r0.astype(np.intp), c0.astype(np.intp)
    row0, row1 = base + fold(r0, h) * width, base + fold(r0 + 1, h) * width
    col0, col1 = fold(c0, w), fold(c0 + 1, w)

    def at(row, col):
        return np.take(flat, row + col, axis=0).astype(out_dtype)

    top = at(row0, col0) * (1 - fc) + at(row0, col1) * fc
    bottom = at(row1, col0) * (1 - fc) + at(row1, col1) * fc
    return top * (1 - fr) + bottom * fr


def _fold(i, size, fill_mode):
    """Map integer coordinates outside [0, size) back inside, as fill_mode says."""
    if fill_mode == "nearest":
        return np.clip(i, 0, size - 1)
    if fill_mode == "wrap":
        return np.mod(i, size)
    m = np.mod(i, 2 * size)  # reflect, edge pixel repeated
    return np.where(m >= size, 2 * size - 1 - m, m)
