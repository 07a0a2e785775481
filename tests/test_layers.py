"""Layer mechanics (nncore/layers): lazy build, weight bookkeeping, freezing, configs,
names, Dropout, regularizers, input casting, the symbolic API, and finite-difference
gradient checks of the layers and the fused linear op."""
import json

import numpy as np
import pytest

import nncore
from nncore import layers, regularizers
from nncore._core import linear
from nncore.testing.gradcheck import gradcheck


def f32(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def f64_leaf(*shape, seed=0, away_from_zero=False):
    values = np.random.default_rng(seed).standard_normal(shape)
    if away_from_zero:
        values += np.sign(values) * 0.1
    return nncore.tensor(values, requires_grad=True)


# ---------------------------------------------------------------- building and weights

def test_dense_builds_lazily_from_its_first_input():
    dense = layers.Dense(3)
    assert not dense.built and dense.weights == [] and dense.count_params() == 0
    out = dense(f32(2, 5))
    assert dense.built
    assert tuple(out.shape) == (2, 3)
    assert [tuple(w.shape) for w in dense.weights] == [(5, 3), (3,)]
    assert dense.weights[0] is dense.kernel and dense.weights[1] is dense.bias
    assert dense.weight_names() == [f"{dense.name}/kernel", f"{dense.name}/bias"]
    assert dense.count_params() == 18
    # Built once: a second call reuses the same weights.
    kernel = dense.kernel
    dense(f32(4, 5))
    assert dense.kernel is kernel


def test_dense_initial_weights_follow_keras_defaults():
    nncore.manual_seed(0)
    dense = layers.Dense(64)
    dense(f32(1, 32))
    kernel, bias = dense.get_weights()
    limit = np.sqrt(6 / (32 + 64))                 # glorot_uniform
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit
    np.testing.assert_array_equal(bias, 0)


def test_batchnorm_trainable_and_moving_weights():
    bn = layers.BatchNormalization()
    bn(f32(4, 3))
    gamma, beta, mean, var = bn.weights
    assert (gamma, beta, mean, var) == (bn.gamma, bn.beta, bn.moving_mean, bn.moving_variance)
    assert bn.trainable_weights == [bn.gamma, bn.beta]
    assert bn.non_trainable_weights == [bn.moving_mean, bn.moving_variance]
    assert [w.requires_grad for w in bn.weights] == [True, True, False, False]
    np.testing.assert_array_equal(gamma.numpy(), 1)
    np.testing.assert_array_equal(var.numpy(), 1)
    assert bn.weight_names()[2:] == [f"{bn.name}/moving_mean", f"{bn.name}/moving_variance"]


def test_freezing_a_layer_stops_weight_gradients_but_not_input_gradients():
    dense = layers.Dense(2)
    dense(f32(1, 3))
    dense.trainable = False
    assert dense.trainable_weights == []
    assert dense.non_trainable_weights == [dense.kernel, dense.bias]
    assert not dense.kernel.requires_grad and not dense.bias.requires_grad
    x = nncore.tensor(f32(4, 3), requires_grad=True)
    dense(x).sum().backward()
    assert dense.kernel.grad is None and dense.bias.grad is None
    np.testing.assert_allclose(x.grad.numpy(),
                               np.tile(dense.kernel.numpy().sum(1), (4, 1)), rtol=1e-6)
    dense.trainable = True
    assert dense.trainable_weights == [dense.kernel, dense.bias]
    assert dense.kernel.requires_grad


def test_unfreezing_batchnorm_keeps_moving_stats_frozen():
    bn = layers.BatchNormalization(trainable=False)
    bn(f32(4, 3))
    assert bn.trainable_weights == [] and len(bn.non_trainable_weights) == 4
    bn.trainable = True
    assert bn.trainable_weights == [bn.gamma, bn.beta]
    assert not bn.moving_mean.requires_grad and not bn.moving_variance.requires_grad


def test_sublayers_assigned_as_attributes_are_tracked():
    class Block(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.first, self.norm = layers.Dense(4), layers.BatchNormalization()

        def call(self, inputs, training=None):
            return self.norm(self.first(inputs), training=training)

    block = Block()
    block(f32(2, 3))
    assert len(block.weights) == 6 and len(block.trainable_weights) == 4
    block.trainable = False
    assert block.trainable_weights == [] and not block.first.kernel.requires_grad


def test_get_weights_returns_copies_and_set_weights_round_trips():
    dense = layers.Dense(2)
    dense(f32(1, 3))
    kernel, bias = dense.get_weights()
    kernel[:] = 7.0                       # editing the copy leaves the layer alone
    assert not np.any(dense.kernel.numpy() == 7.0)
    new = [f32(3, 2, seed=1), f32(2, seed=2)]
    dense.set_weights(new)
    for got, want in zip(dense.get_weights(), new):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(dense(np.ones((1, 3), np.float32)).numpy(),
                               new[0].sum(0, keepdims=True) + new[1], rtol=1e-6)


def test_set_weights_shape_mismatch_names_the_weight_and_shapes():
    dense = layers.Dense(2)
    dense(f32(1, 3))
    with pytest.raises(ValueError, match=rf"{dense.name}/kernel has shape \(3, 2\), got an "
                                         rf"array of shape \(2, 3\)"):
        dense.set_weights([np.ones((2, 3)), np.ones(2)])
    with pytest.raises(ValueError, match=r"expected 2 arrays .*got 1"):
        dense.set_weights([np.ones((3, 2))])
    np.testing.assert_array_equal(dense.bias.numpy(), 0)   # nothing half-applied


def test_default_names_are_unique(monkeypatch):
    from nncore.layers import base
    monkeypatch.setattr(base, "_name_counters", {})   # a fresh process's counters

    class ResidualUnit(layers.Layer):
        def call(self, inputs):
            return inputs

    assert [layers.Dense(1).name for _ in range(3)] == ["dense", "dense_1", "dense_2"]
    assert [ResidualUnit().name for _ in range(2)] == ["residual_unit", "residual_unit_1"]
    assert layers.BatchNormalization().name == "batch_normalization"
    assert layers.Dense(1, name="head").name == "head"
    assert layers.Dense(1).name == "dense_3"


def test_integer_inputs_are_cast_to_the_layer_dtype():
    dense = layers.Dense(2)
    values = np.arange(6, dtype=np.uint8).reshape(2, 3)
    out = dense(values)
    assert out.dtype == nncore.float32
    np.testing.assert_allclose(out.numpy(), dense(values.astype(np.float32)).numpy())
    ln = layers.LayerNormalization()
    assert ln(values).dtype == nncore.float32
    wide = layers.Dense(2, dtype="float64")
    assert wide(np.ones((1, 3), np.int32)).dtype == nncore.float64
    assert wide.kernel.dtype == nncore.float64


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_embedding_accepts_any_integer_id_dtype(dtype):
    emb = layers.Embedding(5, 2)
    ids = np.array([[0, 4, 4]])
    emb(ids)
    table = f32(5, 2)
    emb.set_weights([table])
    np.testing.assert_array_equal(emb(ids.astype(dtype)).numpy(), table[ids])


def test_train_and_eval_set_the_default_mode():
    drop = layers.Dropout(0.5)
    x = nncore.ones(20, 20)
    assert np.all(drop(x).numpy() == 1)
    drop.train()
    assert np.any(drop(x).numpy() == 0)
    assert np.all(drop(x, training=False).numpy() == 1)   # an explicit argument wins
    drop.eval()
    assert np.all(drop(x).numpy() == 1)


# ---------------------------------------------------------------- Dropout

def test_dropout_is_the_identity_at_inference():
    x = nncore.tensor(f32(3, 4))
    np.testing.assert_array_equal(layers.Dropout(0.9)(x).numpy(), x.numpy())
    np.testing.assert_array_equal(layers.Dropout(0.9)(x, training=False).numpy(), x.numpy())
    np.testing.assert_array_equal(layers.Dropout(0.0)(x, training=True).numpy(), x.numpy())


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_dropout_zeroes_about_rate_and_scales_survivors(rate):
    nncore.manual_seed(123)
    x = nncore.tensor(np.full((200, 250), 2.0, np.float32), requires_grad=True)
    out = layers.Dropout(rate)(x, training=True)
    values = out.numpy()
    dropped = values == 0
    assert abs(dropped.mean() - rate) < 0.01
    np.testing.assert_allclose(values[~dropped], 2.0 / (1.0 - rate), rtol=1e-6)
    # The gradient is the same mask and scale.
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.where(dropped, 0, 1 / (1 - rate)), rtol=1e-6)


def test_dropout_is_reproducible_with_manual_seed():
    x = nncore.ones(30, 30)
    layer = layers.Dropout(0.5)
    nncore.manual_seed(7)
    first = layer(x, training=True).numpy()
    nncore.manual_seed(7)
    again = layer(x, training=True).numpy()
    nncore.manual_seed(8)
    other = layer(x, training=True).numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_dropout_seed_argument_gives_its_own_reproducible_stream():
    x = nncore.ones(30, 30)
    a, b, c = layers.Dropout(0.5, seed=3), layers.Dropout(0.5, seed=3), layers.Dropout(0.5, seed=4)
    nncore.manual_seed(0)
    first = a(x, training=True).numpy()
    nncore.manual_seed(99)                  # the global seed does not matter with seed=
    np.testing.assert_array_equal(b(x, training=True).numpy(), first)
    assert not np.array_equal(c(x, training=True).numpy(), first)
    assert not np.array_equal(a(x, training=True).numpy(), first)   # the stream advances


def test_dropout_noise_shape_drops_whole_rows():
    out = layers.Dropout(0.5, noise_shape=(None, 1), seed=0)(nncore.ones(64, 5), training=True)
    values = out.numpy()
    assert np.all((values == 0).all(1) | (values == 2).all(1))
    assert 0 < (values[:, 0] == 0).sum() < 64


# ---------------------------------------------------------------- regularizers

def test_kernel_regularizer_shows_up_in_losses_and_is_differentiable():
    dense = layers.Dense(3, kernel_regularizer="l2")
    dense(f32(2, 4))
    kernel = dense.kernel.numpy()
    (penalty,) = dense.losses
    np.testing.assert_allclose(penalty.numpy(), 0.01 * (kernel ** 2).sum(), rtol=1e-5)
    penalty.backward()
    np.testing.assert_allclose(dense.kernel.grad.numpy(), 0.02 * kernel, rtol=1e-5)
    assert dense.bias.grad is None


def test_bias_regularizer_object_and_several_losses():
    dense = layers.Dense(3, kernel_regularizer=regularizers.L1(0.5),
                         bias_regularizer=regularizers.L2(2.0))
    dense(f32(2, 4))
    dense.set_weights([np.full((4, 3), -1.0), np.full(3, 3.0)])
    assert sorted(float(t.numpy()) for t in dense.losses) == [6.0, 54.0]
    assert layers.Dense(3).losses == []


REGULARIZED = [
    (lambda: layers.Dense(3, kernel_regularizer="l2", bias_regularizer="l1"), f32(2, 4)),
    (lambda: layers.Embedding(5, 2, embeddings_regularizer="l2"), np.array([[1, 2]])),
    (lambda: layers.BatchNormalization(gamma_regularizer="l2", beta_regularizer="l1"),
     f32(2, 3)),
    (lambda: layers.PReLU(alpha_regularizer="l2"), f32(2, 3)),
]


@pytest.mark.parametrize("index", range(len(REGULARIZED)))
def test_regularizers_survive_a_config_round_trip(index):
    make, x = REGULARIZED[index]
    layer = make()
    layer(x)
    layer.set_weights([w + 0.5 for w in layer.get_weights()])
    clone = type(layer).from_config(layer.get_config())
    clone(x)
    clone.set_weights(layer.get_weights())
    expected = [float(t.numpy()) for t in layer.losses]
    assert len(expected) >= 1
    assert [float(t.numpy()) for t in clone.losses] == pytest.approx(expected)


# ---------------------------------------------------------------- configs

CONFIGURABLE = [
    (lambda: layers.Dense(3, activation="tanh", use_bias=False), (2, 4)),
    (lambda: layers.Dense(2, activation="softmax", input_shape=(4,)), (2, 4)),
    (lambda: layers.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-2), (4, 3, 2)),
    (lambda: layers.BatchNormalization(center=False), (4, 3)),
    (lambda: layers.LayerNormalization(axis=[1, 2], epsilon=1e-5), (2, 3, 4)),
    (lambda: layers.PReLU(shared_axes=[1]), (2, 3, 4)),
    (lambda: layers.Flatten(data_format="channels_first"), (2, 3, 4)),
    (lambda: layers.Reshape((-1, 2)), (2, 3, 4)),
    (lambda: layers.Permute((2, 1)), (2, 3, 4)),
    (lambda: layers.Dropout(0.3, seed=1), (2, 3)),
    (lambda: layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.2), (2, 3)),
    (lambda: layers.LeakyReLU(0.2), (2, 3)),
    (lambda: layers.ELU(0.5), (2, 3)),
    (lambda: layers.Softmax(axis=1), (2, 3, 4)),
    (lambda: layers.Activation("gelu"), (2, 3)),
]


@pytest.mark.parametrize("index", range(len(CONFIGURABLE)))
def test_from_config_rebuilds_a_layer_with_identical_output(index):
    make, shape = CONFIGURABLE[index]
    layer = make()
    x = f32(*shape, seed=index)
    layer(x)
    if layer.weights:
        layer.set_weights([w + f32(*w.shape, seed=9) * 0.1 for w in layer.get_weights()])
    config = layer.get_config()
    assert json.loads(json.dumps(config)) == config          # JSON-able
    clone = type(layer).from_config(config)
    assert clone.get_config() == config and clone is not layer
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())
    if isinstance(layer, layers.BatchNormalization):
        np.testing.assert_array_equal(clone(x, training=True).numpy(),
                                      layer(x, training=True).numpy())


def test_merge_and_embedding_configs_round_trip():
    emb = layers.Embedding(7, 3, name="tokens")
    clone = layers.Embedding.from_config(emb.get_config())
    assert (clone.input_dim, clone.output_dim, clone.name) == (7, 3, "tokens")
    cat = layers.Concatenate.from_config(layers.Concatenate(axis=1).get_config())
    assert cat.axis == 1


# ---------------------------------------------------------------- functional (symbolic) API

def test_dense_on_input_gives_a_keras_tensor():
    x = layers.Input(shape=(4,))
    assert isinstance(x, layers.KerasTensor) and x.shape == (None, 4)
    dense = layers.Dense(3)
    y = dense(x)
    assert isinstance(y, layers.KerasTensor)
    assert y.shape == (None, 3) and y.dtype == nncore.float32
    assert dense.built and tuple(dense.kernel.shape) == (4, 3)
    assert y.node.layer is dense and y.node.inputs is x


def test_symbolic_shapes_through_a_stack_of_layers():
    x = layers.Input(shape=(3, 4), batch_size=8)
    assert x.shape == (8, 3, 4)
    assert layers.Flatten()(x).shape == (8, 12)
    assert layers.Reshape((-1, 2))(x).shape == (8, 6, 2)
    assert layers.Permute((2, 1))(x).shape == (8, 4, 3)
    h = layers.Dense(5, activation="relu")(x)
    h = layers.BatchNormalization()(h)
    h = layers.Dropout(0.5)(h)
    assert h.shape == (8, 3, 5)
    assert layers.Add()([h, h]).shape == (8, 3, 5)
    ids = layers.Input(shape=(6,), dtype="int64")
    assert layers.Embedding(10, 4)(ids).shape == (None, 6, 4)


def test_concatenate_on_inputs():
    a, b = layers.Input(shape=(4,)), layers.Input(shape=(2,))
    assert layers.Concatenate()([a, b]).shape == (None, 6)


def test_mixing_symbolic_and_concrete_inputs_is_a_type_error():
    x = layers.Input(shape=(4,))
    with pytest.raises(TypeError, match="cannot mix symbolic"):
        layers.Add()([x, nncore.ones(2, 4)])
    with pytest.raises(TypeError, match="cannot mix symbolic"):
        layers.Multiply()([nncore.ones(2, 4), x])


# ---------------------------------------------------------------- finite-difference gradients

@pytest.mark.parametrize("x_shape", [(3, 4), (2, 3, 4)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_op_gradcheck(x_shape, with_bias):
    x, kernel = f64_leaf(*x_shape, seed=1), f64_leaf(4, 2, seed=2)
    if with_bias:
        assert gradcheck(lambda a, k, b: linear(a, k, b), (x, kernel, f64_leaf(2, seed=3)))
    else:
        assert gradcheck(lambda a, k: linear(a, k), (x, kernel))


def test_dense_layer_gradcheck():
    dense = layers.Dense(3, activation="tanh", dtype="float64")
    x = f64_leaf(2, 3, 4, seed=4)
    dense(x)
    assert dense.kernel.dtype == nncore.float64
    assert gradcheck(lambda a, k, b: dense(a), (x, dense.kernel, dense.bias))


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_layer_normalization_gradcheck(axis):
    ln = layers.LayerNormalization(axis=axis, dtype="float64")
    x = f64_leaf(2, 3, 4, seed=5)
    ln(x)
    ln.set_weights([w + f32(*w.shape, seed=6) * 0.3 for w in ln.get_weights()])
    assert gradcheck(lambda a, g, b: ln(a), (x, ln.gamma, ln.beta))


@pytest.mark.parametrize("x_shape, axis", [((5, 3), -1), ((3, 2, 2), 1)])
def test_batch_normalization_training_gradcheck(x_shape, axis):
    bn = layers.BatchNormalization(axis=axis, dtype="float64")
    x = f64_leaf(*x_shape, seed=7)
    bn(x)
    gamma, beta, mean, var = bn.get_weights()
    bn.set_weights([gamma + 0.5, beta - 0.2, mean, var])
    assert gradcheck(lambda a, g, b: bn(a, training=True), (x, bn.gamma, bn.beta))


@pytest.mark.parametrize("shared_axes", [None, [2]])
def test_prelu_gradcheck(shared_axes):
    prelu = layers.PReLU(alpha_initializer="ones", shared_axes=shared_axes, dtype="float64")
    x = f64_leaf(2, 3, 2, seed=8, away_from_zero=True)
    prelu(x)
    prelu.set_weights([w * 0.25 for w in prelu.get_weights()])
    assert gradcheck(lambda a, alpha: prelu(a), (x, prelu.alpha))
