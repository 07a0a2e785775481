"""check_plugin passes on every built-in loss and catches broken components."""
import pytest

import nncore
from nncore import registry
from nncore.testing import check_plugin

LOSSES = registry.list("losses")
# Where each activation's derivative jumps: gradcheck keeps its inputs away from these.
KINKS = {"relu6": (0.0, 6.0), "hard_sigmoid": (-3.0, 3.0), "hardsigmoid": (-3.0, 3.0)}


@pytest.mark.parametrize("name", registry.list("activations"))
def test_every_builtin_activation_passes_check_plugin(name):
    assert check_plugin("activations", name, avoid=KINKS.get(name, (0.0,)), max_examples=5)


@pytest.mark.parametrize("name", LOSSES)
def test_every_builtin_loss_passes_check_plugin(name):
    assert check_plugin("losses", name, max_examples=5)


@pytest.mark.parametrize("group", ["initializers", "regularizers", "metrics", "optimizers"])
def test_every_builtin_component_passes_check_plugin(group):
    for name in registry.list(group):
        assert check_plugin(group, name, max_examples=3), name


SCHEDULE_ARGS = {
    "ExponentialDecay": dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.9),
    "PiecewiseConstantDecay": dict(boundaries=[10, 50], values=[0.1, 0.01, 0.001]),
    "CosineDecay": dict(initial_learning_rate=0.1, decay_steps=100),
    "InverseTimeDecay": dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=0.5),
    "StepDecay": dict(initial_learning_rate=0.1, step_size=30, gamma=0.5),
}


@pytest.mark.parametrize("name", registry.list("schedules"))
def test_every_builtin_schedule_passes_check_plugin(name):
    assert check_plugin("schedules", name, kwargs=SCHEDULE_ARGS[name])


def test_check_plugin_catches_a_wrong_gradient_and_a_wrong_shape():
    class WrongGrad(nncore.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, grad):
            return grad  # should be 2 x grad

    @registry.register("activations", "wrong_grad_for_test")
    def wrong_grad(x):
        return WrongGrad.apply(x)

    @registry.register("activations", "wrong_shape_for_test")
    def wrong_shape(x):
        return x.sum()

    try:
        with pytest.raises(AssertionError, match="analytic"):
            check_plugin("activations", "wrong_grad_for_test", max_examples=5)
        with pytest.raises(AssertionError, match="output shape"):
            check_plugin("activations", "wrong_shape_for_test", max_examples=5)
    finally:
        registry._registered["activations"].pop("wrong_grad_for_test", None)
        registry._registered["activations"].pop("wrong_shape_for_test", None)
