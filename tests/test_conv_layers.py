"""Keras convolution, pooling and image-reshaping layers against PyTorch with the same
weights (forward and gradients), their shapes, configs and errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import nncore
from nncore import layers
from nncore.models import Sequential, load_model

RNG = np.random.default_rng(0)


def run(layer, x, training=False):
    """Output and the gradients of sum(output * g) for input and weights."""
    xt = nncore.tensor(x, requires_grad=True)
    out = layer(xt, training=training)
    g = RNG.standard_normal(tuple(out.shape)).astype(np.float32)
    (out * nncore.tensor(g)).sum().backward()
    return out.detach().numpy(), g, xt.grad.numpy(), [w.grad.numpy() for w in layer.weights]


def torch_run(fn, x, g, weights):
    xt = torch.tensor(x, requires_grad=True)
    ws = [torch.tensor(w, requires_grad=True) for w in weights]
    out = fn(xt, *ws)
    (out * torch.from_numpy(g)).sum().backward()
    return out.detach().numpy(), xt.grad.numpy(), [w.grad.numpy() for w in ws]


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-4)


def nhwc_to_nchw(t):
    return t.permute(0, 3, 1, 2)


def nchw_to_nhwc(t):
    return t.permute(0, 2, 3, 1)


@pytest.mark.parametrize("padding,strides,dilation,groups,size", [
    ("valid", 1, 1, 1, (9, 8)), ("same", 1, 1, 1, (9, 8)), ("same", 2, 1, 1, (9, 8)),
    ("valid", (2, 1), (1, 2), 1, (11, 10)), ("same", 1, 2, 2, (7, 7)), ("valid", 3, 1, 4, (9, 9))])
def test_conv2d_matches_torch(padding, strides, dilation, groups, size):
    x = RNG.standard_normal((2,) + size + (4,)).astype(np.float32)
    layer = layers.Conv2D(8, 3, strides=strides, padding=padding, dilation_rate=dilation,
                          groups=groups, activation="relu", bias_initializer="random_normal")
    out, g, gx, (gk, gb) = run(layer, x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 3, 4 // groups, 8)
    s = layer.strides
    pads = None
    if padding == "same":
        from nncore.layers.convolutional import same_padding
        pads = same_padding(size[0], 3, s[0], layer.dilation_rate[0]) + same_padding(
            size[1], 3, s[1], layer.dilation_rate[1])

    def ref(xt, k, b):
        xt = nhwc_to_nchw(xt)
        if pads:
            xt = TF.pad(xt, (pads[2], pads[3], pads[0], pads[1]))
        y = TF.conv2d(xt, k.permute(3, 2, 0, 1), b, stride=s, dilation=layer.dilation_rate,
                      groups=groups)
        return nchw_to_nhwc(torch.relu(y))
    r_out, r_gx, (r_gk, r_gb) = torch_run(ref, x, g, [kernel, bias])
    assert out.shape == r_out.shape == layer.compute_output_shape((2,) + size + (4,))[:0] + \
        r_out.shape
    close(out, r_out), close(gx, r_gx), close(gk, r_gk), close(gb, r_gb)
    assert layer.compute_output_shape((None,) + size + (4,))[1:] == out.shape[1:]


def test_channels_first_and_conv1d_causal():
    x = RNG.standard_normal((2, 3, 7, 6)).astype(np.float32)
    first = layers.Conv2D(5, 3, padding="same", data_format="channels_first")
    last = layers.Conv2D(5, 3, padding="same")
    out_first = first(x).numpy()
    last(x.transpose(0, 2, 3, 1))
    last.set_weights(first.get_weights())
    close(out_first, last(x.transpose(0, 2, 3, 1)).numpy().transpose(0, 3, 1, 2))

    seq = RNG.standard_normal((2, 10, 3)).astype(np.float32)
    conv = layers.Conv1D(4, 3, padding="causal", dilation_rate=2)
    out, g, gx, (gk, gb) = run(conv, seq)
    kernel, bias = conv.get_weights()

    def ref(xt, k, b):
        y = TF.conv1d(TF.pad(xt.permute(0, 2, 1), (4, 0)), k.permute(2, 1, 0), b, dilation=2)
        return y.permute(0, 2, 1)
    r_out, r_gx, (r_gk, r_gb) = torch_run(ref, seq, g, [kernel, bias])
    close(out, r_out), close(gx, r_gx), close(gk, r_gk)
    # Causal: the first output depends on the first input step only.
    changed = seq.copy()
    changed[:, 5:] += 1
    np.testing.assert_array_equal(conv(changed).numpy()[:, :5], out[:, :5])


@pytest.mark.parametrize("padding,strides,size,output_padding", [
    ("valid", 2, (5, 4), None), ("same", 2, (5, 4), None), ("valid", 1, (3, 3), None),
    ("same", 3, (4, 4), None), ("valid", 2, (4, 5), 1)])
def test_conv2d_transpose_matches_torch_and_keras_sizes(padding, strides, size, output_padding):
    x = RNG.standard_normal((2,) + size + (3,)).astype(np.float32)
    layer = layers.Conv2DTranspose(4, 3, strides=strides, padding=padding,
                                   output_padding=output_padding)
    out, g, gx, (gk, gb) = run(layer, x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 3, 4, 3)
    expected = tuple(layer._geometry(a, size[a])[3] for a in range(2))
    assert out.shape == (2,) + expected + (4,)
    if output_padding is None:
        keras = [n * strides + max(3 - strides, 0) if padding == "valid" else n * strides
                 for n in size]
        assert list(expected) == keras
    top, bottom, extra_h, _ = layer._geometry(0, size[0])
    left, right, extra_w, _ = layer._geometry(1, size[1])

    def ref(xt, k, b):
        y = TF.conv_transpose2d(nhwc_to_nchw(xt), k.permute(3, 2, 0, 1), b, stride=strides,
                                output_padding=(extra_h, extra_w))
        h, w = y.shape[2], y.shape[3]
        return nchw_to_nhwc(y[:, :, top:h - bottom, left:w - right])
    r_out, r_gx, (r_gk, r_gb) = torch_run(ref, x, g, [kernel, bias])
    close(out, r_out), close(gx, r_gx), close(gk, r_gk), close(gb, r_gb)


@pytest.mark.parametrize("multiplier", [1, 2])
def test_depthwise_and_separable_match_torch(multiplier):
    x = RNG.standard_normal((2, 8, 7, 3)).astype(np.float32)
    layer = layers.DepthwiseConv2D(3, padding="same", depth_multiplier=multiplier,
                                   bias_initializer="random_normal")
    out, g, gx, (gk, gb) = run(layer, x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 3, 3, multiplier)

    def ref(xt, k, b):
        w = k.reshape(3, 3, 1, 3 * multiplier).permute(3, 2, 0, 1)
        return nchw_to_nhwc(TF.conv2d(TF.pad(nhwc_to_nchw(xt), (1, 1, 1, 1)), w, b, groups=3))
    r_out, r_gx, (r_gk, r_gb) = torch_run(ref, x, g, [kernel, bias])
    close(out, r_out), close(gx, r_gx), close(gk, r_gk), close(gb, r_gb)

    sep = layers.SeparableConv2D(5, 3, depth_multiplier=multiplier)
    out, g, gx, grads = run(sep, x)
    dk, pk, b = sep.get_weights()
    assert pk.shape == (1, 1, 3 * multiplier, 5) and b.shape == (5,)

    def ref_sep(xt, d, p, bb):
        w = d.reshape(3, 3, 1, 3 * multiplier).permute(3, 2, 0, 1)
        y = TF.conv2d(nhwc_to_nchw(xt), w, groups=3)
        return nchw_to_nhwc(TF.conv2d(y, p.permute(3, 2, 0, 1), bb))
    r_out, r_gx, r_grads = torch_run(ref_sep, x, g, [dk, pk, b])
    close(out, r_out), close(gx, r_gx)
    for a, r in zip(grads, r_grads):
        close(a, r)


def test_pooling_matches_torch():
    x = RNG.standard_normal((2, 9, 8, 3)).astype(np.float32)
    for layer, ref in [
            (layers.MaxPooling2D(2), lambda t: TF.max_pool2d(t, 2)),
            (layers.MaxPooling2D(3, strides=2), lambda t: TF.max_pool2d(t, 3, 2)),
            (layers.AveragePooling2D(2), lambda t: TF.avg_pool2d(t, 2)),
            (layers.AveragePooling2D((2, 3), strides=1), lambda t: TF.avg_pool2d(t, (2, 3), 1))]:
        out, g, gx, _ = run(layer, x)
        r_out, r_gx, _ = torch_run(lambda t: nchw_to_nhwc(ref(nhwc_to_nchw(t))), x, g, [])
        close(out, r_out), close(gx, r_gx)
        assert layer.compute_output_shape(x.shape) == out.shape
    same = layers.AveragePooling2D(2, padding="same")(x).numpy()
    assert same.shape == (2, 5, 4, 3)
    close(same[:, -1, :, :], x[:, -1].reshape(2, 4, 2, 3).mean(2))   # padding not counted
    seq = RNG.standard_normal((2, 9, 3)).astype(np.float32)
    close(layers.MaxPooling1D(3)(seq).numpy(),
          TF.max_pool1d(torch.from_numpy(seq).permute(0, 2, 1), 3).permute(0, 2, 1).numpy())
    close(layers.AveragePooling1D(2)(seq).numpy(),
          TF.avg_pool1d(torch.from_numpy(seq).permute(0, 2, 1), 2).permute(0, 2, 1).numpy())
    close(layers.GlobalAveragePooling2D()(x).numpy(), x.mean((1, 2)))
    close(layers.GlobalMaxPooling2D(keepdims=True)(x).numpy(), x.max((1, 2), keepdims=True))


def test_padding_upsampling_and_spatial_dropout():
    x = RNG.standard_normal((2, 3, 4, 2)).astype(np.float32)
    padded = layers.ZeroPadding2D(((1, 2), (0, 3)))(x).numpy()
    np.testing.assert_array_equal(padded, np.pad(x, ((0, 0), (1, 2), (0, 3), (0, 0))))
    up = layers.UpSampling2D((2, 3))
    out, g, gx, _ = run(up, x)
    np.testing.assert_array_equal(out, x.repeat(2, axis=1).repeat(3, axis=2))
    close(gx, g.reshape(2, 3, 2, 4, 3, 2).sum((2, 4)))
    nncore.manual_seed(0)
    drop = layers.SpatialDropout2D(0.5)
    y = drop(np.ones((4, 5, 5, 16), np.float32), training=True).numpy()
    per_channel = y.reshape(4, 25, 16)
    assert ((per_channel == 0).all(1) | (per_channel == 2).all(1)).all()   # whole maps
    assert 0.2 < (per_channel[:, 0] == 0).mean() < 0.8


def test_lenet_trains_saves_and_loads(tmp_path):
    from nncore import digits
    nncore.manual_seed(0)
    model = digits.build_model("lenet")
    assert model.output_shape == (None, 10)
    assert model.count_params() == 61706
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (64, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 10, 64)
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    model.save(tmp_path / "lenet.nncore")
    np.testing.assert_array_equal(load_model(tmp_path / "lenet.nncore").predict(x, verbose=0),
                                  model.predict(x, verbose=0))


def test_configs_round_trip_and_errors():
    x = RNG.standard_normal((1, 8, 8, 4)).astype(np.float32)
    for layer in [layers.Conv2D(3, (3, 2), strides=2, padding="same", activation="tanh"),
                  layers.Conv2DTranspose(2, 3, strides=2), layers.DepthwiseConv2D(3),
                  layers.SeparableConv2D(3, 3), layers.MaxPooling2D(2, padding="same"),
                  layers.ZeroPadding2D(1), layers.UpSampling2D(2)]:
        out = layer(x).numpy()
        clone = type(layer).from_config(layer.get_config())
        clone(x)
        clone.set_weights(layer.get_weights())
        np.testing.assert_array_equal(clone(x).numpy(), out)
    with pytest.raises(ValueError, match="divisible by groups"):
        layers.Conv2D(4, 3, groups=3)
    with pytest.raises(ValueError, match=r"conv2d.*larger|kernel"):
        layers.Conv2D(2, 5)(np.zeros((1, 3, 3, 1), np.float32))
    with pytest.raises(ValueError, match=r"expects inputs with 4 dims.*\(2, 5\)"):
        layers.Conv2D(2, 3)(np.zeros((2, 5), np.float32))
    model = Sequential([layers.Conv2D(2, 3, input_shape=(8, 8, 1))])
    with pytest.raises(ValueError, match=r"\(None, 8, 8, 1\)"):
        model.predict(np.zeros((1, 8, 8, 3), np.float32), verbose=0)
