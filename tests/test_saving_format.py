"""The model-file container (nncore/saving.py): round trips, atomic writes, clear errors."""
import hashlib
import json
import os
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from nncore import saving
from nncore.saving import (ModelFileError, read_model_file, read_weights_file,
                           write_model_file, write_weights_file)

DTYPES = ["float32", "float64", "int32", "int64", "uint8", "bool"]
CONFIG = {"name": "mlp", "layers": [{"class_name": "Dense", "config": {"units": 3}}],
          "compile": {"loss": "mse", "learning_rate": 0.001}}


def sample_weights():
    rng = np.random.default_rng(0)
    return [("dense/kernel", rng.standard_normal((4, 3)).astype(np.float32)),
            ("dense/bias", np.zeros(3, np.float32)),
            ("steps", np.array(7, np.int64))]


def assert_bitwise_equal(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes()


def leftovers(directory, keep):
    return sorted(set(os.listdir(directory)) - set(keep))


# --- round trips ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3, 0, 2), (5,), (2, 3, 4)])
def test_every_dtype_and_shape_round_trips_bitwise(tmp_path, dtype, shape):
    rng = np.random.default_rng(1)
    array = (rng.standard_normal(shape) * 100).astype(dtype)
    path = tmp_path / "m.nnc"
    write_model_file(path, CONFIG, [("w", array)])
    loaded = read_model_file(path)
    assert loaded.config == CONFIG and loaded.format_version == 1
    assert [n for n, _ in loaded.weights] == ["w"]
    assert_bitwise_equal(loaded.weights[0][1], array)


def test_special_float_values_survive_bit_for_bit(tmp_path):
    payload_nan = np.array([0x7FC01234], np.uint32).view(np.float32)[0]
    array = np.array([np.nan, payload_nan, -0.0, np.inf, -np.inf, 1e-45], np.float32)
    write_weights_file(tmp_path / "w", [("x", array)])
    assert_bitwise_equal(read_weights_file(tmp_path / "w")[0][1], array)


def test_non_contiguous_and_big_endian_inputs(tmp_path):
    base = np.arange(60, dtype=np.float64).reshape(3, 4, 5)
    inputs = [base.T, base[:, ::2, ::-1], base[1], base.astype(">f8"), base.astype(">i4")]
    write_weights_file(tmp_path / "w", [(str(i), a) for i, a in enumerate(inputs)])
    for (_, got), want in zip(read_weights_file(tmp_path / "w"), inputs):
        assert got.flags.c_contiguous and got.dtype.isnative
        assert got.dtype == want.dtype.newbyteorder("=")
        np.testing.assert_array_equal(got, want)


def test_order_and_duplicate_names_are_kept(tmp_path):
    weights = [("kernel", np.ones(2, np.float32)), ("bias", np.zeros(1, np.float32)),
               ("kernel", np.full(2, 3, np.float32))]
    write_weights_file(tmp_path / "w", weights)
    got = read_weights_file(tmp_path / "w")
    assert [n for n, _ in got] == ["kernel", "bias", "kernel"]
    np.testing.assert_array_equal(got[2][1], [3, 3])


def test_loaded_arrays_are_writable_and_independent(tmp_path):
    write_weights_file(tmp_path / "w", sample_weights())
    a = read_weights_file(tmp_path / "w")[0][1]
    a[0, 0] = 42  # a model must be able to train the loaded weights in place
    assert read_weights_file(tmp_path / "w")[0][1][0, 0] != 42


def test_optimizer_state_round_trip(tmp_path):
    rng = np.random.default_rng(2)
    state = {"iterations": 12, "learning_rate": 0.001, "ema": None, "nesterov": True,
             "0/m": rng.standard_normal((4, 3)).astype(np.float32),
             "0/v": rng.random(3).astype(np.float32),
             "scale": np.float32(0.5), "step": np.float64(2.0),
             "config": {"class_name": "Adam", "beta_1": 0.9, "amsgrad": False}}
    write_model_file(tmp_path / "m", CONFIG, sample_weights(), state)
    got = read_model_file(tmp_path / "m").optimizer_state
    assert list(got) == list(state)
    for key in ("iterations", "learning_rate", "ema", "nesterov", "config"):
        assert got[key] == state[key] and type(got[key]) is type(state[key])
    assert_bitwise_equal(got["0/m"], state["0/m"])
    assert_bitwise_equal(got["0/v"], state["0/v"])
    # NumPy scalars come back as 0-d arrays, keeping their dtype.
    assert got["scale"].shape == () and got["scale"].dtype == np.float32
    assert isinstance(got["step"], np.ndarray) and got["step"].dtype == np.float64


def test_no_optimizer_state_reads_as_none(tmp_path):
    write_model_file(tmp_path / "m", CONFIG, sample_weights())
    assert read_model_file(tmp_path / "m").optimizer_state is None


def test_writing_is_deterministic_and_blobs_are_aligned(tmp_path):
    write_model_file(tmp_path / "a", CONFIG, sample_weights(), {"0/m": np.ones(5)})
    write_model_file(tmp_path / "b", CONFIG, sample_weights(), {"0/m": np.ones(5)})
    raw = (tmp_path / "a").read_bytes()
    assert raw == (tmp_path / "b").read_bytes()
    _, version, _, header_len, size = struct.unpack("<8sIIQQ", raw[:32])
    assert size == len(raw) and raw[-32:] == hashlib.sha256(raw[:-32]).digest()
    header = json.loads(raw[32:32 + header_len])
    data_start = -(-(32 + header_len) // 64) * 64
    for (name, array), entry in zip(sample_weights(), header["weights"]):
        start = data_start + entry["offset"]
        assert start % 64 == 0 and entry["name"] == name
        little_endian = array.astype(array.dtype.newbyteorder("<"))
        assert raw[start:start + entry["nbytes"]] == little_endian.tobytes()


@given(arrays=st.lists(hnp.arrays(st.sampled_from(DTYPES),
                                  hnp.array_shapes(min_dims=0, max_dims=4, min_side=0,
                                                   max_side=5)), max_size=5),
       config=st.dictionaries(st.text(max_size=8),
                              st.one_of(st.none(), st.booleans(), st.integers(),
                                        st.floats(allow_nan=False), st.text(max_size=8)),
                              max_size=5))
def test_round_trip_property(tmp_path_factory, arrays, config):
    path = tmp_path_factory.mktemp("prop") / "m.nnc"
    weights = [(f"w{i}", a) for i, a in enumerate(arrays)]
    state = {f"{i}/m": a for i, a in enumerate(arrays)}
    write_model_file(path, config, weights, state)
    got = read_model_file(path)
    assert got.config == config
    for (name, want), (got_name, array) in zip(weights, got.weights):
        assert got_name == name
        assert_bitwise_equal(array, want)
    assert len(got.weights) == len(weights) and list(got.optimizer_state) == list(state)


# --- weights files ----------------------------------------------------------------------

def test_weights_file_and_model_file_cross_reading(tmp_path):
    write_weights_file(tmp_path / "w", sample_weights())
    with pytest.raises(ModelFileError, match="load_weights"):
        read_model_file(tmp_path / "w")
    write_model_file(tmp_path / "m", CONFIG, sample_weights(), {"iterations": 1})
    for name, array in read_weights_file(tmp_path / "m"):
        assert_bitwise_equal(array, dict(sample_weights())[name])


# --- atomic writes ----------------------------------------------------------------------

@pytest.mark.parametrize("step", ["fsync", "replace", "write"])
def test_failure_mid_write_keeps_previous_file_and_cleans_up(tmp_path, monkeypatch, step):
    path = tmp_path / "model.nnc"
    write_model_file(path, CONFIG, sample_weights())
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full (simulated)")
    if step == "write":
        calls = []
        real_write = saving._HashingWriter.write

        def write_then_fail(self, data):
            calls.append(1)
            if len(calls) == 4:  # after the header, inside the blobs
                boom()
            real_write(self, data)
        monkeypatch.setattr(saving._HashingWriter, "write", write_then_fail)
    else:
        monkeypatch.setattr(f"nncore._atomic_file.os.{step}", boom)
    with pytest.raises(OSError, match="simulated"):
        write_model_file(path, {"other": True}, [("x", np.ones(1000))])
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert read_model_file(path).config == CONFIG
    assert leftovers(tmp_path, ["model.nnc"]) == []


def test_unserialisable_config_fails_before_touching_disk(tmp_path):
    path = tmp_path / "model.nnc"
    with pytest.raises(TypeError, match="JSON"):
        write_model_file(path, {"activation": object()}, sample_weights())
    with pytest.raises(TypeError, match="float16"):
        write_model_file(path, CONFIG, [("w", np.ones(2, np.float16))])
    assert os.listdir(tmp_path) == []


def test_killed_writer_leaves_previous_file_intact(tmp_path):
    path = tmp_path / "model.nnc"
    write_model_file(path, CONFIG, sample_weights())
    before = path.read_bytes()
    # The child dies (no cleanup, no exception handling) halfway through its blobs.
    child = textwrap.dedent(f"""
        import os, numpy as np
        from nncore import saving
        real, calls = saving._HashingWriter.write, []
        def write(self, data):
            calls.append(1)
            if len(calls) == 6:
                os._exit(17)
            real(self, data)
        saving._HashingWriter.write = write
        weights = [(str(i), np.ones(1 << 20, np.float32)) for i in range(8)]
        saving.write_model_file({str(path)!r}, {{}}, weights)
    """)
    # The child imports the installed nncore: run it away from the source tree.
    result = subprocess.run([sys.executable, "-c", child], cwd=tmp_path, capture_output=True)
    assert result.returncode == 17, result.stderr.decode()
    assert path.read_bytes() == before
    assert read_model_file(path).config == CONFIG
    # A killed process cannot clean up; its partial file is a hidden temp beside the target.
    for name in leftovers(tmp_path, ["model.nnc"]):
        assert name.startswith(".model.nnc.") and name.endswith(".tmp")


def test_overwrite_false(tmp_path):
    path = tmp_path / "model.nnc"
    write_model_file(path, CONFIG, sample_weights(), overwrite=False)
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_model_file(path, {"other": 1}, [], overwrite=False)
    with pytest.raises(FileExistsError):
        write_weights_file(path, [], overwrite=False)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["model.nnc"]
    write_model_file(path, {"other": 1}, [])  # overwrite=True by default
    assert read_model_file(path).config == {"other": 1}


# --- damaged and foreign files ----------------------------------------------------------

@pytest.fixture
def model_bytes(tmp_path):
    write_model_file(tmp_path / "good", CONFIG, sample_weights(), {"iterations": 3})
    return (tmp_path / "good").read_bytes()


def test_truncated_files_are_reported(tmp_path, model_bytes):
    path = tmp_path / "cut"
    for size in [3, 8, 20, 32, 63, 100, len(model_bytes) // 2, len(model_bytes) - 32,
                 len(model_bytes) - 1]:
        path.write_bytes(model_bytes[:size])
        with pytest.raises(ModelFileError, match="truncated") as info:
            read_model_file(path)
        assert str(size) in str(info.value)
    path.write_bytes(model_bytes[:200])
    with pytest.raises(ModelFileError, match=f"expected {len(model_bytes)} bytes, found 200"):
        read_model_file(path)


def test_every_flipped_byte_is_detected(tmp_path, model_bytes):
    path = tmp_path / "flipped"
    for i in range(len(model_bytes)):
        damaged = bytearray(model_bytes)
        damaged[i] ^= 0x10
        path.write_bytes(bytes(damaged))
        with pytest.raises(ModelFileError):
            read_weights_file(path)
    damaged = bytearray(model_bytes)
    damaged[len(model_bytes) // 2] ^= 1
    path.write_bytes(bytes(damaged))
    with pytest.raises(ModelFileError, match="corrupt.*checksum"):
        read_model_file(path)


def test_trailing_garbage_is_reported(tmp_path, model_bytes):
    (tmp_path / "long").write_bytes(model_bytes + b"\n")
    with pytest.raises(ModelFileError, match="1 extra bytes"):
        read_model_file(tmp_path / "long")


@pytest.mark.parametrize("content, hint", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40), "PNG"),
    (b"\x89HDF\r\n\x1a\n" + bytes(100), "HDF5"),
    (b"PK\x03\x04" + bytes(100), "zip"),
    (b'{"config": "a text file"}\n' * 4, "found b'{\"config'"),
    (b"", "empty"),
])
def test_foreign_files_are_refused(tmp_path, content, hint):
    path = tmp_path / "foreign"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match="not an nncore model file") as info:
        read_model_file(path)
    assert hint in str(info.value) and str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_text_mode_mangling_is_caught_by_the_magic(tmp_path, model_bytes):
    (tmp_path / "crlf").write_bytes(model_bytes.replace(b"\r\n", b"\n"))
    with pytest.raises(ModelFileError, match="not an nncore model file"):
        read_model_file(tmp_path / "crlf")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_model_file(tmp_path / "nope.nnc")


def test_newer_format_version_is_refused(tmp_path, model_bytes):
    (tmp_path / "new").write_bytes(model_bytes[:8] + struct.pack("<I", 2) + model_bytes[12:])
    with pytest.raises(ModelFileError, match="version 2.*upgrade nncore"):
        read_model_file(tmp_path / "new")


def forge(path, header, data=b""):
    """A file with a correct preamble and checksum around an arbitrary header."""
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    pad = bytes(-(32 + len(text)) % 64)
    size = 32 + len(text) + len(pad) + len(data) + 32
    body = struct.pack("<8sIIQQ", saving.MAGIC, 1, 0, len(text), size) + text + pad + data
    path.write_bytes(body + hashlib.sha256(body).digest())


@pytest.mark.parametrize("entry, message", [
    ({"dtype": "object", "shape": [1], "offset": 0, "nbytes": 8}, "dtype 'object'"),
    ({"dtype": "float16", "shape": [1], "offset": 0, "nbytes": 2}, "dtype 'float16'"),
    ({"dtype": "float32", "shape": [3], "offset": 0, "nbytes": 8}, "need 12 bytes, not 8"),
    ({"dtype": "float32", "shape": [4], "offset": 64, "nbytes": 16}, "outside"),
    ({"dtype": "float32", "shape": [-2], "offset": 0, "nbytes": 8}, "invalid shape"),
    ({"dtype": "float32", "shape": [2], "offset": 4, "nbytes": 8}, "invalid offset"),
    ({"dtype": "bool", "shape": [2], "offset": 0, "nbytes": 2}, "other than 0 and 1"),
])
def test_bad_tensor_directory_entries(tmp_path, entry, message):
    forge(tmp_path / "bad", {"kind": "weights", "weights": [dict(name="w", **entry)]},
          bytes(range(7, 71)))
    with pytest.raises(ModelFileError, match=message):
        read_weights_file(tmp_path / "bad")


@pytest.mark.parametrize("header, message", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe", "not valid JSON"),
    (b"[1, 2]", "not a model-file header"),
    (json.dumps({"kind": "model", "weights": []}).encode(), "config is missing"),
    (json.dumps({"kind": "model", "config": {}}).encode(), "no weight directory"),
])
def test_bad_headers(tmp_path, header, message):
    forge(tmp_path / "bad", header)
    with pytest.raises(ModelFileError, match=message):
        read_model_file(tmp_path / "bad")
