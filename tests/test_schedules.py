"""Learning-rate schedules: Keras 3's formulas, torch.optim.lr_scheduler where one exists,
serialization."""
import json
import math

import numpy as np
import pytest
import torch

from nncore import schedules as S


def torch_lrs(make_scheduler, lr, steps):
    """The learning rate torch uses at steps 0..steps-1 (one scheduler.step() per step)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = make_scheduler(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(out)


def ours(schedule, steps):
    return np.array([schedule(s) for s in range(steps)])


L = torch.optim.lr_scheduler


@pytest.mark.parametrize("schedule, make", [
    (S.ExponentialDecay(0.1, 1, 0.9), lambda o: L.ExponentialLR(o, gamma=0.9)),
    (S.ExponentialDecay(0.1, 7, 0.5, staircase=True), lambda o: L.StepLR(o, 7, gamma=0.5)),
    (S.StepDecay(0.1, 7, gamma=0.5), lambda o: L.StepLR(o, 7, gamma=0.5)),
    (S.PiecewiseConstantDecay([5, 12], [0.1, 0.1 * 0.3, 0.1 * 0.3 ** 2]),
     lambda o: L.MultiStepLR(o, [6, 13], gamma=0.3)),
    (S.CosineDecay(0.1, 30, alpha=0.1), lambda o: L.CosineAnnealingLR(o, 30, eta_min=0.01)),
])
def test_schedules_match_torch_lr_schedulers(schedule, make):
    np.testing.assert_allclose(ours(schedule, 31), torch_lrs(make, 0.1, 31), rtol=1e-10)


def test_formulas():
    s = S.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert s(0) == 0.1 and math.isclose(s(15), 0.1 * 0.5 ** 1.5)
    s = S.InverseTimeDecay(0.1, decay_steps=4, decay_rate=0.5)
    assert math.isclose(s(6), 0.1 / (1 + 0.5 * 1.5))
    s = S.InverseTimeDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=True)
    assert math.isclose(s(6), 0.1 / 1.5)
    s = S.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [s(t) for t in (0, 10, 11, 20, 21, 1000)] == [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]
    s = S.StepDecay(0.1, step_size=3, gamma=0.1)
    assert [s(t) for t in (0, 2, 3)] == [0.1, 0.1, 0.1 * 0.1]
    s = S.CosineDecay(0.1, decay_steps=10, alpha=0.2)
    assert s(0) == 0.1 and math.isclose(s(5), 0.1 * (0.8 * 0.5 + 0.2))
    assert math.isclose(s(10), 0.02) and math.isclose(s(100), 0.02)  # held after the end
    s = S.CosineDecay(0.0, decay_steps=10, warmup_target=0.1, warmup_steps=5)
    assert s(0) == 0.0 and math.isclose(s(2), 0.04) and math.isclose(s(5), 0.1)
    assert math.isclose(s(10), 0.05) and math.isclose(s(15), 0.0, abs_tol=1e-18)


def test_bad_arguments():
    with pytest.raises(ValueError, match="one more element"):
        S.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="increasing"):
        S.PiecewiseConstantDecay([5, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="decay_steps"):
        S.ExponentialDecay(0.1, 0, 0.5)


@pytest.mark.parametrize("schedule", [
    S.ExponentialDecay(0.1, 10, 0.5, staircase=True), S.PiecewiseConstantDecay([3], [1.0, 0.5]),
    S.CosineDecay(0.1, 10, alpha=0.1, warmup_target=0.2, warmup_steps=3),
    S.InverseTimeDecay(0.1, 5, 0.5), S.StepDecay(0.1, 4, 0.5)])
def test_serialization_round_trip(schedule):
    config = json.loads(json.dumps(S.serialize(schedule)))
    again = S.deserialize(config)
    assert type(again) is type(schedule) and again.get_config() == schedule.get_config()
    assert [again(t) for t in range(20)] == [schedule(t) for t in range(20)]
    with pytest.raises(ValueError, match="unknown learning-rate schedule"):
        S.deserialize({"class_name": "Nope", "config": {}})
