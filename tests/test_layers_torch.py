"""Layers agree with PyTorch given the same weights: forward values and the gradients with
respect to inputs and weights (float32)."""
import numpy as np
import pytest

import nncore
from nncore import layers
from nncore._core import linear

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RTOL, ATOL = 2e-5, 2e-5


def close(ours, theirs, rtol=RTOL, atol=ATOL):
    ours = ours.numpy() if isinstance(ours, nncore.Tensor) else np.asarray(ours)
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def pair(array):
    """The same float32 values as an nncore leaf and a torch leaf, both requiring grad."""
    array = np.ascontiguousarray(array, dtype=np.float32)
    return nncore.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


def backprop(ours, theirs, rng):
    """Backpropagates one random upstream gradient through both outputs (a plain sum would
    hide errors that cancel, e.g. through softmax)."""
    assert tuple(ours.shape) == tuple(theirs.shape)
    upstream = rng.standard_normal(tuple(ours.shape)).astype(np.float32)
    (ours * nncore.tensor(upstream)).sum().backward()
    (theirs * torch.tensor(upstream)).sum().backward()


# ---------------------------------------------------------------- the fused linear op

@pytest.mark.parametrize("x_shape", [(5, 4), (2, 3, 4), (2, 1, 3, 4)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_op_matches_torch(x_shape, with_bias):
    rng = np.random.default_rng(0)
    x, tx = pair(rng.standard_normal(x_shape))
    k, tk = pair(rng.standard_normal((4, 6)))
    b, tb = pair(rng.standard_normal(6)) if with_bias else (None, None)
    y, ty = linear(x, k, b), TF.linear(tx, tk.T, tb)
    close(y, ty)
    backprop(y, ty, rng)
    close(x.grad, tx.grad)
    close(k.grad, tk.grad)
    if with_bias:
        close(b.grad, tb.grad)


def test_linear_op_accepts_strided_input_and_kernel():
    # A transposed (out, in) torch-layout weight is the Keras (in, out) kernel as a view.
    rng = np.random.default_rng(1)
    x_t, tx_t = pair(rng.standard_normal((4, 5)))      # used as x = x_t.T, shape (5, 4)
    w, tw = pair(rng.standard_normal((6, 4)))          # kernel = w.T, shape (4, 6)
    b, tb = pair(rng.standard_normal(6))
    y, ty = linear(x_t.T, w.T, b), TF.linear(tx_t.T, tw, tb)
    close(y, ty)
    backprop(y, ty, rng)
    close(x_t.grad, tx_t.grad)
    close(w.grad, tw.grad)
    close(b.grad, tb.grad)


def test_linear_op_permuted_3d_input():
    rng = np.random.default_rng(2)
    x, tx = pair(rng.standard_normal((3, 2, 4)))
    k, tk = pair(rng.standard_normal((3, 5)))
    y, ty = linear(x.permute(1, 2, 0), k), TF.linear(tx.permute(1, 2, 0), tk.T)
    close(y, ty)
    backprop(y, ty, rng)
    close(x.grad, tx.grad)
    close(k.grad, tk.grad)


@pytest.mark.parametrize("x_shape", [(3, 0), (2, 3, 0)])
def test_linear_op_with_zero_input_features_is_the_bias(x_shape):
    # Every output row is the bias (an empty dot product), as torch gives.
    bias = np.arange(4, dtype=np.float32)
    y = linear(nncore.zeros(*x_shape), nncore.zeros(0, 4), nncore.tensor(bias))
    assert tuple(y.shape) == x_shape[:-1] + (4,)
    np.testing.assert_array_equal(y.numpy(), np.broadcast_to(bias, x_shape[:-1] + (4,)))


# ---------------------------------------------------------------- Dense

ACTIVATIONS = {
    "linear": lambda t: t, "relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
    "softmax": lambda t: torch.softmax(t, -1), "gelu": TF.gelu, "elu": TF.elu,
    "selu": TF.selu, "softplus": TF.softplus, "swish": TF.silu, "relu6": TF.relu6,
}


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("use_bias", [True, False])
@pytest.mark.parametrize("x_shape", [(6, 5), (2, 3, 5)])
def test_dense_matches_torch_linear(activation, use_bias, x_shape):
    rng = np.random.default_rng(3)
    dense = layers.Dense(4, activation=activation, use_bias=use_bias)
    kernel = rng.standard_normal((5, 4)).astype(np.float32)
    bias = rng.standard_normal(4).astype(np.float32)
    dense(np.zeros((1, 5), np.float32))  # builds
    dense.set_weights([kernel, bias] if use_bias else [kernel])
    torch_linear = torch.nn.Linear(5, 4, bias=use_bias)
    with torch.no_grad():
        torch_linear.weight.copy_(torch.tensor(kernel.T))   # torch stores (out, in)
        if use_bias:
            torch_linear.bias.copy_(torch.tensor(bias))
    x, tx = pair(rng.standard_normal(x_shape))
    y, ty = dense(x), ACTIVATIONS[activation](torch_linear(tx))
    assert tuple(y.shape) == x_shape[:-1] + (4,)
    close(y, ty)
    backprop(y, ty, rng)
    close(x.grad, tx.grad)
    close(dense.kernel.grad, torch_linear.weight.grad.T)
    if use_bias:
        close(dense.bias.grad, torch_linear.bias.grad)


# ---------------------------------------------------------------- normalization

def _bn_weights(rng, c):
    gamma, beta = rng.uniform(0.5, 1.5, c), rng.standard_normal(c)
    mean, var = rng.standard_normal(c), rng.uniform(0.5, 2.0, c)
    return [a.astype(np.float32) for a in (gamma, beta, mean, var)]


@pytest.mark.parametrize("x_shape, axis", [((8, 3), -1), ((4, 3, 2, 2), 1), ((2, 5, 3), -1)])
def test_batchnorm_training_matches_torch_and_keras_moving_update(x_shape, axis):
    rng = np.random.default_rng(4)
    c = x_shape[axis]
    bn = layers.BatchNormalization(axis=axis)
    gamma, beta, mean0, var0 = _bn_weights(rng, c)
    x, tx = pair(rng.standard_normal(x_shape) * 2 + 1)
    bn(x, training=False)  # builds
    bn.set_weights([gamma, beta, mean0, var0])
    # torch wants channels on dim 1: move the normalized axis there.
    tx_c = tx if axis == 1 else tx.movedim(axis, 1)
    tg, tb = pair(gamma)[1], pair(beta)[1]
    ty = TF.batch_norm(tx_c, None, None, tg, tb, training=True, eps=1e-3)
    ty = ty if axis == 1 else ty.movedim(1, axis)
    y = bn(x, training=True)
    close(y, ty, rtol=1e-4, atol=1e-4)
    backprop(y, ty, rng)
    close(x.grad, tx.grad, rtol=1e-4, atol=1e-4)
    close(bn.gamma.grad, tg.grad, rtol=1e-4, atol=1e-4)
    close(bn.beta.grad, tb.grad, rtol=1e-4, atol=1e-4)
    # Keras: moving = moving * 0.99 + batch * 0.01, with the biased batch variance.
    reduce = tuple(a for a in range(len(x_shape)) if a != axis % len(x_shape))
    data = x.detach().numpy().astype(np.float64)
    close(bn.moving_mean, mean0 * 0.99 + data.mean(reduce) * 0.01, rtol=1e-5, atol=1e-6)
    close(bn.moving_variance, var0 * 0.99 + data.var(reduce) * 0.01, rtol=1e-5, atol=1e-6)


def test_batchnorm_moving_stats_converge_to_data_stats():
    rng = np.random.default_rng(5)
    bn = layers.BatchNormalization(momentum=0.5)
    data = (rng.standard_normal((64, 2)) * [2.0, 0.5] + [3.0, -1.0]).astype(np.float32)
    for _ in range(40):
        bn(data, training=True)
    close(bn.moving_mean, data.mean(0), rtol=1e-4, atol=1e-4)
    close(bn.moving_variance, data.var(0), rtol=1e-4, atol=1e-4)


def test_batchnorm_inference_uses_moving_stats_and_leaves_them_alone():
    rng = np.random.default_rng(6)
    bn = layers.BatchNormalization()
    x, tx = pair(rng.standard_normal((5, 4, 3)))
    bn(x)
    gamma, beta, mean, var = _bn_weights(rng, 3)
    bn.set_weights([gamma, beta, mean, var])
    tg, tb = pair(gamma)[1], pair(beta)[1]
    ty = TF.batch_norm(tx.movedim(-1, 1), torch.tensor(mean), torch.tensor(var), tg, tb,
                       training=False, eps=1e-3).movedim(1, -1)
    y = bn(x)  # training=None: the layer's mode, inference by default
    close(y, ty)
    close(bn(x, training=False), ty)
    backprop(y, ty, rng)
    close(x.grad, tx.grad)
    close(bn.gamma.grad, tg.grad, rtol=1e-4, atol=1e-4)
    close(bn.beta.grad, tb.grad, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), mean)
    np.testing.assert_array_equal(bn.moving_variance.numpy(), var)
    # train() switches the default to batch statistics.
    bn.train()
    out = bn(x.detach()).numpy()
    np.testing.assert_allclose(out.reshape(-1, 3).mean(0), beta, atol=1e-4)


@pytest.mark.parametrize("x_shape, axis", [((4, 6), -1), ((2, 3, 5), [-2, -1]), ((2, 3, 5), -1)])
def test_layernorm_matches_torch(x_shape, axis):
    rng = np.random.default_rng(7)
    ln = layers.LayerNormalization(axis=axis)
    x, tx = pair(rng.standard_normal(x_shape) * 3 + 2)
    ln(x)
    norm_shape = x_shape[-2:] if isinstance(axis, list) else x_shape[-1:]
    gamma, tg = pair(rng.uniform(0.5, 1.5, norm_shape))
    beta, tb = pair(rng.standard_normal(norm_shape))
    ln.set_weights([gamma.numpy(), beta.numpy()])
    y, ty = ln(x), TF.layer_norm(tx, norm_shape, tg, tb, eps=1e-3)
    close(y, ty, rtol=1e-4, atol=1e-4)
    backprop(y, ty, rng)
    close(x.grad, tx.grad, rtol=1e-4, atol=1e-4)
    close(ln.gamma.grad, tg.grad, rtol=1e-4, atol=1e-4)
    close(ln.beta.grad, tb.grad, rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------- Embedding

def test_embedding_matches_torch_and_scatters_repeated_ids():
    rng = np.random.default_rng(8)
    table = rng.standard_normal((6, 3)).astype(np.float32)
    emb = layers.Embedding(6, 3)
    ids = np.array([[1, 1, 5, 0], [1, 2, 2, 1]])
    emb(ids)
    emb.set_weights([table])
    tt = torch.tensor(table, requires_grad=True)
    y, ty = emb(ids), TF.embedding(torch.tensor(ids), tt)
    close(y, ty, rtol=0, atol=0)
    backprop(y, ty, rng)
    close(emb.embeddings.grad, tt.grad)
    grad = emb.embeddings.grad.numpy()
    assert np.all(grad[[3, 4]] == 0)               # unused rows get nothing
    assert np.abs(grad[1]).sum() > 0               # id 1, used four times, gets the sum


# ---------------------------------------------------------------- activation layers

def _away_from_zero(rng, shape, gap=0.05):
    x = rng.uniform(gap, 3.0, shape) * rng.choice([-1.0, 1.0], shape)
    return x.astype(np.float32)


@pytest.mark.parametrize("shared_axes", [None, [1], [2], [1, 2]])
def test_prelu_matches_torch(shared_axes):
    rng = np.random.default_rng(9)
    prelu = layers.PReLU(shared_axes=shared_axes)
    x, tx = pair(_away_from_zero(rng, (2, 3, 4)))
    prelu(x)
    alpha_shape = tuple(1 if shared_axes and a + 1 in shared_axes else n
                        for a, n in enumerate((3, 4)))
    assert tuple(prelu.alpha.shape) == alpha_shape
    alpha, talpha = pair(rng.uniform(0.05, 0.5, alpha_shape))
    prelu.set_weights([alpha.numpy()])
    if shared_axes == [2]:
        # One slope per channel on dim 1: exactly torch's prelu.
        ty = TF.prelu(tx, talpha.reshape(3))
    else:
        ty = torch.where(tx > 0, tx, talpha * tx)   # alpha broadcasts over trailing dims
    y = prelu(x)
    close(y, ty)
    backprop(y, ty, rng)
    close(x.grad, tx.grad)
    close(prelu.alpha.grad, talpha.grad)


ELEMENTWISE = [
    (lambda: layers.LeakyReLU(), lambda t: TF.leaky_relu(t, 0.3)),
    (lambda: layers.LeakyReLU(negative_slope=0.1), lambda t: TF.leaky_relu(t, 0.1)),
    (lambda: layers.ELU(), lambda t: TF.elu(t)),
    (lambda: layers.ELU(alpha=0.7), lambda t: TF.elu(t, 0.7)),
    (lambda: layers.ReLU(), torch.relu),
    (lambda: layers.ReLU(max_value=6), TF.relu6),
    (lambda: layers.ReLU(max_value=1.5), lambda t: t.clamp(0, 1.5)),
    (lambda: layers.ReLU(negative_slope=0.1),
     lambda t: torch.where(t >= 0, t, 0.1 * t)),
    (lambda: layers.ReLU(max_value=2.5, negative_slope=0.1, threshold=0.5),
     lambda t: torch.where(t >= 0.5, t, 0.1 * (t - 0.5)).clamp(max=2.5)),
    (lambda: layers.ReLU(threshold=1.0), lambda t: torch.where(t >= 1.0, t, 0 * t)),
    (lambda: layers.Softmax(), lambda t: torch.softmax(t, -1)),
    (lambda: layers.Softmax(axis=1), lambda t: torch.softmax(t, 1)),
    (lambda: layers.Softmax(axis=0), lambda t: torch.softmax(t, 0)),
    (lambda: layers.Activation("tanh"), torch.tanh),
    (lambda: layers.Activation("gelu"), TF.gelu),
    (lambda: layers.Activation("linear"), lambda t: t),
]


@pytest.mark.parametrize("index", range(len(ELEMENTWISE)))
def test_activation_layers_match_torch(index):
    make, reference = ELEMENTWISE[index]
    rng = np.random.default_rng(10 + index)
    values = _away_from_zero(rng, (3, 4, 5))
    # Keep clear of the kinks at the thresholds (0.5, 1.0) and caps (1.5, 2.5, 6).
    for kink in (0.5, 1.0, 1.5, 2.5):
        values[np.abs(values - kink) < 0.05] += 0.1
    x, tx = pair(values)
    y, ty = make()(x), reference(tx)
    close(y, ty)
    backprop(y, ty, rng)
    close(x.grad, tx.grad)


# ---------------------------------------------------------------- merging

MERGES = [
    (layers.Add, 3, lambda ts: ts[0] + ts[1] + ts[2]),
    (layers.Subtract, 2, lambda ts: ts[0] - ts[1]),
    (layers.Multiply, 3, lambda ts: ts[0] * ts[1] * ts[2]),
    (layers.Average, 3, lambda ts: (ts[0] + ts[1] + ts[2]) / 3),
    (layers.Average, 2, lambda ts: (ts[0] + ts[1]) / 2),
]


@pytest.mark.parametrize("cls, n, reference", MERGES)
def test_merge_layers_match_torch(cls, n, reference):
    rng = np.random.default_rng(11)
    pairs = [pair(rng.standard_normal((2, 3, 4))) for _ in range(n)]
    ours, theirs = [p[0] for p in pairs], [p[1] for p in pairs]
    y, ty = cls()(ours), reference(theirs)
    close(y, ty)
    backprop(y, ty, rng)
    for a, b in zip(ours, theirs):
        close(a.grad, b.grad)


@pytest.mark.parametrize("axis, shapes", [(-1, [(2, 3, 4), (2, 3, 1), (2, 3, 2)]),
                                          (1, [(2, 3, 4), (2, 1, 4)]),
                                          (0, [(1, 3), (2, 3)])])
def test_concatenate_matches_torch(axis, shapes):
    rng = np.random.default_rng(12)
    pairs = [pair(rng.standard_normal(s)) for s in shapes]
    ours, theirs = [p[0] for p in pairs], [p[1] for p in pairs]
    y, ty = layers.Concatenate(axis=axis)(ours), torch.cat(theirs, axis)
    close(y, ty, rtol=0, atol=0)
    backprop(y, ty, rng)
    for a, b in zip(ours, theirs):
        close(a.grad, b.grad)


# ---------------------------------------------------------------- reshaping

RESHAPES = [
    (lambda: layers.Flatten(), lambda t: t.flatten(1), (2, 3, 4, 5)),
    (lambda: layers.Flatten(), lambda t: t.flatten(1), (2, 3)),
    # Keras flattens channels_first data in channels_last order.
    (lambda: layers.Flatten(data_format="channels_first"),
     lambda t: t.permute(0, 2, 3, 1).flatten(1), (2, 3, 4, 5)),
    (lambda: layers.Flatten(data_format="channels_first"),
     lambda t: t.permute(0, 2, 1).flatten(1), (2, 3, 4)),
    (lambda: layers.Reshape((-1, 2)), lambda t: t.reshape(2, -1, 2), (2, 3, 4)),
    (lambda: layers.Reshape((4, -1)), lambda t: t.reshape(2, 4, -1), (2, 3, 4)),
    (lambda: layers.Reshape((12,)), lambda t: t.reshape(2, 12), (2, 3, 4)),
    (lambda: layers.Permute((2, 1)), lambda t: t.permute(0, 2, 1), (2, 3, 4)),
    (lambda: layers.Permute((3, 1, 2)), lambda t: t.permute(0, 3, 1, 2), (2, 3, 4, 5)),
]


@pytest.mark.parametrize("index", range(len(RESHAPES)))
def test_reshaping_layers_match_torch(index):
    make, reference, shape = RESHAPES[index]
    rng = np.random.default_rng(13)
    x, tx = pair(rng.standard_normal(shape))
    layer = make()
    y, ty = layer(x), reference(tx)
    close(y, ty, rtol=0, atol=0)
    assert layer.compute_output_shape((None,) + shape[1:]) == (None,) + tuple(ty.shape[1:])
    backprop(y, ty, rng)
    close(x.grad, tx.grad, rtol=0, atol=0)
