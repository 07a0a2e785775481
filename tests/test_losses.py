"""Losses: the PyTorch-named forms against torch.nn.functional (values and gradients), the
Keras forms against their formulas, gradchecks, sample weights and reductions."""
import numpy as np
import pytest

import nncore
from nncore import losses
from nncore.testing import gradcheck

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def pair(rng, shape, dtype=np.float64, lo=-2.0, hi=2.0):
    a = rng.uniform(lo, hi, shape).astype(dtype)
    return nncore.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def check(ours, theirs, leaves, rtol):
    ours.backward() if ours.numel() == 1 else ours.sum().backward()
    theirs.backward() if theirs.numel() == 1 else theirs.sum().backward()
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol,
                               atol=rtol)
    for n, t in leaves:
        np.testing.assert_allclose(n.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-10), (np.float32, 2e-5)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses_match_torch(dtype, rtol, reduction):
    rng = np.random.default_rng(0)
    for name, kwargs in [("mse_loss", {}), ("l1_loss", {}), ("huber_loss", {"delta": 0.7})]:
        (ni, ti), (nt, tt) = pair(rng, (6, 3), dtype), pair(rng, (6, 3), dtype)
        ours = getattr(nncore.functional, name)(ni, nt, reduction=reduction, **kwargs)
        theirs = getattr(TF, name)(ti, tt, reduction=reduction, **kwargs)
        check(ours, theirs, [(ni, ti), (nt, tt)], rtol)


@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-10), (np.float32, 2e-5)])
def test_binary_cross_entropy_matches_torch(dtype, rtol):
    rng = np.random.default_rng(1)
    probs = rng.uniform(0.05, 0.95, (5, 4)).astype(dtype)
    target = rng.integers(0, 2, (5, 4)).astype(dtype)
    weight = rng.uniform(0.5, 2, (5, 4)).astype(dtype)
    np_, tp = nncore.tensor(probs, requires_grad=True), torch.tensor(probs, requires_grad=True)
    check(nncore.functional.binary_cross_entropy(np_, nncore.tensor(target),
                                                 weight=nncore.tensor(weight)),
          TF.binary_cross_entropy(tp, torch.tensor(target), weight=torch.tensor(weight)),
          [(np_, tp)], rtol)
    (nl, tl) = pair(rng, (5, 4), dtype, -30, 30)
    pos = rng.uniform(0.5, 3, 4).astype(dtype)
    check(nncore.functional.binary_cross_entropy_with_logits(
              nl, nncore.tensor(target), pos_weight=nncore.tensor(pos), reduction="sum"),
          TF.binary_cross_entropy_with_logits(tl, torch.tensor(target),
                                              pos_weight=torch.tensor(pos), reduction="sum"),
          [(nl, tl)], rtol)


@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-10), (np.float32, 2e-5)])
def test_cross_entropy_and_nll_match_torch(dtype, rtol):
    rng = np.random.default_rng(2)
    target = rng.integers(0, 7, 9)
    weight = rng.uniform(0.5, 2, 7).astype(dtype)
    for kwargs in [{}, {"reduction": "sum"}, {"reduction": "none"}, {"label_smoothing": 0.1}]:
        nl, tl = pair(rng, (9, 7), dtype, -5, 5)
        check(nncore.functional.cross_entropy(nl, nncore.tensor(target), **kwargs),
              TF.cross_entropy(tl, torch.tensor(target), **kwargs), [(nl, tl)], rtol)
    nl, tl = pair(rng, (9, 7), dtype, -5, 5)
    check(nncore.functional.cross_entropy(nl, nncore.tensor(target), weight=nncore.tensor(weight)),
          TF.cross_entropy(tl, torch.tensor(target), weight=torch.tensor(weight)),
          [(nl, tl)], rtol)
    probs = rng.dirichlet(np.ones(7), 9).astype(dtype)
    nl, tl = pair(rng, (9, 7), dtype, -5, 5)
    check(nncore.functional.cross_entropy(nl, nncore.tensor(probs)),
          TF.cross_entropy(tl, torch.tensor(probs)), [(nl, tl)], rtol)
    nl, tl = pair(rng, (9, 7), dtype, -5, 0)
    check(nncore.functional.nll_loss(nl, nncore.tensor(target), weight=nncore.tensor(weight)),
          TF.nll_loss(tl, torch.tensor(target), weight=torch.tensor(weight)), [(nl, tl)], rtol)


def test_cross_entropy_is_stable_and_checks_its_input():
    logits = nncore.tensor([[1e4, 0.0, -1e4], [0.0, 0.0, 0.0]], requires_grad=True)
    loss = nncore.functional.cross_entropy(logits, nncore.tensor([1, 2]))
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(logits.grad.numpy()).all()
    with pytest.raises(IndexError, match=r"target 3 at row 0 is not a class index in \[0, 3\)"):
        nncore.functional.cross_entropy(nncore.zeros(2, 3), nncore.tensor([3, 0]))
    with pytest.raises(TypeError, match="class targets must be int64 or int32"):
        nncore.functional.cross_entropy(nncore.zeros(2, 3), nncore.tensor([True, False]))
    with pytest.raises(ValueError, match=r"expected 2 class targets"):
        nncore.functional.cross_entropy(nncore.zeros(2, 3), nncore.tensor([0, 1, 2]))


def test_fused_cross_entropy_gradcheck():
    rng = np.random.default_rng(3)
    x = nncore.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    t = nncore.tensor([0, 4, 2, 2])
    p = nncore.tensor(rng.dirichlet(np.ones(5), 4))
    assert gradcheck(lambda x: nncore.functional.cross_entropy(x, t, reduction="none"), (x,))
    assert gradcheck(lambda x: nncore.functional.cross_entropy(x, p, reduction="none"), (x,))


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")
@pytest.mark.parametrize("reduction", ["mean", "sum", "batchmean"])
def test_kl_div_and_triplet_match_torch(reduction):
    rng = np.random.default_rng(4)
    logp = np.log(rng.dirichlet(np.ones(5), 3))
    target = rng.dirichlet(np.ones(5), 3)
    nl, tl = nncore.tensor(logp, requires_grad=True), torch.tensor(logp, requires_grad=True)
    check(nncore.functional.kl_div(nl, nncore.tensor(target), reduction=reduction),
          TF.kl_div(tl, torch.tensor(target), reduction=reduction), [(nl, tl)], 1e-10)
    (na, ta), (np_, tp), (nn_, tn) = (pair(rng, (6, 4)) for _ in range(3))
    check(nncore.functional.triplet_margin_loss(na, np_, nn_, margin=0.5, swap=True),
          TF.triplet_margin_loss(ta, tp, tn, margin=0.5, swap=True),
          [(na, ta), (np_, tp), (nn_, tn)], 1e-10)


def test_keras_losses_match_their_formulas():
    rng = np.random.default_rng(5)
    yt = rng.integers(0, 2, (4, 3)).astype(np.float64)
    yp = rng.uniform(0.05, 0.95, (4, 3))
    logits = rng.uniform(-3, 3, (4, 3))
    eps = 1e-7
    cases = {
        "mean_squared_error": ((yp - yt) ** 2).mean(-1),
        "half_sum_squared_error": 0.5 * ((yp - yt) ** 2).sum(-1),
        "mean_absolute_error": np.abs(yp - yt).mean(-1),
        "binary_crossentropy": -(yt * np.log(yp) + (1 - yt) * np.log(1 - yp)).mean(-1),
        "hinge": np.maximum(1 - (2 * yt - 1) * yp, 0).mean(-1),
        "squared_hinge": (np.maximum(1 - (2 * yt - 1) * yp, 0) ** 2).mean(-1),
        "kl_divergence": (np.clip(yt, eps, 1) * np.log(np.clip(yt, eps, 1) / yp)).sum(-1),
    }
    for name, expected in cases.items():
        got = getattr(losses, name)(nncore.tensor(yt), nncore.tensor(yp))
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-10, err_msg=name)
    sig = 1 / (1 + np.exp(-logits))
    np.testing.assert_allclose(
        losses.binary_crossentropy(nncore.tensor(yt), nncore.tensor(logits), from_logits=True)
        .numpy(), -(yt * np.log(sig) + (1 - yt) * np.log(1 - sig)).mean(-1), rtol=1e-10)
    onehot = np.eye(3)[[0, 2, 1, 1]]
    soft = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    expected = -(onehot * np.log(soft)).sum(-1)
    np.testing.assert_allclose(losses.categorical_crossentropy(
        nncore.tensor(onehot), nncore.tensor(logits), from_logits=True).numpy(), expected)
    np.testing.assert_allclose(losses.categorical_crossentropy(
        nncore.tensor(onehot), nncore.tensor(soft)).numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(losses.sparse_categorical_crossentropy(
        nncore.tensor([0, 2, 1, 1]), nncore.tensor(logits), from_logits=True).numpy(), expected)
    cos = -(yp * logits).sum(-1) / np.linalg.norm(yp, axis=-1) / np.linalg.norm(logits, axis=-1)
    np.testing.assert_allclose(losses.cosine_similarity(nncore.tensor(yp), nncore.tensor(logits))
                               .numpy(), cos, rtol=1e-10)
    delta = 0.5
    d = np.abs(logits - yt)
    huber = np.where(d <= delta, 0.5 * d ** 2, delta * (d - 0.5 * delta)).mean(-1)
    np.testing.assert_allclose(losses.huber(nncore.tensor(yt), nncore.tensor(logits), delta)
                               .numpy(), huber, rtol=1e-10)


def test_keras_classes_reduce_with_sample_weights():
    yt = nncore.tensor([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    yp = nncore.tensor([[0.5, 1.0], [1.0, 0.0], [1.0, 1.0]])
    per_sample = np.array([0.125, 0.5, 1.0])
    w = np.array([1.0, 2.0, 0.0])
    assert losses.MeanSquaredError()(yt, yp).item() == pytest.approx(per_sample.mean())
    assert losses.MeanSquaredError(reduction="sum")(yt, yp).item() == pytest.approx(
        per_sample.sum())
    np.testing.assert_allclose(losses.MeanSquaredError(reduction="none")(yt, yp).numpy(),
                               per_sample)
    assert losses.MeanSquaredError()(yt, yp, sample_weight=w.astype(np.float32)).item() == \
        pytest.approx((per_sample * w).sum() / 3)
    bce = losses.BinaryCrossentropy(from_logits=True)
    assert bce.get_config()["from_logits"] is True
    assert losses.BinaryCrossentropy.from_config(bce.get_config()).get_config() == bce.get_config()
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")


def test_triplet_is_the_facenet_loss_and_stable_losses_stay_finite():
    a = nncore.tensor([[0.0, 0.0], [1.0, 1.0]], requires_grad=True)
    p = nncore.tensor([[0.0, 1.0], [1.0, 1.0]])
    n = nncore.tensor([[0.0, 2.0], [1.0, 1.1]])
    loss = losses.triplet(a, p, n, margin=0.2)
    # row 0: 1 - 4 + 0.2 < 0 -> 0; row 1: 0 - 0.01 + 0.2 = 0.19
    assert loss.item() == pytest.approx(0.19 / 2, rel=1e-6)
    loss.backward()
    assert a.grad is not None
    big = nncore.tensor([[1000.0, -1000.0]])
    assert np.isfinite(losses.binary_crossentropy(nncore.tensor([[0.0, 1.0]]), big,
                                                  from_logits=True).item())
    assert np.isfinite(losses.binary_crossentropy(nncore.tensor([[0.0, 1.0]]),
                                                  nncore.tensor([[1.0, 0.0]])).item())
