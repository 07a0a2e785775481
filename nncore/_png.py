"""A small PNG codec (zlib + NumPy), for nncore.images.

Decoding covers the whole PNG specification apart from colour management: every colour type
and bit depth, palettes and tRNS transparency, all five row filters, Adam7 interlacing, and
CRC checks on every chunk. Ancillary chunks (gamma, text, ...) are skipped. The result is
floating-point samples in [0, 1] with 1 to 4 channels (gray, gray+alpha, RGB, RGBA).

Rows filtered with Average or Paeth depend on the pixel just decoded to their left, so those
two filters are undone in a Python loop per byte (about half a second per million bytes);
None, Sub and Up are vectorised. Encoding picks a filter per row, all vectorised.
"""
import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
# Adam7 passes as (first column, first row, column step, row step).
_ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
          (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
_MAX_PIXELS = 1 << 28  # refuse absurd IHDR sizes before allocating for them


def _chunks(data, name):
    pos = len(SIGNATURE)
    while True:
        if pos + 8 > len(data):
            raise ValueError(f"{name}: truncated PNG: the file ends at byte {len(data)} "
                             f"before the IEND chunk")
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise ValueError(f"{name}: truncated PNG: chunk {kind!r} needs bytes up to {end}, "
                             f"the file has {len(data)}")
        body = data[pos + 8:pos + 8 + length]
        if zlib.crc32(kind + body) != struct.unpack(">I", data[end - 4:end])[0]:
            raise ValueError(f"{name}: corrupt PNG: CRC mismatch in the {kind!r} chunk")
        yield kind, body
        if kind == b"IEND":
            return
        pos = end


def _unfilter(raw, height, stride, bpp, name):
    """Undo the per-row filters of one (sub)image; returns (height, stride) uint8."""
    rows = raw.reshape(height, stride + 1)
    if height and rows[:, 0].max() > 4:
        raise ValueError(f"{name}: corrupt PNG: unknown row filter type {rows[:, 0].max()}")
    out = np.empty((height, stride), np.uint8)
    prior = np.zeros(stride, np.uint8)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:]
        if kind == 0:
            out[y] = line
        elif kind == 1:   # Sub: a running sum of each byte lane, modulo 256
            out[y] = line.reshape(-1, bpp).cumsum(axis=0, dtype=np.uint8).reshape(-1)
        elif kind == 2:   # Up
            out[y] = line + prior
        else:
            out[y] = np.frombuffer(_unfilter_sequential(kind, line.tobytes(),
                                                        prior.tobytes(), bpp), np.uint8)
        prior = out[y]
    return out


def _unfilter_sequential(kind, line, prior, bpp):
    cur = bytearray(line)
    for i in range(len(cur)):
        a = cur[i - bpp] if i >= bpp else 0
        b = prior[i]
        if kind == 3:     # Average
            cur[i] = (cur[i] + ((a + b) >> 1)) & 255
            continue
        c = prior[i - bpp] if i >= bpp else 0   # Paeth
        pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
        cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    return bytes(cur)


def _samples(rows, width, channels, depth):
    """Split unfiltered rows into integer samples, shape (height, width, channels)."""
    height = rows.shape[0]
    if depth == 8:
        return rows.reshape(height, width, channels)
    if depth == 16:
        return rows.view(">u2").reshape(height, width, channels).astype(np.uint16)
    bits = np.unpackbits(rows, axis=1)[:, :width * depth].reshape(height, width, depth)
    weights = (1 << np.arange(depth - 1, -1, -1)).astype(np.uint8)
    return (bits * weights).sum(axis=2, dtype=np.uint8)[..., None]


def _decode_image(raw, width, height, channels, depth, interlaced, name):
    bits = channels * depth
    bpp = max(1, bits // 8)
    passes = _ADAM7 if interlaced else [(0, 0, 1, 1)]
    sizes = []
    for x0, y0, dx, dy in passes:
        w, h = -(-(width - x0) // dx), -(-(height - y0) // dy)
        stride = -(-w * bits // 8)
        sizes.append((w, h, stride, h * (stride + 1) if w and h else 0))
    expected = sum(s[3] for s in sizes)
    try:
        inflater = zlib.decompressobj()
        data = inflater.decompress(raw, expected)
    except zlib.error as exc:
        raise ValueError(f"{name}: corrupt PNG: image data does not decompress ({exc})") from None
    if len(data) < expected:
        raise ValueError(f"{name}: truncated PNG: {len(data)} bytes of image data, "
                         f"{expected} expected")
    out = np.empty((height, width, channels), np.uint16 if depth == 16 else np.uint8)
    start = 0
    for (x0, y0, dx, dy), (w, h, stride, size) in zip(passes, sizes):
        if size:
            block = np.frombuffer(data, np.uint8, size, start)
            rows = _unfilter(block, h, stride, bpp, name)
            out[y0::dy, x0::dx] = _samples(rows, w, channels, depth)
            start += size
    return out


def decode_png(data, name):
    """Decode PNG bytes to float64 samples in [0, 1], shape (h, w, c) with c in 1..4."""
    header, palette, transparency, idat = None, None, None, []
    for kind, body in _chunks(data, name):
        if header is None and kind != b"IHDR":
            raise ValueError(f"{name}: corrupt PNG: the first chunk is {kind!r}, not IHDR")
        if kind == b"IHDR":
            if len(body) != 13:
                raise ValueError(f"{name}: corrupt PNG: IHDR has {len(body)} bytes, not 13")
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            if len(body) % 3 or not 3 <= len(body) <= 768:
                raise ValueError(f"{name}: corrupt PNG: PLTE has {len(body)} bytes")
            palette = np.frombuffer(body, np.uint8).reshape(-1, 3)
        elif kind == b"tRNS":
            transparency = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind != b"IEND" and not kind[0] & 0x20:   # lower-case first letter: ancillary
            raise ValueError(f"{name}: PNG uses the critical chunk {kind!r}, "
                             f"which this reader does not know")
    width, height, depth, color, compression, filtering, interlace = header
    if color not in _CHANNELS or depth not in _DEPTHS[color]:
        raise ValueError(f"{name}: invalid PNG: bit depth {depth} with colour type {color}")
    if compression or filtering or interlace > 1:
        raise ValueError(f"{name}: invalid PNG: unknown compression/filter/interlace method")
    if not width or not height or width * height > _MAX_PIXELS:
        raise ValueError(f"{name}: PNG size {width}x{height} is empty or too large")
    samples = _decode_image(b"".join(idat), width, height, _CHANNELS[color], depth,
                            interlace == 1, name)
    if color == 3:
        return _apply_palette(samples[..., 0], palette, transparency, name)
    image = samples / float((1 << depth) - 1)
    if transparency is not None and color in (0, 2):
        # tRNS names one colour (as 16-bit samples) that is fully transparent.
        key = np.frombuffer(transparency, ">u2")[:_CHANNELS[color]]
        opaque = ~np.all(samples == key, axis=2, keepdims=True)
        image = np.concatenate([image, opaque.astype(np.float64)], axis=2)
    return image


def _apply_palette(indices, palette, transparency, name):
    if palette is None:
        raise ValueError(f"{name}: invalid PNG: a palette image without a PLTE chunk")
    if indices.max() >= len(palette):
        raise ValueError(f"{name}: corrupt PNG: palette index {indices.max()} but the "
                         f"palette has {len(palette)} entries")
    table = palette / 255.0
    if transparency is not None:
        alpha = np.ones(len(palette))
        given = np.frombuffer(transparency, np.uint8)[:len(palette)]
        alpha[:len(given)] = given / 255.0
        table = np.concatenate([table, alpha[:, None]], axis=1)
    return table[indices]


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def encode_png(pixels, level=6):
    """Encode uint8 pixels (h, w, c), c = 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA)."""
    height, width, channels = pixels.shape
    rows = pixels.reshape(height, width * channels).astype(np.int16)
    left = np.zeros_like(rows)
    left[:, channels:] = rows[:, :-channels]
    up = np.zeros_like(rows)
    up[1:] = rows[:-1]
    up_left = np.zeros_like(rows)
    up_left[1:, channels:] = rows[:-1, :-channels]
    p = left + up - up_left
    pa, pb, pc = np.abs(p - left), np.abs(p - up), np.abs(p - up_left)
    paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, up_left))
    predictions = [0, left, up, (left + up) >> 1, paeth]
    filtered = np.stack([(rows - pred) & 255 for pred in predictions]).astype(np.uint8)
    # The usual heuristic: per row, the filter whose output is smallest as signed bytes.
    cost = np.abs(filtered.view(np.int8).astype(np.int32)).sum(axis=2)
    choice = cost.argmin(axis=0)
    body = np.empty((height, width * channels + 1), np.uint8)
    body[:, 0] = choice
    body[:, 1:] = filtered[choice, np.arange(height)]
    color = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    return b"".join([SIGNATURE,
                     _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)),
                     _chunk(b"IDAT", zlib.compress(body.tobytes(), level)),
                     _chunk(b"IEND", b"")])
