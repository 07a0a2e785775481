"""Optimizers: the same trajectories as torch.optim, clipping as Keras documents it, exact
state save/restore, configs, errors, thread independence."""
import json

import numpy as np
import pytest
import torch

import nncore
from nncore import optimizers as O

RNG = np.random.default_rng(0)
X = RNG.standard_normal((32, 5))
Y = RNG.standard_normal((32, 3))
W0 = RNG.standard_normal((5, 3)) * 0.5
B0 = RNG.standard_normal(3) * 0.1
STEPS = 100


def nncore_run(opt, steps=STEPS, dtype=np.float64, params=None):
    """Tiny linear regression (MSE), gradients from nncore's autograd, opt.step()."""
    if params is None:
        params = [nncore.tensor(W0.astype(dtype), requires_grad=True),
                  nncore.tensor(B0.astype(dtype), requires_grad=True)]
    x, y = nncore.tensor(X.astype(dtype)), nncore.tensor(Y.astype(dtype))
    w, b = params
    for _ in range(steps):
        r = x @ w + b - y
        (r * r).mean().backward()
        opt.step(params)
        opt.zero_grad(params)
    return params


def torch_run(make, steps=STEPS, dtype=torch.float64, decay=None):
    """The same problem in torch; `decay=(lr, wd)` applies Keras's decoupled weight decay
    by hand before each step, for optimizers whose torch weight_decay is L2."""
    w = torch.tensor(W0, dtype=dtype, requires_grad=True)
    b = torch.tensor(B0, dtype=dtype, requires_grad=True)
    x, y = torch.tensor(X, dtype=dtype), torch.tensor(Y, dtype=dtype)
    opt = make([w, b])
    for _ in range(steps):
        opt.zero_grad()
        r = x @ w + b - y
        (r * r).mean().backward()
        if decay is not None:
            with torch.no_grad():
                for p in (w, b):
                    p.mul_(1 - decay[0] * decay[1])
        opt.step()
    return [w.detach().numpy(), b.detach().numpy()]


T = torch.optim
# Learning rates are small enough that no coordinate reaches the noisy regime near the
# minimum, where RMSprop-like updates amplify rounding differences exponentially.
CASES = {
    "sgd": (lambda: O.SGD(0.05), lambda p: T.SGD(p, lr=0.05), None),
    "sgd_momentum": (lambda: O.SGD(0.02, momentum=0.9),
                     lambda p: T.SGD(p, lr=0.02, momentum=0.9), None),
    "sgd_nesterov": (lambda: O.SGD(0.02, momentum=0.9, nesterov=True),
                     lambda p: T.SGD(p, lr=0.02, momentum=0.9, nesterov=True), None),
    # Without momentum, decoupled decay and torch's L2 decay are the same update.
    "sgd_weight_decay": (lambda: O.SGD(0.05, weight_decay=0.1),
                         lambda p: T.SGD(p, lr=0.05, weight_decay=0.1), None),
    "sgd_momentum_weight_decay": (lambda: O.SGD(0.02, momentum=0.8, weight_decay=0.1),
                                  lambda p: T.SGD(p, lr=0.02, momentum=0.8), (0.02, 0.1)),
    "adagrad": (lambda: O.Adagrad(0.1),
                lambda p: T.Adagrad(p, lr=0.1, initial_accumulator_value=0.1, eps=1e-7), None),
    "rmsprop": (lambda: O.RMSprop(0.001), lambda p: T.RMSprop(p, lr=0.001, alpha=0.9, eps=1e-7),
                None),
    "rmsprop_momentum": (lambda: O.RMSprop(0.0005, momentum=0.5),
                         lambda p: T.RMSprop(p, lr=0.0005, alpha=0.9, eps=1e-7, momentum=0.5),
                         None),
    "rmsprop_centered_momentum": (
        lambda: O.RMSprop(0.0005, rho=0.95, momentum=0.5, centered=True, epsilon=1e-6),
        lambda p: T.RMSprop(p, lr=0.0005, alpha=0.95, eps=1e-6, momentum=0.5, centered=True),
        None),
    "adadelta": (lambda: O.Adadelta(1.0, rho=0.9, epsilon=1e-6),
                 lambda p: T.Adadelta(p, lr=1.0, rho=0.9, eps=1e-6), None),
    "adadelta_weight_decay": (lambda: O.Adadelta(1.0, rho=0.9, epsilon=1e-6, weight_decay=0.05),
                              lambda p: T.Adadelta(p, lr=1.0, rho=0.9, eps=1e-6), (1.0, 0.05)),
    "adam": (lambda: O.Adam(0.01), lambda p: T.Adam(p, lr=0.01, eps=1e-7), None),
    "adam_amsgrad": (lambda: O.Adam(0.01, beta_1=0.8, beta_2=0.99, amsgrad=True),
                     lambda p: T.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-7, amsgrad=True),
                     None),
    "adam_weight_decay": (lambda: O.Adam(0.01, weight_decay=0.05),
                          lambda p: T.AdamW(p, lr=0.01, eps=1e-7, weight_decay=0.05), None),
    "adamw": (lambda: O.AdamW(0.01), lambda p: T.AdamW(p, lr=0.01, eps=1e-7, weight_decay=0.004),
              None),
    "adamw_amsgrad": (lambda: O.AdamW(0.01, weight_decay=0.1, amsgrad=True),
                      lambda p: T.AdamW(p, lr=0.01, eps=1e-7, weight_decay=0.1, amsgrad=True),
                      None),
    "adamax": (lambda: O.Adamax(0.01), lambda p: T.Adamax(p, lr=0.01, eps=1e-7), None),
    "nadam": (lambda: O.Nadam(0.01), lambda p: T.NAdam(p, lr=0.01, eps=1e-7), None),
    "nadam_weight_decay": (lambda: O.Nadam(0.01, weight_decay=0.05),
                           lambda p: T.NAdam(p, lr=0.01, eps=1e-7, weight_decay=0.05,
                                             decoupled_weight_decay=True), None),
}


@pytest.fixture
def torch_float64_default():
    # NAdam keeps its mu_product in torch's default dtype; float64 for a float64 oracle.
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


@pytest.mark.parametrize("case", sorted(CASES))
def test_trajectory_matches_torch_float64(case, torch_float64_default):
    make_ours, make_torch, decay = CASES[case]
    opt = make_ours()
    ours = nncore_run(opt)
    ref = torch_run(make_torch, decay=decay)
    assert opt.iterations == STEPS
    moved = np.abs(ref[0] - W0).max()
    assert moved > 1e-3, "the problem should move the parameters"
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a.numpy(), b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", ["adam", "rmsprop_centered_momentum", "sgd_nesterov"])
def test_trajectory_matches_torch_float32(case):
    make_ours, make_torch, decay = CASES[case]
    ours = nncore_run(make_ours(), dtype=np.float32)
    ref = torch_run(make_torch, dtype=torch.float32, decay=decay)
    assert ours[0].dtype == nncore.float32
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a.numpy(), b, rtol=1e-4, atol=1e-5)


def test_apply_gradients_equals_step_and_counts_iterations():
    a, b = O.Adam(0.01), O.Adam(0.01)
    pa = [nncore.tensor(W0, requires_grad=True)]
    pb = [nncore.tensor(W0, requires_grad=True)]
    for i in range(3):
        g = nncore.tensor(np.full(W0.shape, 0.1 * (i + 1)))
        assert a.apply_gradients(zip([g], pa)) == i + 1
        pb[0].grad = g
        b.step(pb)
    np.testing.assert_array_equal(pa[0].numpy(), pb[0].numpy())
    b.zero_grad(pb)
    assert pb[0].grad is None
    b.step(pb)  # no gradients: nothing happens (like torch)
    assert b.iterations == 3
    with pytest.raises(ValueError, match="no gradients"):
        a.apply_gradients([(None, pa[0])])


@pytest.mark.parametrize("make", [
    lambda: O.Nadam(0.01), lambda: O.Adam(0.01, amsgrad=True),
    lambda: O.RMSprop(0.01, momentum=0.5, centered=True), lambda: O.SGD(0.02, momentum=0.9),
    lambda: O.Adagrad(0.1), lambda: O.Adadelta(1.0), lambda: O.Adamax(0.01)])
def test_state_round_trip_continues_bitwise(make):
    opt = make()
    params = nncore_run(opt, steps=10)
    saved = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in opt.get_state().items()}
    assert saved["iterations"] == 10
    assert all(isinstance(v, (int, np.ndarray)) for v in saved.values())
    checkpoint = [p.numpy().copy() for p in params]
    expected = nncore_run(opt, steps=10, params=params)

    fresh = make()
    fresh.set_state(saved)  # before the parameters are seen: applied when they are
    restored = [nncore.tensor(c, requires_grad=True) for c in checkpoint]
    got = nncore_run(fresh, steps=10, params=restored)
    assert fresh.iterations == 20
    for e, g in zip(expected, got):
        np.testing.assert_array_equal(e.numpy(), g.numpy())
    for k, v in opt.get_state().items():
        np.testing.assert_array_equal(v, fresh.get_state()[k])


def test_set_state_rejects_mismatched_state():
    opt = O.Adam()
    p = nncore.tensor(W0, requires_grad=True)
    with pytest.raises(ValueError, match="unexpected entry"):
        opt.set_state({"iterations": 1, "0/moment": np.zeros(3)}, params=[p])
    with pytest.raises(ValueError, match="state is float64"):
        opt.set_state({"iterations": 1, "0/momentum": np.zeros(3),
                       "0/velocity": np.zeros(3)}, params=[p])


def test_config_is_json_and_round_trips():
    sched = nncore.schedules.CosineDecay(0.1, 50, alpha=0.1, warmup_target=0.2, warmup_steps=5)
    for opt in [O.Adam(learning_rate=sched, amsgrad=True, clipnorm=1.0),
                O.SGD(0.1, momentum=0.9, nesterov=True, weight_decay=1e-4),
                O.AdamW(), O.Nadam(global_clipnorm=2.0), O.RMSprop(centered=True)]:
        config = json.loads(json.dumps(opt.get_config()))
        again = type(opt).from_config(config)
        assert again.get_config() == opt.get_config()
    assert O.Adam().get_config()["epsilon"] == 1e-7  # Keras defaults
    assert O.AdamW().get_config()["weight_decay"] == 0.004
    assert O.SGD().get_config()["learning_rate"] == 0.01
    with pytest.raises(NotImplementedError, match="use_ema"):
        O.Adam(use_ema=True)


def test_schedule_drives_the_learning_rate_like_torch_steplr():
    sched = nncore.schedules.StepDecay(0.1, step_size=7, gamma=0.5)
    opt = O.SGD(learning_rate=sched)
    assert opt.learning_rate == 0.1
    ours = nncore_run(opt, steps=30)
    assert opt.learning_rate == sched(30) == 0.1 * 0.5 ** 4
    w = torch.tensor(W0, requires_grad=True)
    b = torch.tensor(B0, requires_grad=True)
    topt = torch.optim.SGD([w, b], lr=0.1)
    lr_sched = torch.optim.lr_scheduler.StepLR(topt, step_size=7, gamma=0.5)
    x, y = torch.tensor(X), torch.tensor(Y)
    for _ in range(30):
        topt.zero_grad()
        ((x @ w + b - y) ** 2).mean().backward()
        topt.step()
        lr_sched.step()
    np.testing.assert_allclose(ours[0].numpy(), w.detach().numpy(), rtol=1e-10, atol=1e-12)
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        opt.learning_rate = 0.5
    plain = O.SGD(0.1)
    plain.learning_rate = 0.5
    assert plain.learning_rate == 0.5


def _apply_once(opt, grads):
    """Parameters start at zero and lr is 1: each parameter ends at -clipped gradient."""
    params = [nncore.zeros(len(g), dtype=nncore.float64, requires_grad=True) for g in grads]
    opt.apply_gradients(zip([nncore.tensor(np.array(g)) for g in grads], params))
    return [-p.numpy() for p in params]


def test_clipping_follows_keras():
    big, small = [3.0, 4.0], [0.3, 0.4]  # norms 5 and 0.5
    got = _apply_once(O.SGD(1.0, clipnorm=1.0), [big, small])
    np.testing.assert_allclose(got[0], [0.6, 0.8], rtol=1e-15)
    np.testing.assert_array_equal(got[1], small)  # under the threshold: untouched
    got = _apply_once(O.SGD(1.0, global_clipnorm=1.0), [big, small])
    scale = 1.0 / np.sqrt(25.25)
    np.testing.assert_allclose(got[0], np.array(big) * scale, rtol=1e-15)
    np.testing.assert_allclose(got[1], np.array(small) * scale, rtol=1e-15)
    got = _apply_once(O.SGD(1.0, global_clipnorm=10.0), [big, small])
    np.testing.assert_array_equal(got[0], big)
    got = _apply_once(O.SGD(1.0, clipvalue=0.35), [big, small])
    np.testing.assert_array_equal(got[0], [0.35, 0.35])
    np.testing.assert_array_equal(got[1], [0.3, 0.35])
    with pytest.raises(ValueError, match="Only one of"):
        O.Adam(clipnorm=1.0, clipvalue=1.0)


def test_mismatched_gradients_raise_and_leave_parameters_alone():
    p = nncore.tensor(W0, requires_grad=True)
    q = nncore.tensor(B0, requires_grad=True)
    opt = O.Adam()
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(5, 3\)"):
        opt.apply_gradients([(nncore.tensor(B0), q), (nncore.tensor(B0), p)])
    with pytest.raises(TypeError, match="float32.*float64"):
        opt.apply_gradients([(nncore.tensor(W0.astype(np.float32)), p)])
    np.testing.assert_array_equal(q.numpy(), B0)
    assert opt.iterations == 0
    with pytest.raises(TypeError, match="nncore.Tensor"):
        opt.apply_gradients([(np.ones(3), np.ones(3))])


def test_kernels_check_their_arguments():
    p, g = nncore.tensor(W0), nncore.tensor(W0)
    m, v = nncore.zeros_like(p), nncore.zeros_like(p)
    adam = nncore._core._adam_update
    with pytest.raises(ValueError, match=r"adam_update: v has shape \(3,\).*\(5, 3\)"):
        adam(p, g, m, nncore.zeros(3, dtype=nncore.float64), None, 0.1, 0.9, 0.999, 1e-7,
             0.0, 1, False)
    with pytest.raises(TypeError, match="adam_update: m is a float32"):
        adam(p, g, nncore.zeros_like(p, dtype=nncore.float32), v, None, 0.1, 0.9, 0.999,
             1e-7, 0.0, 1, False)
    with pytest.raises(ValueError, match="adam_update: vmax is undefined"):
        adam(p, g, m, v, None, 0.1, 0.9, 0.999, 1e-7, 0.0, 1, True)
    with pytest.raises(ValueError, match="contiguous"):
        adam(p.T, g.T, m.T, v.T, None, 0.1, 0.9, 0.999, 1e-7, 0.0, 1, False)
    with pytest.raises(ValueError, match="step must be >= 1"):
        adam(p, g, m, v, None, 0.1, 0.9, 0.999, 1e-7, 0.0, 0, False)
    with pytest.raises(TypeError, match="sgd_update: parameters must be float32 or float64"):
        nncore._core._sgd_update(nncore.zeros(3, dtype=nncore.int64),
                                 nncore.zeros(3, dtype=nncore.int64), None, 0.1, 0.0, False, 0.0)


def test_update_is_seen_by_autograd_as_in_place_write():
    w = nncore.tensor([1.0, 2.0], dtype=nncore.float64, requires_grad=True)
    y = (w * w).sum()  # saves w for backward
    w.grad = nncore.tensor([1.0, 1.0], dtype=nncore.float64)
    O.SGD(0.1).step([w])
    with pytest.raises(ValueError, match="modified by an in-place operation"):
        y.backward()


@pytest.mark.parametrize("make", [lambda: O.Adam(1e-3, amsgrad=True, weight_decay=0.01),
                                  lambda: O.RMSprop(1e-3, momentum=0.9, centered=True),
                                  lambda: O.Nadam(1e-3)])
def test_one_and_two_threads_give_identical_bits(make):
    rng = np.random.default_rng(1)
    init = rng.standard_normal(300_001).astype(np.float32)
    grads = [rng.standard_normal(init.size).astype(np.float32) for _ in range(3)]
    results = []
    old = nncore.get_num_threads()
    try:
        for threads in (1, 2):
            nncore.set_num_threads(threads)
            p = nncore.tensor(init, requires_grad=True)
            opt = make()
            for g in grads:
                opt.apply_gradients([(nncore.tensor(g), p)])
            results.append(p.numpy().copy())
    finally:
        nncore.set_num_threads(old)
    np.testing.assert_array_equal(results[0], results[1])
    assert not np.array_equal(results[0], init)


@pytest.mark.parametrize("name", ["adam", "rmsprop", "sgd"])
def test_tiny_gradients_leave_no_subnormal_state(name):
    """Squared tiny gradients underflow and moments decay where gradients stay zero; the
    update kernels flush such subnormal values to zero (on x86 every arithmetic operation
    on them costs a microcode assist, which made whole Adam steps 8x slower). The
    parameters still follow PyTorch's update."""
    rng = np.random.default_rng(0)
    start = rng.standard_normal(4096).astype(np.float32)
    grads = [(rng.standard_normal(4096) * 10.0 ** rng.uniform(-44, -19, 4096)).astype(np.float32)
             for _ in range(5)] + [np.zeros(4096, np.float32)] * 20
    p = nncore.tensor(start.copy(), requires_grad=True)
    opt = {"adam": lambda: O.Adam(1e-3), "rmsprop": lambda: O.RMSprop(1e-3),
           "sgd": lambda: O.SGD(1e-3, momentum=0.9)}[name]()
    tp = torch.tensor(start.copy(), requires_grad=True)
    topt = {"adam": lambda: torch.optim.Adam([tp], lr=1e-3, eps=1e-7),
            "rmsprop": lambda: torch.optim.RMSprop([tp], lr=1e-3, alpha=0.9, eps=1e-7),
            "sgd": lambda: torch.optim.SGD([tp], lr=1e-3, momentum=0.9)}[name]()
    for g in grads:
        opt.apply_gradients([(nncore.tensor(g), p)])
        tp.grad = torch.tensor(g)
        topt.step()
    tiny = np.finfo(np.float32).tiny
    for key, value in opt.get_state().items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            assert not np.any((value != 0) & (np.abs(value) < tiny)), key
    np.testing.assert_allclose(p.numpy(), tp.detach().numpy(), rtol=1e-5, atol=1e-6)
