"""Convolutions against torch.nn.functional: forward and every gradient (input, weight,
bias) over a grid and hypothesis-drawn configurations, float64 finite differences, the
channels-last entry points against the PyTorch-layout ones, error messages, and bitwise
equality across thread counts."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings, strategies as st

import nncore
import nncore.functional as F
from nncore.testing import gradcheck


def tol(k):
    """float32 tolerances for sums of k products of O(1) values."""
    return dict(rtol=1e-4, atol=2e-5 * max(k, 1) ** 0.5)


def run_both(fn_nn, fn_torch, arrays, grad_seed=0):
    """Runs the same op in nncore and torch on the same data; returns
    (nncore outputs and grads, torch outputs and grads) as NumPy arrays."""
    nn_in = [None if a is None else nncore.tensor(a, requires_grad=True) for a in arrays]
    th_in = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    y_nn, y_th = fn_nn(*nn_in), fn_torch(*th_in)
    gy = np.random.default_rng(grad_seed).standard_normal(tuple(y_th.shape)).astype(arrays[0].dtype)
    y_nn.backward(nncore.tensor(gy))
    y_th.backward(torch.tensor(gy))
    grads_nn = [None if t is None else t.grad.numpy() for t in nn_in]
    grads_th = [None if t is None else t.grad.numpy() for t in th_in]
    return (y_nn.numpy(), grads_nn), (y_th.detach().numpy(), grads_th)


def check_against_torch(fn_nn, fn_torch, arrays, k):
    (y, grads), (y_ref, grads_ref) = run_both(fn_nn, fn_torch, arrays)
    assert y.shape == y_ref.shape
    np.testing.assert_allclose(y, y_ref, **tol(k))
    for name, g, g_ref in zip(("input", "weight", "bias"), grads, grads_ref):
        if g_ref is not None:
            np.testing.assert_allclose(g, g_ref, err_msg=f"{name} gradient", **tol(y.size))


def conv_arrays(rng, n, c, h, w, out, kh, kw, groups, bias=True, dtype=np.float32):
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    wt = rng.standard_normal((out, c // groups, kh, kw)).astype(dtype)
    b = rng.standard_normal(out).astype(dtype) if bias else None
    return [x, wt, b]


# (N, C, H, W, out, kh, kw, stride, padding, dilation, groups)
GRID = [
    (2, 1, 28, 28, 6, 5, 5, 1, 2, 1, 1),      # LeNet conv1 (direct kernel)
    (3, 6, 14, 14, 16, 5, 5, 1, 0, 1, 1),     # LeNet conv2
    (1, 64, 12, 12, 64, 3, 3, 1, 1, 1, 1),    # im2col + GEMM, 'same'-like
    (2, 40, 9, 9, 48, 3, 3, 2, 1, 1, 1),      # strided, GEMM
    (2, 4, 9, 7, 6, 3, 3, 2, 1, 2, 2),        # grouped, dilated, strided
    (2, 8, 8, 8, 8, 3, 3, 1, 1, 1, 8),        # depthwise
    (2, 4, 7, 7, 8, 3, 3, 1, 1, 1, 4),        # depthwise with multiplier 2 (grouped GEMM)
    (2, 3, 5, 5, 4, 1, 1, 1, 0, 1, 1),        # 1x1: no im2col
    (2, 40, 6, 6, 36, 1, 1, 1, 0, 1, 2),      # grouped 1x1
    (2, 4, 6, 6, 8, 6, 6, 1, 0, 1, 1),        # kernel as large as the input
    (1, 3, 4, 4, 5, 5, 5, 1, 1, 1, 1),        # kernel larger than the input, padded
    (1, 2, 11, 5, 3, 3, 2, 3, (2, 1), (1, 2), 1),  # odd sizes, asymmetric options
    (2, 20, 7, 9, 40, 2, 3, 1, 'same', 2, 1),  # 'same' with dilation, 40 outputs
    (2, 3, 6, 5, 2, 3, 3, 1, 'valid', 1, 1),
]


@pytest.mark.parametrize("cfg", GRID, ids=lambda c: "x".join(map(str, c)))
def test_conv2d_matches_torch(cfg):
    n, c, h, w, out, kh, kw, s, p, d, g = cfg
    arrays = conv_arrays(np.random.default_rng(sum(map(hash, map(str, cfg))) % 1000),
                         n, c, h, w, out, kh, kw, g)
    kwargs = dict(stride=s, padding=p, dilation=d, groups=g)
    check_against_torch(lambda x, wt, b: F.conv2d(x, wt, b, **kwargs),
                        lambda x, wt, b: TF.conv2d(x, wt, b, **kwargs), arrays, c // g * kh * kw)


@st.composite
def conv_configs(draw, max_side=9):
    groups = draw(st.sampled_from([1, 1, 1, 2, 3]))
    c = groups * draw(st.integers(1, 3))
    out = groups * draw(st.integers(1, 4))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    mode = draw(st.sampled_from(["int", "int", "same", "valid"]))
    if mode == "same" and (sh, sw) != (1, 1):
        mode = "int"
    ph, pw = (draw(st.integers(0, 2)), draw(st.integers(0, 2))) if mode == "int" else (0, 0)
    padding = (ph, pw) if mode == "int" else mode
    min_h = max(1, dh * (kh - 1) + 1 - 2 * ph)
    min_w = max(1, dw * (kw - 1) + 1 - 2 * pw)
    h = draw(st.integers(min_h, max(min_h, max_side)))
    w = draw(st.integers(min_w, max(min_w, max_side)))
    n = draw(st.integers(1, 3))
    return dict(n=n, c=c, h=h, w=w, out=out, kh=kh, kw=kw, groups=groups,
                stride=(sh, sw), padding=padding, dilation=(dh, dw),
                bias=draw(st.booleans()), seed=draw(st.integers(0, 2**16)))


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@given(cfg=conv_configs())
def test_conv2d_hypothesis_matches_torch(cfg):
    rng = np.random.default_rng(cfg["seed"])
    arrays = conv_arrays(rng, cfg["n"], cfg["c"], cfg["h"], cfg["w"], cfg["out"], cfg["kh"],
                         cfg["kw"], cfg["groups"], cfg["bias"])
    kwargs = dict(stride=cfg["stride"], padding=cfg["padding"], dilation=cfg["dilation"],
                  groups=cfg["groups"])
    check_against_torch(lambda x, wt, b: F.conv2d(x, wt, b, **kwargs),
                        lambda x, wt, b: TF.conv2d(x, wt, b, **kwargs), arrays,
                        cfg["c"] * cfg["kh"] * cfg["kw"])


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=25)
@given(cfg=conv_configs(max_side=12))
def test_conv1d_matches_torch(cfg):
    rng = np.random.default_rng(cfg["seed"])
    g, c, out, k = cfg["groups"], cfg["c"], cfg["out"], cfg["kw"]
    x = rng.standard_normal((cfg["n"], c, cfg["w"])).astype(np.float32)
    wt = rng.standard_normal((out, c // g, k)).astype(np.float32)
    b = rng.standard_normal(out).astype(np.float32)
    padding = cfg["padding"] if isinstance(cfg["padding"], str) else cfg["padding"][1]
    if cfg["stride"][1] != 1 and padding == "same":
        padding = 0
    kwargs = dict(stride=cfg["stride"][1], padding=padding, dilation=cfg["dilation"][1],
                  groups=g)
    check_against_torch(lambda x, wt, b: F.conv1d(x, wt, b, **kwargs),
                        lambda x, wt, b: TF.conv1d(x, wt, b, **kwargs), [x, wt, b], c * k)


# (N, C, H, W, out, k, stride, padding, output_padding, dilation, groups)
TRANSPOSE_GRID = [
    (2, 4, 5, 5, 6, 3, 2, 1, 1, 1, 2),
    (1, 3, 4, 6, 2, 4, 3, 0, 2, 1, 1),
    (2, 2, 3, 3, 4, 3, 1, 1, 0, 2, 1),
    (2, 16, 7, 7, 8, 5, 2, 2, 1, 1, 1),
    (1, 6, 4, 4, 6, 3, 1, 0, 1, 2, 6),   # output_padding < dilation, depthwise-like
]


@pytest.mark.parametrize("cfg", TRANSPOSE_GRID, ids=lambda c: "x".join(map(str, c)))
def test_conv_transpose2d_matches_torch(cfg):
    n, c, h, w, out, k, s, p, op, d, g = cfg
    rng = np.random.default_rng(7)
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = rng.standard_normal((c, out // g, k, k)).astype(np.float32)
    b = rng.standard_normal(out).astype(np.float32)
    kwargs = dict(stride=s, padding=p, output_padding=op, groups=g, dilation=d)
    check_against_torch(lambda x, wt, b: F.conv_transpose2d(x, wt, b, **kwargs),
                        lambda x, wt, b: TF.conv_transpose2d(x, wt, b, **kwargs), [x, wt, b],
                        c * k * k)


@settings(max_examples=30)
@given(cfg=conv_configs(max_side=6), data=st.data())
def test_conv_transpose_hypothesis_matches_torch(cfg, data):
    rng = np.random.default_rng(cfg["seed"])
    g, c, out = cfg["groups"], cfg["c"], cfg["out"]
    (sh, sw), (dh, dw) = cfg["stride"], cfg["dilation"]
    kh, kw = cfg["kh"], cfg["kw"]
    ph, pw = data.draw(st.integers(0, (dh * (kh - 1)) // 2)), data.draw(st.integers(0, (dw * (kw - 1)) // 2))
    oph = data.draw(st.integers(0, max(sh, dh) - 1))
    opw = data.draw(st.integers(0, max(sw, dw) - 1))
    x = rng.standard_normal((cfg["n"], c, cfg["h"], cfg["w"])).astype(np.float32)
    wt = rng.standard_normal((c, out // g, kh, kw)).astype(np.float32)
    b = rng.standard_normal(out).astype(np.float32) if cfg["bias"] else None
    kwargs = dict(stride=(sh, sw), padding=(ph, pw), output_padding=(oph, opw), groups=g,
                  dilation=(dh, dw))
    check_against_torch(lambda x, wt, b: F.conv_transpose2d(x, wt, b, **kwargs),
                        lambda x, wt, b: TF.conv_transpose2d(x, wt, b, **kwargs), [x, wt, b],
                        c * kh * kw)


def test_conv_transpose1d_matches_torch():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 7)).astype(np.float32)
    wt = rng.standard_normal((4, 3, 3)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    kwargs = dict(stride=2, padding=1, output_padding=1)
    check_against_torch(lambda x, wt, b: F.conv_transpose1d(x, wt, b, **kwargs),
                        lambda x, wt, b: TF.conv_transpose1d(x, wt, b, **kwargs), [x, wt, b], 12)


def test_float64_matches_torch():
    rng = np.random.default_rng(5)
    arrays = conv_arrays(rng, 2, 3, 8, 7, 5, 3, 3, 1, dtype=np.float64)
    (y, grads), (y_ref, grads_ref) = run_both(
        lambda x, w, b: F.conv2d(x, w, b, padding=1, stride=(1, 2)),
        lambda x, w, b: TF.conv2d(x, w, b, padding=1, stride=(1, 2)), arrays)
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    for g, g_ref in zip(grads, grads_ref):
        np.testing.assert_allclose(g, g_ref, rtol=1e-12, atol=1e-12)


def test_unbatched_input_and_strided_views():
    rng = np.random.default_rng(11)
    big = rng.standard_normal((2, 3, 12, 10)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    # A stepped, reversed view: the kernels read through arbitrary strides.
    view = nncore.tensor(big)[:, :, ::2, ::-1]
    ref = TF.conv2d(torch.tensor(big)[:, :, ::2].flip(3), torch.tensor(w), padding=1)
    np.testing.assert_allclose(F.conv2d(view, nncore.tensor(w), padding=1).numpy(),
                               ref.numpy(), **tol(27))
    single = F.conv2d(nncore.tensor(big[0]), nncore.tensor(w))
    np.testing.assert_allclose(single.numpy(), TF.conv2d(torch.tensor(big[0]), torch.tensor(w)).numpy(),
                               **tol(27))


# ---- float64 finite differences --------------------------------------------------------

@settings(max_examples=12)
@given(cfg=conv_configs(max_side=5))
def test_conv2d_gradcheck(cfg):
    rng = np.random.default_rng(cfg["seed"])
    x, w, b = conv_arrays(rng, 1, cfg["c"], cfg["h"], cfg["w"], cfg["out"], cfg["kh"],
                          cfg["kw"], cfg["groups"], dtype=np.float64)
    kwargs = dict(stride=cfg["stride"], padding=cfg["padding"], dilation=cfg["dilation"],
                  groups=cfg["groups"])
    inputs = [nncore.tensor(a, requires_grad=True) for a in (x, w, b)]
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, **kwargs), inputs)


@settings(max_examples=8)
@given(cfg=conv_configs(max_side=4))
def test_conv_transpose2d_gradcheck(cfg):
    rng = np.random.default_rng(cfg["seed"])
    g, c, out = cfg["groups"], cfg["c"], cfg["out"]
    x = rng.standard_normal((1, c, cfg["h"], cfg["w"]))
    w = rng.standard_normal((c, out // g, cfg["kh"], cfg["kw"]))
    b = rng.standard_normal(out)
    kwargs = dict(stride=cfg["stride"], groups=g, dilation=cfg["dilation"])
    inputs = [nncore.tensor(a, requires_grad=True) for a in (x, w, b)]
    assert gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, **kwargs), inputs)


def test_depthwise_gradcheck():
    rng = np.random.default_rng(2)
    x, w, b = conv_arrays(rng, 2, 3, 5, 4, 3, 3, 2, 3, dtype=np.float64)
    inputs = [nncore.tensor(a, requires_grad=True) for a in (x, w, b)]
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding=1, stride=(2, 1), groups=3),
                     inputs)


# ---- channels-last entry points ---------------------------------------------------------

def keras_same(size, k, s, d=1):
    out = -(-size // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


@pytest.mark.parametrize("h,w,k,s,d", [(7, 8, 3, 2, 1), (28, 28, 5, 1, 1), (6, 5, 4, 3, 1),
                                       (9, 9, 3, 1, 2), (5, 5, 2, 2, 1)])
def test_conv2d_nhwc_same_is_keras_padding(h, w, k, s, d):
    rng = np.random.default_rng(h * w + k)
    x = rng.standard_normal((2, h, w, 3)).astype(np.float32)
    kernel = rng.standard_normal((k, k, 3, 4)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    y = F.conv2d_nhwc(nncore.tensor(x), nncore.tensor(kernel), nncore.tensor(b), strides=s,
                      padding="same", dilation=d)
    assert y.shape == (2, -(-h // s), -(-w // s), 4)
    (t, bot), (l, r) = keras_same(h, k, s, d), keras_same(w, k, s, d)
    xp = np.pad(x, ((0, 0), (t, bot), (l, r), (0, 0)))
    ref = TF.conv2d(torch.tensor(xp).permute(0, 3, 1, 2), torch.tensor(kernel).permute(3, 2, 0, 1),
                    torch.tensor(b), stride=s, dilation=d).permute(0, 2, 3, 1)
    np.testing.assert_allclose(y.numpy(), ref.numpy(), **tol(9 * k * k))


def test_nhwc_entry_points_match_nchw_ones():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 3, 9, 8)).astype(np.float32)
    w = rng.standard_normal((6, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    nchw = F.conv2d(nncore.tensor(x), nncore.tensor(w), nncore.tensor(b), stride=2, padding=1)
    nhwc = F.conv2d_nhwc(nncore.tensor(x.transpose(0, 2, 3, 1).copy()),
                         nncore.tensor(w.transpose(2, 3, 1, 0).copy()), nncore.tensor(b),
                         strides=(2, 2), padding=(1, 1, 1, 1))
    np.testing.assert_array_equal(nhwc.numpy(), nchw.numpy().transpose(0, 2, 3, 1))
    # conv1d_nwc with 'causal' padding: output t sees inputs up to t only.
    x1 = rng.standard_normal((2, 10, 3)).astype(np.float32)
    k1 = rng.standard_normal((3, 3, 4)).astype(np.float32)
    causal = F.conv1d_nwc(nncore.tensor(x1), nncore.tensor(k1), padding="causal", dilation=2)
    ref = TF.conv1d(TF.pad(torch.tensor(x1).permute(0, 2, 1), (4, 0)),
                    torch.tensor(k1).permute(2, 1, 0), dilation=2).permute(0, 2, 1)
    np.testing.assert_allclose(causal.numpy(), ref.numpy(), **tol(9))
    # Depthwise through groups, channels-last.
    dw = rng.standard_normal((3, 3, 1, 3)).astype(np.float32)
    y = F.conv2d_nhwc(nncore.tensor(x.transpose(0, 2, 3, 1).copy()), nncore.tensor(dw),
                      padding="same", groups=3)
    ref = TF.conv2d(torch.tensor(x), torch.tensor(dw).permute(3, 2, 0, 1), padding=1, groups=3)
    np.testing.assert_allclose(y.numpy(), ref.permute(0, 2, 3, 1).numpy(), **tol(9))


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("k,s", [(3, 2), (2, 2), (1, 3), (4, 1), (5, 2)])
def test_conv_transpose2d_nhwc_follows_keras_sizes(padding, k, s):
    rng = np.random.default_rng(k * 10 + s)
    x = rng.standard_normal((2, 4, 5, 3)).astype(np.float32)
    kernel = rng.standard_normal((k, k, 6, 3)).astype(np.float32)  # (kh, kw, filters, in)
    b = rng.standard_normal(6).astype(np.float32)
    y = F.conv_transpose2d_nhwc(nncore.tensor(x), nncore.tensor(kernel), nncore.tensor(b),
                                strides=s, padding=padding)
    if padding == "same":
        expect = (4 * s, 5 * s)
    else:
        expect = (4 * s + max(k - s, 0), 5 * s + max(k - s, 0))
    assert y.shape == (2, *expect, 6)
    # The full transposed conv, cropped by Keras's 'same' padding (top/left gets the
    # smaller half), zero-extended when the kernel is shorter than the stride.
    full = TF.conv_transpose2d(torch.tensor(x).permute(0, 3, 1, 2),
                               torch.tensor(kernel).permute(3, 2, 0, 1), stride=s)
    full = full.permute(0, 2, 3, 1).numpy()
    total = k - s if padding == "same" else min(k - s, 0)
    top = max(total, 0) // 2
    pad_end = max(-total, 0)
    full = np.pad(full, ((0, 0), (0, pad_end), (0, pad_end), (0, 0)))
    ref = full[:, top:top + expect[0], top:top + expect[1]] + b
    np.testing.assert_allclose(y.numpy(), ref, **tol(3 * k * k))


# ---- errors -----------------------------------------------------------------------------

def test_bad_configurations_give_clear_errors():
    x = nncore.tensor(np.zeros((2, 3, 4, 4), np.float32))
    w5 = nncore.tensor(np.zeros((6, 3, 5, 5), np.float32))
    with pytest.raises(ValueError, match=r"conv2d: kernel 5x5 .*larger than the padded input "
                                         r"4x4 \(input float32 of shape \(2, 3, 4, 4\)\)"):
        F.conv2d(x, w5)
    with pytest.raises(ValueError, match="divisible by groups=2"):
        F.conv2d(x, nncore.tensor(np.zeros((4, 1, 3, 3), np.float32)), groups=2)
    with pytest.raises(ValueError, match="weight"):
        F.conv2d(x, nncore.tensor(np.zeros((6, 3, 3), np.float32)))
    with pytest.raises(ValueError, match="expects 2 input channels"):
        F.conv2d(x, nncore.tensor(np.zeros((6, 2, 3, 3), np.float32)))
    with pytest.raises(TypeError, match=r"float32.*float64|float64.*float32"):
        F.conv2d(x, nncore.tensor(np.zeros((6, 3, 3, 3), np.float64)))
    with pytest.raises(ValueError, match="padding must be non-negative"):
        F.conv2d(x, nncore.tensor(np.zeros((6, 3, 3, 3), np.float32)), padding=-1)
    with pytest.raises(ValueError, match="strided"):
        F.conv2d(x, nncore.tensor(np.zeros((6, 3, 3, 3), np.float32)), padding="same", stride=2)
    with pytest.raises(ValueError, match="bias must have shape"):
        F.conv2d(x, nncore.tensor(np.zeros((6, 3, 3, 3), np.float32)),
                 nncore.tensor(np.zeros(5, np.float32)))
    with pytest.raises(ValueError, match="output_padding"):
        F.conv_transpose2d(x, nncore.tensor(np.zeros((3, 2, 3, 3), np.float32)), stride=2,
                           output_padding=2)
    with pytest.raises(TypeError, match="float"):
        F.conv2d_nhwc(nncore.tensor(np.zeros((1, 4, 4, 1), np.int64)),
                      nncore.tensor(np.zeros((3, 3, 1, 1), np.int64)))
    # The engine's message names the op, the shapes and the dtype.
    with pytest.raises(ValueError, match=r"conv2d: kernel 5x5 is larger than the padded input "
                                         r"4x4 \(input float32 tensor of shape \(2, 4, 4, 3\)\)"):
        F.conv2d_nhwc(nncore.tensor(np.zeros((2, 4, 4, 3), np.float32)),
                      nncore.tensor(np.zeros((5, 5, 3, 1), np.float32)))


# ---- determinism ----------------------------------------------------------------------

@pytest.fixture
def restore_threads():
    before = nncore.get_num_threads()
    yield
    nncore.set_num_threads(before)


@pytest.mark.parametrize("cfg", [(64, 1, 28, 28, 6, 5, 2, 1, 1), (32, 6, 14, 14, 16, 5, 0, 1, 1),
                                 (4, 32, 16, 16, 48, 3, 1, 1, 1), (4, 32, 16, 16, 40, 3, 1, 2, 1),
                                 (8, 16, 10, 10, 16, 3, 1, 1, 16)])
def test_results_do_not_depend_on_thread_count(cfg, restore_threads):
    n, c, h, w, out, k, p, s, g = cfg
    arrays = conv_arrays(np.random.default_rng(0), n, c, h, w, out, k, k, g)
    results = []
    for threads in (1, 2):
        nncore.set_num_threads(threads)
        inputs = [nncore.tensor(a, requires_grad=True) for a in arrays]
        y = F.conv2d(*inputs, stride=s, padding=p, groups=g)
        y.backward(nncore.tensor(np.cos(np.arange(y.numel(), dtype=np.float32)).reshape(y.shape)))
        results.append([y.numpy()] + [t.grad.numpy() for t in inputs])
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
