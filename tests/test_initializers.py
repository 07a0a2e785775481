"""Initializers: Keras's distributions and fans, reproducible seeding."""
import json
import math

import numpy as np
import pytest

import nncore
from nncore import initializers as init


def test_constant_initializers():
    assert init.Zeros()((2, 3)).tolist() == [[0.0] * 3] * 2
    assert init.Ones()((2,), dtype=nncore.float64).dtype == nncore.float64
    assert init.Constant(2.5)((3,)).tolist() == [2.5] * 3


@pytest.mark.parametrize("cls,scale,mode,uniform", [
    (init.GlorotUniform, 1.0, "fan_avg", True), (init.GlorotNormal, 1.0, "fan_avg", False),
    (init.HeUniform, 2.0, "fan_in", True), (init.HeNormal, 2.0, "fan_in", False),
    (init.LecunUniform, 1.0, "fan_in", True), (init.LecunNormal, 1.0, "fan_in", False),
])
def test_variance_scaling_family_has_keras_variance_and_bounds(cls, scale, mode, uniform):
    shape = (3, 3, 40, 50)  # a convolution kernel: the receptive field counts in the fans
    fan_in, fan_out = 3 * 3 * 40, 3 * 3 * 50
    n = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2}[mode]
    values = cls(seed=1)(shape).numpy()
    assert values.shape == shape and values.dtype == np.float32
    std = math.sqrt(scale / n)
    assert abs(values.std() / std - 1) < 0.03
    assert abs(values.mean()) < 0.05 * std
    if uniform:
        assert np.abs(values).max() <= math.sqrt(3) * std + 1e-7
    else:  # truncated at two deviations of the untruncated normal
        assert np.abs(values).max() <= 2 * std / 0.87962566103423978 + 1e-6


def test_random_initializers_distributions():
    n = init.RandomNormal(mean=1.0, stddev=0.5, seed=3)((200, 200)).numpy()
    assert abs(n.mean() - 1.0) < 0.01 and abs(n.std() - 0.5) < 0.01
    u = init.RandomUniform(-2, 3, seed=3)((200, 200)).numpy()
    assert u.min() >= -2 and u.max() < 3 and abs(u.mean() - 0.5) < 0.03
    t = init.TruncatedNormal(stddev=2.0, seed=3)((200, 200)).numpy()
    assert np.abs(t).max() <= 4.0 + 1e-6 and abs(t.std() / (2 * 0.8796) - 1) < 0.02


def test_orthogonal_is_orthogonal():
    for shape in [(6, 4), (4, 6), (3, 2, 5)]:
        w = init.Orthogonal(gain=2.0, seed=0)(shape, dtype=nncore.float64).numpy()
        flat = w.reshape(-1, shape[-1])
        small = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
        np.testing.assert_allclose(small, 4.0 * np.eye(small.shape[0]), atol=1e-10)


def test_seeded_initializers_repeat_and_unseeded_follow_manual_seed():
    a = init.GlorotUniform(seed=7)((5, 4)).numpy()
    np.testing.assert_array_equal(a, init.GlorotUniform(seed=7)((5, 4)).numpy())
    assert not np.array_equal(a, init.GlorotUniform(seed=8)((5, 4)).numpy())
    nncore.manual_seed(11)
    b = init.HeNormal()((30, 20)).numpy()
    c = init.HeNormal()((30, 20)).numpy()
    nncore.manual_seed(11)
    np.testing.assert_array_equal(init.HeNormal()((30, 20)).numpy(), b)
    assert not np.array_equal(b, c)


def test_configs_round_trip_and_registry_names():
    for obj in [init.RandomNormal(0.1, 0.2, seed=4), init.GlorotUniform(seed=1),
                init.VarianceScaling(2.0, "fan_out", "uniform"), init.Orthogonal(1.5)]:
        config = json.loads(json.dumps(obj.get_config()))
        assert type(obj).from_config(config).get_config() == obj.get_config()
    assert isinstance(init.get("glorot_uniform"), init.GlorotUniform)
    assert isinstance(init.get("HeNormal"), init.HeNormal)
    with pytest.raises(ValueError, match="mode"):
        init.VarianceScaling(mode="fan_sideways")
