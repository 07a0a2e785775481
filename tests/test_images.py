"""nncore.images: PNG/PGM reading, PNG writing, resizing and MNIST-style preparation."""
import gzip
import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from nncore.images import read_image, resize, to_mnist, write_png

MNIST = (Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
         / "t10k-images-idx3-ubyte.gz")
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
         (0, 1, 1, 2)]
SIG = b"\x89PNG\r\n\x1a\n"
rng = np.random.default_rng(0)


# --- a PNG encoder written independently of nncore/_png.py, byte by byte ------------------

def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def filter_rows(rows, bpp, filters):
    out, prior = b"", bytes(len(rows[0]) if rows else 0)
    for y, row in enumerate(rows):
        kind = filters[y % len(filters)]
        line = bytearray([kind])
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            c = prior[i - bpp] if i >= bpp else 0
            pred = [0, a, prior[i], (a + prior[i]) // 2, paeth(a, prior[i], c)][kind]
            line.append((x - pred) % 256)
        out += bytes(line)
        prior = row
    return out


def pack_rows(samples, depth):
    """samples (h, w, c) ints -> list of row bytes at the given bit depth."""
    rows = []
    for row in samples.reshape(samples.shape[0], -1):
        if depth == 16:
            rows.append(row.astype(">u2").tobytes())
        elif depth == 8:
            rows.append(row.astype(np.uint8).tobytes())
        else:
            bits = "".join(format(int(v), f"0{depth}b") for v in row)
            bits += "0" * (-len(bits) % 8)
            rows.append(bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)))
    return rows


def make_png(samples, depth, color, filters=(0,), interlace=False, extra=(), split_idat=1):
    h, w, c = samples.shape
    bpp = max(1, c * depth // 8)
    if interlace:
        raw = b"".join(filter_rows(pack_rows(samples[y0::dy, x0::dx], depth), bpp, filters)
                       for x0, y0, dx, dy in ADAM7 if x0 < w and y0 < h)
    else:
        raw = filter_rows(pack_rows(samples, depth), bpp, filters)
    data = zlib.compress(raw)
    step = -(-len(data) // split_idat)
    idat = [chunk(b"IDAT", data[i:i + step]) for i in range(0, len(data), step)]
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, int(interlace))
    return (SIG + chunk(b"IHDR", ihdr) + b"".join(extra) + b"".join(idat)
            + chunk(b"IEND", b""))


def luma(rgb):
    return rgb @ np.array([0.299, 0.587, 0.114])


def as_u8(values):
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def read_bytes(tmp_path, data, name="img.png"):
    path = tmp_path / name
    path.write_bytes(data)
    return read_image(path)


# --- PNG decoding -----------------------------------------------------------------------

@pytest.mark.parametrize("kind", [0, 1, 2, 3, 4])
def test_each_filter_type_gray_and_rgb(tmp_path, kind):
    gray = rng.integers(0, 256, (9, 13, 1))
    assert np.array_equal(read_bytes(tmp_path, make_png(gray, 8, 0, [kind])), gray[..., 0])
    rgb = rng.integers(0, 256, (7, 5, 3))
    got = read_bytes(tmp_path, make_png(rgb, 8, 2, [kind]))
    assert np.array_equal(got, as_u8(luma(rgb)))


def test_mixed_filters_and_split_idat(tmp_path):
    rgba = rng.integers(0, 256, (12, 10, 4))
    data = make_png(rgba, 8, 6, [4, 3, 0, 1, 2], split_idat=5,
                    extra=[chunk(b"tEXt", b"Comment\x00drawn by hand"), chunk(b"gAMA", bytes(4))])
    alpha = rgba[..., 3] / 255
    want = as_u8(alpha * luma(rgba[..., :3]) + (1 - alpha) * 255)
    assert np.array_equal(read_bytes(tmp_path, data), want)


def test_alpha_is_composited_over_white(tmp_path):
    ga = np.array([[[0, 0], [0, 255], [0, 128], [200, 0]]])
    got = read_bytes(tmp_path, make_png(ga, 8, 4))
    assert got.tolist() == [[255, 0, 127, 255]]


@pytest.mark.parametrize("depth", [1, 2, 4, 8])
def test_palette_images(tmp_path, depth):
    n = 1 << depth
    palette = rng.integers(0, 256, (n, 3))
    indices = rng.integers(0, n, (6, 11, 1))
    plte = chunk(b"PLTE", palette.astype(np.uint8).tobytes())
    got = read_bytes(tmp_path, make_png(indices, depth, 3, [1, 4], extra=[plte]))
    assert np.array_equal(got, as_u8(luma(palette[indices[..., 0]])))
    # tRNS gives the first entries an alpha; missing entries stay opaque.
    alphas = np.array([0, 128][:n])
    trns = chunk(b"tRNS", alphas.astype(np.uint8).tobytes())
    got = read_bytes(tmp_path, make_png(indices, depth, 3, extra=[plte, trns]))
    a = np.ones(n)
    a[:len(alphas)] = alphas / 255
    a = a[indices[..., 0]]
    assert np.array_equal(got, as_u8(a * luma(palette[indices[..., 0]]) + (1 - a) * 255))


@pytest.mark.parametrize("depth", [1, 2, 4, 16])
def test_low_and_high_bit_depth_gray(tmp_path, depth):
    top = (1 << depth) - 1
    samples = rng.integers(0, top + 1, (5, 19, 1))
    got = read_bytes(tmp_path, make_png(samples, depth, 0, [2, 3]))
    assert np.array_equal(got, as_u8(samples[..., 0] * 255 / top))


def test_sixteen_bit_rgba(tmp_path):
    rgba = rng.integers(0, 65536, (4, 6, 4))
    got = read_bytes(tmp_path, make_png(rgba, 16, 6, [4]))
    a = rgba[..., 3] / 65535
    assert np.array_equal(got, as_u8(a * luma(rgba[..., :3] / 65535 * 255) + (1 - a) * 255))


def test_transparent_colour_key(tmp_path):
    gray = np.array([[[10], [20], [10]]])
    got = read_bytes(tmp_path, make_png(gray, 8, 0, extra=[chunk(b"tRNS", b"\x00\x0a")]))
    assert got.tolist() == [[255, 20, 255]]


@pytest.mark.parametrize("shape", [(1, 1), (3, 10), (11, 7), (17, 9)])
def test_adam7_interlaced(tmp_path, shape):
    rgb = rng.integers(0, 256, shape + (3,))
    got = read_bytes(tmp_path, make_png(rgb, 8, 2, [0, 1, 2, 3, 4], interlace=True))
    assert np.array_equal(got, as_u8(luma(rgb)))
    bits = rng.integers(0, 2, shape + (1,))
    got = read_bytes(tmp_path, make_png(bits, 1, 0, [4], interlace=True))
    assert np.array_equal(got, bits[..., 0] * 255)


# --- damaged and foreign files ----------------------------------------------------------

def test_crc_mismatch(tmp_path):
    data = bytearray(make_png(rng.integers(0, 256, (4, 4, 1)), 8, 0))
    data[40] ^= 0xFF  # inside the IDAT payload
    with pytest.raises(ValueError, match="CRC mismatch"):
        read_bytes(tmp_path, bytes(data))


def test_truncated_png(tmp_path):
    data = make_png(rng.integers(0, 256, (8, 8, 3)), 8, 2)
    for size in (8, 12, 30, 40, len(data) - 12, len(data) - 1):
        with pytest.raises(ValueError, match="truncated"):
            read_bytes(tmp_path, data[:size])


def test_short_image_data_and_bad_filter(tmp_path):
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
    short = zlib.compress(b"\x00" * 9)
    with pytest.raises(ValueError, match="9 bytes of image data, 20 expected"):
        read_bytes(tmp_path, SIG + ihdr + chunk(b"IDAT", short) + chunk(b"IEND", b""))
    bad = zlib.compress(b"\x07" + bytes(19))
    with pytest.raises(ValueError, match="filter type 7"):
        read_bytes(tmp_path, SIG + ihdr + chunk(b"IDAT", bad) + chunk(b"IEND", b""))


def test_invalid_png_headers(tmp_path):
    sig = SIG
    bad_depth = chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 3, 0, 0, 0, 0))
    with pytest.raises(ValueError, match="bit depth 3"):
        read_bytes(tmp_path, sig + bad_depth + chunk(b"IEND", b""))
    with pytest.raises(ValueError, match="not IHDR"):
        read_bytes(tmp_path, sig + chunk(b"IEND", b""))
    png = make_png(np.zeros((2, 2, 1), int), 8, 3)  # palette image without PLTE
    with pytest.raises(ValueError, match="without a PLTE"):
        read_bytes(tmp_path, png)
    odd = make_png(np.zeros((2, 2, 1), int), 8, 0, extra=[chunk(b"ABCD", b"")])
    with pytest.raises(ValueError, match="critical chunk"):
        read_bytes(tmp_path, odd)


@pytest.mark.parametrize("data, found", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
    (b"GIF89a" + bytes(20), "GIF"),
    (b"hello, world\n", "starts with b'hello, w'"),
    (b"", "empty"),
    (b"\x89NNC\r\n\x1a\n" + bytes(40), "starts with"),
])
def test_foreign_files(tmp_path, data, found):
    path = tmp_path / "picture.png"
    path.write_bytes(data)
    with pytest.raises(ValueError, match="unsupported image format") as info:
        read_image(path)
    assert found in str(info.value) and "picture.png" in str(info.value)


# --- PGM / PPM --------------------------------------------------------------------------

def test_pgm_binary_8_and_16_bit(tmp_path):
    pixels = rng.integers(0, 200, (5, 7))
    data = b"P5\n# a comment\n7 5\n199\n" + pixels.astype(np.uint8).tobytes()
    assert np.array_equal(read_bytes(tmp_path, data, "a.pgm"), as_u8(pixels * 255 / 199))
    deep = rng.integers(0, 65536, (3, 4))
    data = b"P5 4 3 65535\n" + deep.astype(">u2").tobytes()
    assert np.array_equal(read_bytes(tmp_path, data, "b.pgm"), as_u8(deep * 255 / 65535))


def test_pgm_ascii_and_ppm(tmp_path):
    data = b"P2\n3 2 # size\n15\n0 15 7\n# row two\n 1 2\n3\n"
    assert read_bytes(tmp_path, data, "a.pgm").tolist() == [[0, 255, 119], [17, 34, 51]]
    rgb = rng.integers(0, 256, (2, 3, 3))
    data = b"P6\n3 2\n255\n" + rgb.astype(np.uint8).tobytes()
    assert np.array_equal(read_bytes(tmp_path, data, "c.ppm"), as_u8(luma(rgb)))
    data = b"P3 3 2 255 " + " ".join(map(str, rgb.ravel())).encode()
    assert np.array_equal(read_bytes(tmp_path, data, "d.ppm"), as_u8(luma(rgb)))


@pytest.mark.parametrize("data, message", [
    (b"P5\n4 4\n255\n" + bytes(10), "truncated"),
    (b"P2\n2 2\n9\n1 2 3\n", "truncated"),
    (b"P2\n2 1\n9\n1 12\n", "exceeds maxval"),
    (b"P2\n2 1\n9\n1 x\n", "non-numeric"),
    (b"P5\n4 four\n", "malformed"),
    (b"P5\n0 4 255\n", "invalid"),
])
def test_bad_pgm(tmp_path, data, message):
    with pytest.raises(ValueError, match=message):
        read_bytes(tmp_path, data, "bad.pgm")


# --- writing ----------------------------------------------------------------------------

def test_write_png_round_trips_gray_and_rgb(tmp_path):
    gray = rng.integers(0, 256, (31, 17)).astype(np.uint8)
    write_png(tmp_path / "g.png", gray)
    assert np.array_equal(read_image(tmp_path / "g.png"), gray)
    rgb = rng.integers(0, 256, (9, 12, 3)).astype(np.uint8)
    write_png(tmp_path / "c.png", rgb)
    assert np.array_equal(read_image(tmp_path / "c.png"), as_u8(luma(rgb)))
    write_png(tmp_path / "f.png", gray / 255.0)
    assert np.array_equal(read_image(tmp_path / "f.png"), gray)
    write_png(tmp_path / "b.png", gray > 100)
    assert np.array_equal(read_image(tmp_path / "b.png"), (gray > 100) * 255)
    assert sorted(os.listdir(tmp_path)) == ["b.png", "c.png", "f.png", "g.png"]


def test_write_png_is_read_by_pillow_and_reads_pillow_files(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    rgb = rng.integers(0, 256, (20, 30, 3)).astype(np.uint8)
    write_png(tmp_path / "ours.png", rgb)
    assert np.array_equal(np.asarray(Image.open(tmp_path / "ours.png")), rgb)
    smooth = as_u8(np.add.outer(np.arange(40) * 3, np.arange(50) * 2) % 256)
    # 16-bit gray ("I;16"); the array stays referenced, as Pillow may share its memory.
    deep_values = smooth.astype(np.uint16) * 257 + 100
    deep = Image.fromarray(deep_values)
    images = [Image.fromarray(smooth).convert(m) for m in ["L", "RGB", "RGBA", "P", "1"]]
    for image in images + [deep]:
        if image is deep:
            want = deep_values / 65535 * 255
        else:
            want = np.asarray(image.convert("L"), dtype=np.float64)
        for options in [{}, {"optimize": True}, {"interlace": 1}]:
            buffer = io.BytesIO()
            image.save(buffer, "PNG", **options)
            got = read_bytes(tmp_path, buffer.getvalue())
            # Pillow's own luma conversion rounds with integer weights.
            assert np.abs(got - want).max() <= 1, (image.mode, options)


def test_write_png_rejects_bad_input_and_keeps_existing_file(tmp_path):
    path = tmp_path / "x.png"
    write_png(path, np.zeros((2, 2), np.uint8))
    before = path.read_bytes()
    for bad in [np.zeros((2, 2, 5)), np.zeros((0, 3)), np.full((2, 2), 1.5), np.full((2, 2), 300)]:
        with pytest.raises(ValueError):
            write_png(path, bad)
    with pytest.raises(FileExistsError):
        write_png(path, np.ones((2, 2), np.uint8), overwrite=False)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["x.png"]


# --- resize -----------------------------------------------------------------------------

def test_resize():
    image = rng.integers(0, 256, (6, 8)).astype(np.uint8)
    assert np.array_equal(resize(image, (6, 8)), image)
    assert np.allclose(resize(np.full((5, 7), 0.25), (13, 3)), 0.25)
    up = resize(np.array([[0.0, 1.0]]), (1, 4))
    assert np.allclose(up, [[0, 0.25, 0.75, 1]])  # pixel centres, edges clamped
    blocks = resize(image, (3, 4), method="area")
    assert np.array_equal(blocks, as_u8(image.reshape(3, 2, 4, 2).mean(axis=(1, 3))))
    assert np.isclose(resize(image.astype(float), (5, 3), method="area").mean(), image.mean())
    assert resize(rng.random((4, 4, 3)), (8, 2)).shape == (8, 2, 3)
    with pytest.raises(ValueError, match="method"):
        resize(image, (2, 2), method="cubic")


# --- to_mnist ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def digits():
    if not MNIST.exists():
        pytest.skip(f"MNIST test images not found at {MNIST}")
    with gzip.open(MNIST) as f:
        return np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)[:100]


def correlation(a, b):
    return np.corrcoef(a.ravel().astype(float), b.ravel().astype(float))[0, 1]


def test_mnist_digits_are_left_as_they_are(digits, tmp_path):
    for digit in digits:
        write_png(tmp_path / "d.png", digit)
        prepared = to_mnist(read_image(tmp_path / "d.png"))
        assert prepared.shape == (28, 28) and prepared.dtype == np.uint8
        assert correlation(prepared, digit) > 0.99


def test_inverted_enlarged_digit_maps_back(digits, tmp_path):
    for digit in digits[:30]:
        drawn = 255 - np.kron(digit, np.ones((3, 3), np.uint8))  # dark ink on white paper
        write_png(tmp_path / "drawn.png", np.stack([drawn] * 3, axis=2))
        assert correlation(to_mnist(read_image(tmp_path / "drawn.png")), digit) > 0.99
    # A smooth enlargement off-centre on a larger, grainy page blurs a little, no more.
    scores = []
    for digit in digits[:30]:
        page = np.full((150, 120), 230.0) + rng.normal(0, 4, (150, 120))
        page[40:124, 10:94] -= resize(digit, (84, 84)).astype(float) * 0.8
        scores.append(correlation(to_mnist(np.clip(page, 0, 255).astype(np.uint8)), digit))
    assert np.median(scores) > 0.9


def test_to_mnist_inputs_and_blank_images(digits):
    digit = digits[0]
    assert np.array_equal(to_mnist(digit / 255.0), to_mnist(digit))
    assert np.array_equal(to_mnist(np.stack([digit] * 3, axis=2)), to_mnist(digit))
    assert not to_mnist(np.zeros((40, 30), np.uint8)).any()
    assert not to_mnist(np.full((40, 30), 255, np.uint8)).any()
    assert not to_mnist(rng.integers(120, 126, (50, 50)).astype(np.uint8)).any()
    with pytest.raises(ValueError, match="shape"):
        to_mnist(np.zeros((2, 3, 4, 5)))


def test_to_mnist_centres_an_off_centre_stroke():
    page = np.zeros((100, 100), np.uint8)
    page[5:45, 70:80] = 255   # a bar in the top-right corner
    out = to_mnist(page)
    ys, xs = np.nonzero(out)
    weights = out[ys, xs].astype(float)
    assert abs(np.average(ys, weights=weights) - 14) <= 0.5
    assert abs(np.average(xs, weights=weights) - 14) <= 0.5
    assert ys.max() - ys.min() + 1 == 20 and out.max() == 255
