"""Pooling against torch.nn.functional (forward and input gradient) over a grid and
hypothesis-drawn configurations; Keras's 'same' semantics of the channels-last entry
points; NaN and ties; float64 finite differences; errors; thread-count invariance."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings, strategies as st

import nncore
import nncore.functional as F
from nncore.testing import gradcheck


def both(fn_nn, fn_th, x, seed=0):
    """(output, input gradient) of the same pooling in nncore and torch."""
    tx, nx = torch.tensor(x, requires_grad=True), nncore.tensor(x, requires_grad=True)
    y_th, y_nn = fn_th(tx), fn_nn(nx)
    gy = np.random.default_rng(seed).standard_normal(tuple(y_th.shape)).astype(x.dtype)
    y_th.backward(torch.tensor(gy))
    y_nn.backward(nncore.tensor(gy))
    return (y_nn.numpy(), nx.grad.numpy()), (y_th.detach().numpy(), tx.grad.numpy())


def assert_same(fn_nn, fn_th, x, rtol=1e-5, atol=1e-6):
    (y, g), (y_ref, g_ref) = both(fn_nn, fn_th, x)
    assert y.shape == y_ref.shape
    np.testing.assert_allclose(y, y_ref, rtol=rtol, atol=atol)
    np.testing.assert_allclose(g, g_ref, rtol=rtol, atol=atol, err_msg="input gradient")


def distinct(rng, shape, dtype=np.float32):
    """Values without ties (a permutation), so argmax is unique and gradients agree."""
    return (rng.permutation(int(np.prod(shape))).reshape(shape) / 7.0).astype(dtype)


# (N, C, H, W, kernel, stride, padding, dilation, ceil_mode)
MAX_GRID = [
    (2, 6, 28, 28, 2, None, 0, 1, False),     # LeNet
    (2, 16, 10, 10, 2, 2, 0, 1, False),
    (1, 3, 7, 9, 3, 2, 1, 1, True),
    (2, 4, 8, 8, 3, 2, 1, 2, False),
    (1, 5, 6, 5, (3, 2), (2, 1), (1, 0), 1, True),
    (3, 1, 5, 5, 5, 1, 2, 1, False),          # kernel as large as the input
    (1, 70, 4, 4, 2, 1, 0, 1, False),         # many channels
]


@pytest.mark.parametrize("cfg", MAX_GRID, ids=str)
def test_max_pool2d_matches_torch(cfg):
    n, c, h, w, k, s, p, d, ceil = cfg
    x = distinct(np.random.default_rng(0), (n, c, h, w))
    kw = dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil)
    assert_same(lambda t: F.max_pool2d(t, **kw), lambda t: TF.max_pool2d(t, **kw), x)


# (N, C, H, W, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
AVG_GRID = [
    (2, 6, 28, 28, 2, None, 0, False, True, None),
    (1, 3, 7, 9, 3, 2, 1, True, True, None),
    (1, 3, 7, 9, 3, 2, 1, True, False, None),
    (2, 4, 5, 6, (3, 2), (1, 2), (1, 1), False, False, None),
    (2, 4, 6, 6, 3, 3, 1, True, True, 5),
    (1, 33, 3, 3, 3, 1, 1, False, False, None),
]


@pytest.mark.parametrize("cfg", AVG_GRID, ids=str)
def test_avg_pool2d_matches_torch(cfg):
    n, c, h, w, k, s, p, ceil, cip, div = cfg
    x = np.random.default_rng(1).standard_normal((n, c, h, w)).astype(np.float32)
    kw = dict(kernel_size=k, stride=s, padding=p, ceil_mode=ceil, count_include_pad=cip,
              divisor_override=div)
    assert_same(lambda t: F.avg_pool2d(t, **kw), lambda t: TF.avg_pool2d(t, **kw), x)


@st.composite
def pool_configs(draw, max_side=9):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    return dict(kernel=(kh, kw), stride=(sh, sw), dilation=(dh, dw),
                pad_frac=(draw(st.integers(0, 10)), draw(st.integers(0, 10))),
                ceil=draw(st.booleans()), cip=draw(st.booleans()),
                n=draw(st.integers(1, 2)), c=draw(st.integers(1, 5)),
                h=draw(st.integers(1, max_side)), w=draw(st.integers(1, max_side)),
                seed=draw(st.integers(0, 2**16)))


def _padding(extent, frac, size):
    """A legal padding (at most half the window) for which the window fits."""
    p = extent // 2 * frac // 10
    return p if size + 2 * p >= extent else None


@given(cfg=pool_configs())
def test_pool2d_hypothesis_matches_torch(cfg):
    (kh, kw), (dh, dw) = cfg["kernel"], cfg["dilation"]
    ph = _padding(dh * (kh - 1) + 1, cfg["pad_frac"][0], cfg["h"])
    pw = _padding(dw * (kw - 1) + 1, cfg["pad_frac"][1], cfg["w"])
    x = distinct(np.random.default_rng(cfg["seed"]), (cfg["n"], cfg["c"], cfg["h"], cfg["w"]))
    if ph is not None and pw is not None and ph <= kh // 2 and pw <= kw // 2:
        kw_max = dict(kernel_size=cfg["kernel"], stride=cfg["stride"], padding=(ph, pw),
                      dilation=cfg["dilation"], ceil_mode=cfg["ceil"])
        # A dilated window can fall entirely into the padding; PyTorch's argmax is then
        # undefined, so such cases are left out.
        if np.isinf(TF.max_pool2d(torch.tensor(x), **kw_max).numpy()).any():
            return
        assert_same(lambda t: F.max_pool2d(t, **kw_max), lambda t: TF.max_pool2d(t, **kw_max), x)
    ph, pw = _padding(kh, cfg["pad_frac"][0], cfg["h"]), _padding(kw, cfg["pad_frac"][1], cfg["w"])
    if ph is not None and pw is not None:
        kw_avg = dict(kernel_size=cfg["kernel"], stride=cfg["stride"], padding=(ph, pw),
                      ceil_mode=cfg["ceil"], count_include_pad=cfg["cip"])
        assert_same(lambda t: F.avg_pool2d(t, **kw_avg), lambda t: TF.avg_pool2d(t, **kw_avg), x)


@given(n=st.integers(1, 2), c=st.integers(1, 4), h=st.integers(1, 11), w=st.integers(1, 11),
       oh=st.integers(1, 6), ow=st.integers(1, 6))
def test_adaptive_avg_pool2d_matches_torch(n, c, h, w, oh, ow):
    x = np.random.default_rng(h * w).standard_normal((n, c, h, w)).astype(np.float32)
    assert_same(lambda t: F.adaptive_avg_pool2d(t, (oh, ow)),
                lambda t: TF.adaptive_avg_pool2d(t, (oh, ow)), x)


def test_one_dimensional_and_global_pools_match_torch():
    rng = np.random.default_rng(4)
    x = distinct(rng, (2, 3, 11))
    for kw in [dict(kernel_size=3), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
               dict(kernel_size=2, dilation=2)]:
        assert_same(lambda t: F.max_pool1d(t, **kw), lambda t: TF.max_pool1d(t, **kw), x)
    for kw in [dict(kernel_size=3), dict(kernel_size=4, stride=3, padding=2, ceil_mode=True,
                                         count_include_pad=False)]:
        assert_same(lambda t: F.avg_pool1d(t, **kw), lambda t: TF.avg_pool1d(t, **kw), x)
    assert_same(lambda t: F.adaptive_avg_pool1d(t, 4), lambda t: TF.adaptive_avg_pool1d(t, 4), x)
    x2 = rng.standard_normal((2, 5, 7, 6)).astype(np.float32)
    assert_same(lambda t: F.adaptive_avg_pool2d(t, 1), lambda t: TF.adaptive_avg_pool2d(t, 1), x2)
    assert_same(lambda t: F.adaptive_avg_pool2d(t, (None, 2)),
                lambda t: TF.adaptive_avg_pool2d(t, (None, 2)), x2)


@pytest.mark.parametrize("kw", [dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=2, stride=2)],  # the fused 2x2 path
                         ids=["3x3", "2x2"])
def test_max_pool_indices_nan_and_ties_follow_torch(kw):
    rng = np.random.default_rng(6)
    x = np.round(rng.standard_normal((2, 3, 6, 7)), 0).astype(np.float32)  # many ties
    x[0, 1, 2, 3] = np.nan
    x[1, 2, 4, 1] = np.nan
    x[1, 2, 5, 0] = np.nan  # two NaNs in one window: the index goes to the last
    y, idx = F.max_pool2d(nncore.tensor(x), return_indices=True, **kw)
    y_ref, idx_ref = TF.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    np.testing.assert_array_equal(y.numpy(), y_ref.numpy())
    np.testing.assert_array_equal(idx.numpy(), idx_ref.numpy())
    assert idx.dtype == nncore.int64
    (y, g), (y_ref, g_ref) = both(lambda t: F.max_pool2d(t, **kw), lambda t: TF.max_pool2d(t, **kw), x)
    np.testing.assert_array_equal(g, g_ref)  # the gradient goes to the first maximum
    _, idx1 = F.max_pool1d(nncore.tensor(x[0]), 2, return_indices=True)
    np.testing.assert_array_equal(idx1.numpy(), TF.max_pool1d(torch.tensor(x[0]), 2, return_indices=True)[1].numpy())


# ---- channels-last entry points (Keras semantics) ----------------------------------------

def keras_same(size, k, s):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def reference_pool(x, k, s, padding, op):
    """Straightforward NHWC pooling: 'same' pads with Keras's split; padded positions
    never win a max and never count in a mean."""
    n, h, w, c = x.shape
    (t, b), (l, r) = (keras_same(h, k[0], s[0]), keras_same(w, k[1], s[1])) \
        if padding == "same" else ((0, 0), (0, 0))
    oh, ow = (h + t + b - k[0]) // s[0] + 1, (w + l + r - k[1]) // s[1] + 1
    out = np.empty((n, oh, ow, c), x.dtype)
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * s[0] - t, j * s[1] - l
            win = x[:, max(r0, 0):r0 + k[0], max(c0, 0):c0 + k[1]]
            out[:, i, j] = win.max(axis=(1, 2)) if op == "max" else win.mean(axis=(1, 2))
    return out


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("h,w,k,s", [(7, 8, (2, 2), None), (7, 5, (3, 3), (2, 2)),
                                     (6, 6, (3, 2), (1, 3)), (5, 9, (4, 4), (3, 2))])
def test_nhwc_pools_follow_keras(padding, h, w, k, s):
    x = np.random.default_rng(h + w).standard_normal((2, h, w, 3)).astype(np.float32)
    strides = k if s is None else s
    y = F.max_pool2d_nhwc(nncore.tensor(x), k, s, padding)
    np.testing.assert_array_equal(y.numpy(), reference_pool(x, k, strides, padding, "max"))
    y = F.avg_pool2d_nhwc(nncore.tensor(x), k, s, padding)
    np.testing.assert_allclose(y.numpy(), reference_pool(x, k, strides, padding, "avg"),
                               rtol=1e-6, atol=1e-6)


def test_nhwc_pools_match_nchw_ones():
    x = np.random.default_rng(8).standard_normal((2, 4, 9, 8)).astype(np.float32)
    xh = nncore.tensor(x.transpose(0, 2, 3, 1).copy())
    np.testing.assert_array_equal(F.max_pool2d_nhwc(xh, 3, 2).numpy(),
                                  F.max_pool2d(nncore.tensor(x), 3, 2).numpy().transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(F.avg_pool2d_nhwc(xh, 2).numpy(),
                                  F.avg_pool2d(nncore.tensor(x), 2).numpy().transpose(0, 2, 3, 1))
    np.testing.assert_allclose(F.adaptive_avg_pool2d_nhwc(xh, 1).numpy().ravel(),
                               x.mean(axis=(2, 3)).ravel(), rtol=1e-5)
    x1 = nncore.tensor(x[:, :, 0].transpose(0, 2, 1).copy())  # (N, L, C)
    np.testing.assert_array_equal(F.max_pool1d_nwc(x1, 2).numpy(),
                                  F.max_pool1d(nncore.tensor(x[:, :, 0]), 2).numpy().transpose(0, 2, 1))
    np.testing.assert_allclose(F.avg_pool1d_nwc(x1, 3, 2, "same").numpy(),
                               reference_pool(x[:, :, 0].transpose(0, 2, 1)[:, None], (1, 3), (1, 2),
                                              "same", "avg")[:, 0], rtol=1e-6)


# ---- float64 finite differences ---------------------------------------------------------

@settings(max_examples=10)
@given(cfg=pool_configs(max_side=5))
def test_pool_gradcheck(cfg):
    (kh, kw), (dh, dw) = cfg["kernel"], cfg["dilation"]
    x = distinct(np.random.default_rng(cfg["seed"]), (1, 2, cfg["h"], cfg["w"]), np.float64)
    ph, pw = _padding(kh, cfg["pad_frac"][0], cfg["h"]), _padding(kw, cfg["pad_frac"][1], cfg["w"])
    if ph is not None and pw is not None:
        kwa = dict(kernel_size=(kh, kw), stride=cfg["stride"], padding=(ph, pw),
                   ceil_mode=cfg["ceil"], count_include_pad=cfg["cip"])
        assert gradcheck(lambda t: F.avg_pool2d(t, **kwa), [nncore.tensor(x, requires_grad=True)])
    ph = _padding(dh * (kh - 1) + 1, cfg["pad_frac"][0], cfg["h"])
    pw = _padding(dw * (kw - 1) + 1, cfg["pad_frac"][1], cfg["w"])
    if ph is not None and pw is not None and ph <= kh // 2 and pw <= kw // 2:
        kwm = dict(kernel_size=(kh, kw), stride=cfg["stride"], padding=(ph, pw),
                   dilation=(dh, dw), ceil_mode=cfg["ceil"])
        # distinct values lie at least 1/7 apart: far from a kink for eps 1e-6
        if np.isinf(TF.max_pool2d(torch.tensor(x), **kwm).numpy()).any():
            return
        assert gradcheck(lambda t: F.max_pool2d(t, **kwm), [nncore.tensor(x, requires_grad=True)])
    assert gradcheck(lambda t: F.adaptive_avg_pool2d(t, (2, 3)),
                     [nncore.tensor(x, requires_grad=True)])


# ---- errors -----------------------------------------------------------------------------

def test_bad_pool_configurations_give_clear_errors():
    x = nncore.tensor(np.zeros((1, 2, 4, 4), np.float32))
    with pytest.raises(ValueError, match=r"max_pool2d: kernel 5x5 is larger than the padded input 4x4"):
        F.max_pool2d(x, 5)
    with pytest.raises(ValueError, match="at most half"):
        F.avg_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match="at most half"):
        F.max_pool2d(x, 3, padding=-1)
    with pytest.raises(TypeError, match="avg_pool2d: requires float32 or float64"):
        F.avg_pool2d(nncore.tensor(np.zeros((1, 2, 4, 4), np.int32)), 2)
    with pytest.raises(ValueError, match="4-d"):
        F.max_pool2d(nncore.tensor(np.zeros((4,), np.float32)), 2)
    with pytest.raises(ValueError, match="divisor_override"):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(ValueError, match="padding must be 'valid' or 'same'"):
        F.max_pool2d_nhwc(nncore.tensor(np.zeros((1, 4, 4, 2), np.float32)), 2, padding="full")


# ---- determinism ----------------------------------------------------------------------

@pytest.fixture
def restore_threads():
    before = nncore.get_num_threads()
    yield
    nncore.set_num_threads(before)


def test_pools_do_not_depend_on_thread_count(restore_threads):
    x = np.random.default_rng(0).standard_normal((32, 6, 28, 28)).astype(np.float32)
    results = []
    for threads in (1, 2):
        nncore.set_num_threads(threads)
        out = []
        for fn in (lambda t: F.max_pool2d(t, 3, 2, 1), lambda t: F.avg_pool2d(t, 3, 2, 1),
                   lambda t: F.adaptive_avg_pool2d(t, 5)):
            t = nncore.tensor(x, requires_grad=True)
            y = fn(t)
            y.backward(nncore.tensor(np.sin(np.arange(y.numel(), dtype=np.float32)).reshape(y.shape)))
            out += [y.numpy(), t.grad.numpy()]
        results.append(out)
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
