"""Dataset loaders: the IDX format, the search path, the download cache, the shipped sample.

No test touches the network: downloads are off unless a test points the mirrors at a local
folder through a file:// URL, and the opener refuses anything else.
"""
import gzip
import hashlib
import os
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from nncore.datasets import _fetch, fashion_mnist, mnist
from nncore.datasets._idx import read_idx, write_idx

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
IDX = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
       "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def shared(name):
    folder = SHARED / name
    if not all((folder / (f + ".gz")).is_file() for f in IDX):
        pytest.skip(f"the real {name} files are not in {folder}")
    return folder


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """A private home (so the cache is never the real one), no $NNCORE_DATA, offline."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NNCORE_DATA", raising=False)
    monkeypatch.setenv("NNCORE_OFFLINE", "1")
    real_urlopen = _fetch.urlopen

    def local_only(url, timeout):
        assert url.startswith("file:"), f"a test tried to reach the network: {url}"
        return real_urlopen(url, timeout)

    monkeypatch.setattr(_fetch, "urlopen", local_only)
    return home


def idx_bytes(code, shape, payload):
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape) + payload


def synthetic(n_train=6, n_test=4, seed=0):
    rng = np.random.default_rng(seed)
    return ((rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
             rng.integers(0, 10, n_train, dtype=np.uint8)),
            (rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
             rng.integers(0, 10, n_test, dtype=np.uint8)))


def write_set(folder, data, gz=True):
    folder.mkdir(parents=True, exist_ok=True)
    (xtr, ytr), (xte, yte) = data
    for name, array in zip(IDX, (xtr, ytr, xte, yte)):
        payload = idx_bytes(0x08, array.shape, array.tobytes())
        if gz:
            (folder / (name + ".gz")).write_bytes(gzip.compress(payload))
        else:
            (folder / name).write_bytes(payload)
    return folder


def assert_same(loaded, expected):
    for (x, y), (ex, ey) in zip(loaded, expected):
        assert x.dtype == np.uint8 and y.dtype == np.uint8
        np.testing.assert_array_equal(x, ex)
        np.testing.assert_array_equal(y, ey)


# --- the IDX format ------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "float32", "float64"])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, dtype, suffix):
    a = (np.arange(2 * 3 * 5) - 7).astype(dtype).reshape(2, 3, 5)
    path = tmp_path / ("a.idx" + suffix)
    write_idx(path, a)
    b = read_idx(path)
    assert b.dtype == np.dtype(dtype) and b.dtype.isnative and b.flags.writeable
    np.testing.assert_array_equal(a, b)


def test_idx_reader_decodes_big_endian_headers_and_values(tmp_path):
    path = tmp_path / "v"
    path.write_bytes(idx_bytes(0x0C, (3,), struct.pack(">3i", 1, -2, 70000)))
    np.testing.assert_array_equal(read_idx(path), [1, -2, 70000])


def test_gzip_is_detected_by_content_not_by_name(tmp_path):
    path = tmp_path / "labels-without-suffix"
    path.write_bytes(gzip.compress(idx_bytes(0x08, (3,), b"\x01\x02\x03")))
    np.testing.assert_array_equal(read_idx(path), [1, 2, 3])


@pytest.mark.parametrize("content, message", [
    (idx_bytes(0x08, (4, 2), b"\x00" * 7), "truncated"),
    (idx_bytes(0x08, (4, 2), b"\x00" * 9), "after the 8 bytes"),
    (idx_bytes(0x08, (4, 2), b"")[:9], "truncated"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "bad magic"),
    (b"\x00\x00\x07\x01" + b"\x00" * 8, "bad magic"),
    (b"\x00\x00", "only 2 bytes"),
    (b"", "only 0 bytes"),
    (idx_bytes(0x08, (), b""), "0 dimensions"),
])
def test_malformed_idx_files_are_rejected_naming_the_file(tmp_path, content, message):
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as info:
        read_idx(path)
    assert "t10k-images-idx3-ubyte" in str(info.value)


def test_truncated_and_corrupt_gzip_files_are_value_errors(tmp_path):
    whole = gzip.compress(idx_bytes(0x08, (100, 28, 28), bytes(range(256)) * 306 + b"\0" * 64))
    truncated = tmp_path / "train-images-idx3-ubyte.gz"
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        read_idx(truncated)
    corrupt = tmp_path / "corrupt.gz"
    corrupt.write_bytes(whole[:20] + b"\xff" * 50 + whole[70:])
    with pytest.raises(ValueError, match="corrupt.gz"):
        read_idx(corrupt)


def test_expected_rank_and_type_are_enforced(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte"
    path.write_bytes(idx_bytes(0x08, (2, 2), b"\0" * 4))
    with pytest.raises(ValueError, match="1 dimension.*declares 2"):
        read_idx(path, ndim=1)
    path.write_bytes(idx_bytes(0x0D, (1,), b"\0" * 4))
    with pytest.raises(ValueError, match="expected uint8"):
        read_idx(path, dtype=np.uint8)


# --- loading from path=, $NNCORE_DATA, and npz ---------------------------------------------

@pytest.mark.parametrize("gz", [True, False])
def test_load_data_reads_a_folder_of_idx_files(tmp_path, gz):
    data = synthetic()
    assert_same(mnist.load_data(path=write_set(tmp_path / "d", data, gz=gz)), data)


def test_load_data_reads_keras_npz_as_folder_or_file(tmp_path):
    (xtr, ytr), (xte, yte) = data = synthetic()
    folder = tmp_path / "npz"
    folder.mkdir()
    np.savez(folder / "mnist.npz", x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)
    assert_same(mnist.load_data(path=folder), data)
    assert_same(mnist.load_data(path=str(folder / "mnist.npz")), data)
    # Integer arrays of another type are accepted when their values fit in uint8.
    np.savez(tmp_path / "wide.npz", x_train=xtr.astype(np.int64), y_train=ytr.astype(np.int32),
             x_test=xte, y_test=yte)
    assert_same(mnist.load_data(path=tmp_path / "wide.npz"), data)


def test_bad_npz_archives_are_explained(tmp_path):
    (xtr, ytr), (xte, yte) = synthetic()
    missing = tmp_path / "missing.npz"
    np.savez(missing, x_train=xtr, y_train=ytr)
    with pytest.raises(ValueError, match=r"missing\.npz.*array\(s\) \['x_test', 'y_test'\]"):
        mnist.load_data(path=missing)
    floats = tmp_path / "floats.npz"
    np.savez(floats, x_train=xtr / 255.0, y_train=ytr, x_test=xte, y_test=yte)
    with pytest.raises(ValueError, match=r"floats\.npz\[x_train\].*float64"):
        mnist.load_data(path=floats)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    with pytest.raises(ValueError, match="garbage.npz"):
        mnist.load_data(path=garbage)


def test_inconsistent_files_are_rejected_naming_them(tmp_path):
    (xtr, ytr), test = synthetic()
    folder = write_set(tmp_path / "d", ((xtr, ytr[:-1]), test))
    with pytest.raises(ValueError, match="train-images.*6 images.*train-labels.*5 labels"):
        mnist.load_data(path=folder)
    bad_labels = ytr.copy()
    bad_labels[2] = 12
    write_set(folder, ((xtr, bad_labels), test))
    with pytest.raises(ValueError, match="train-labels.*label 12"):
        mnist.load_data(path=folder)
    write_set(folder, ((xtr[:, :, :27].copy(), ytr), test))
    with pytest.raises(ValueError, match=r"train-images.*\(n, 28, 28\).*\(6, 28, 27\)"):
        mnist.load_data(path=folder)


def test_search_order_path_then_nncore_data_then_cache(tmp_path, monkeypatch, isolated):
    first, second, third, fourth = (synthetic(seed=s) for s in range(4))
    write_set(isolated / ".nncore" / "datasets" / "mnist", fourth)
    assert_same(mnist.load_data(), fourth)
    root = tmp_path / "root"
    write_set(root, third)                      # $NNCORE_DATA itself
    monkeypatch.setenv("NNCORE_DATA", str(root))
    assert_same(mnist.load_data(), third)
    write_set(root / "mnist", second)           # $NNCORE_DATA/mnist wins over the root
    assert_same(mnist.load_data(), second)
    assert_same(mnist.load_data(path=write_set(tmp_path / "explicit", first)), first)
    # Fashion-MNIST looks in its own subfolder.
    write_set(root / "fashion-mnist", first)
    assert_same(fashion_mnist.load_data(), first)


def test_offline_error_says_which_files_to_put_where(tmp_path, monkeypatch, isolated):
    monkeypatch.setenv("NNCORE_DATA", str(tmp_path / "data"))
    with pytest.raises(mnist.DatasetNotFoundError) as info:
        mnist.load_data(path=tmp_path / "nowhere")
    assert isinstance(info.value, FileNotFoundError)
    message = str(info.value)
    for expected in IDX + ("mnist.npz", "NNCORE_OFFLINE", "$NNCORE_DATA", "path=",
                           str(tmp_path / "nowhere"), str(tmp_path / "data" / "mnist"),
                           str(tmp_path / "data"),
                           str(isolated / ".nncore" / "datasets" / "mnist")):
        assert expected in message, f"{expected!r} missing from:\n{message}"
    with pytest.raises(FileNotFoundError, match="fashion-mnist"):
        fashion_mnist.load_data()


# --- the real files ---------------------------------------------------------------------

def test_real_mnist_through_path_matches_a_direct_decode():
    folder = shared("mnist")
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path=folder)
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert set(np.unique(y_train)) == set(range(10)) == set(np.unique(y_test))
    raw = gzip.decompress((folder / "t10k-images-idx3-ubyte.gz").read_bytes())
    np.testing.assert_array_equal(x_test.reshape(-1), np.frombuffer(raw, np.uint8, offset=16))
    # The published MD5 of the uncompressed file: header plus our pixels, in order.
    header = idx_bytes(0x08, x_train.shape, b"")
    assert hashlib.md5(header + x_train.tobytes()).hexdigest() == \
        "6bbc9ace898e44ae57da46a324031adb"
    assert hashlib.md5(idx_bytes(0x08, y_test.shape, y_test.tobytes())).hexdigest() == \
        "27ae3e4e09519cfbb04c329615203637"


def test_real_fashion_mnist_through_nncore_data(monkeypatch):
    shared("fashion-mnist")
    monkeypatch.setenv("NNCORE_DATA", str(SHARED))
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert hashlib.md5(idx_bytes(0x08, x_test.shape, x_test.tobytes())).hexdigest() == \
        "8181f5470baa50b63fa0f6fddb340f0a"
    assert len(fashion_mnist.CLASS_NAMES) == 10


# --- downloading into the cache ------------------------------------------------------------

def test_download_from_a_mirror_verifies_md5_and_caches(tmp_path, monkeypatch, isolated,
                                                         capsys):
    data = synthetic()
    mirror = write_set(tmp_path / "mirror", data)
    sums = {f: hashlib.md5((mirror / (f + ".gz")).read_bytes()).hexdigest() for f in IDX}
    monkeypatch.delenv("NNCORE_OFFLINE")
    monkeypatch.setattr(mnist, "CHECKSUMS", sums)
    monkeypatch.setattr(mnist, "MIRRORS", [(tmp_path / "down").as_uri(), mirror.as_uri()])
    assert_same(mnist.load_data(), data)
    cache = isolated / ".nncore" / "datasets" / "mnist"
    assert sorted(os.listdir(cache)) == sorted(f + ".gz" for f in IDX)
    assert "downloading" in capsys.readouterr().err
    # A second load reads the cache, even with the mirrors gone.
    shutil.rmtree(mirror)
    assert_same(mnist.load_data(), data)


def test_md5_mismatch_is_rejected_and_leaves_nothing_behind(tmp_path, monkeypatch, isolated):
    data = synthetic()
    good = write_set(tmp_path / "good", data)
    sums = {f: hashlib.md5((good / (f + ".gz")).read_bytes()).hexdigest() for f in IDX}
    bad = write_set(tmp_path / "bad", synthetic(seed=9))
    monkeypatch.delenv("NNCORE_OFFLINE")
    monkeypatch.setattr(mnist, "CHECKSUMS", sums)
    monkeypatch.setattr(mnist, "MIRRORS", [bad.as_uri()])
    with pytest.raises(mnist.DatasetNotFoundError, match="MD5 mismatch") as info:
        mnist.load_data()
    assert "bad/train-images-idx3-ubyte.gz" in str(info.value)
    cache = isolated / ".nncore" / "datasets" / "mnist"
    assert os.listdir(cache) == []
    # With a good mirror behind the bad one, the good copy is used.
    monkeypatch.setattr(mnist, "MIRRORS", [bad.as_uri(), good.as_uri()])
    assert_same(mnist.load_data(), data)


def test_interrupted_download_leaves_no_partial_file(tmp_path, monkeypatch, isolated):
    class Broken:
        def __init__(self):
            self.calls = 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, n):
            self.calls += 1
            if self.calls > 1:
                raise ConnectionResetError("connection reset by peer")
            return b"\x1f\x8b partial"

    monkeypatch.delenv("NNCORE_OFFLINE")
    monkeypatch.setattr(_fetch, "urlopen", lambda url, timeout: Broken())
    monkeypatch.setattr(mnist, "MIRRORS", ["https://mirror.invalid/mnist/"])
    with pytest.raises(mnist.DatasetNotFoundError, match="connection reset") as info:
        mnist.load_data()
    assert "Downloading failed" in str(info.value)
    assert os.listdir(isolated / ".nncore" / "datasets" / "mnist") == []


def test_real_files_pass_the_published_checksums(tmp_path, monkeypatch, isolated):
    folder = shared("mnist")
    monkeypatch.delenv("NNCORE_OFFLINE")
    monkeypatch.setattr(mnist, "MIRRORS", [folder.as_uri()])
    (x_train, _), (x_test, _) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)


# --- the shipped sample --------------------------------------------------------------------

def test_shipped_sample_is_the_real_test_split_split_reproducibly():
    (x_train, y_train), (x_test, y_test) = mnist.load_sample()
    assert x_train.shape == (8000, 28, 28) and x_test.shape == (2000, 28, 28)
    assert y_train.shape == (8000,) and x_train.dtype == y_train.dtype == np.uint8
    again = mnist.load_sample()
    np.testing.assert_array_equal(again[0][0], x_train)
    np.testing.assert_array_equal(again[1][1], y_test)
    other = mnist.load_sample(test_fraction=0.5, seed=1)
    assert len(other[0][0]) == len(other[1][0]) == 5000
    assert not np.array_equal(other[1][1][:100], y_test[:100])
    # Together the two parts are the 10,000 test images, each exactly once.
    together = np.concatenate([x_train, x_test]).reshape(10000, -1)
    labels = np.bincount(np.concatenate([y_train, y_test]), minlength=10)
    assert labels.sum() == 10000 and labels.min() > 800
    if (SHARED / "mnist" / "t10k-images-idx3-ubyte.gz").is_file():
        (_, _), (x_full, _) = mnist.load_data(path=SHARED / "mnist")
        rows = lambda a: sorted(hashlib.md5(r.tobytes()).digest() for r in a.reshape(len(a), -1))
        assert rows(together) == rows(x_full)


def test_datasets_package_exposes_submodules_lazily():
    import nncore.datasets as ds
    assert ds.mnist is mnist and ds.fashion_mnist is fashion_mnist
    assert ds.DatasetNotFoundError is mnist.DatasetNotFoundError
    with pytest.raises(AttributeError):
        ds.cifar10
