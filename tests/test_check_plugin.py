"""check_plugin passes on every built-in component and catches broken ones."""
import os

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


# Constructor arguments and inputs for the built-in layers that need them: layers called on
# a list get a list of shapes, Embedding integer ids below its input_dim. Others are built
# with their defaults on a (3, 4) input.
PAIR = [(3, 4), (3, 4)]
LAYER_CASES = {
    "Dense": dict(kwargs=dict(units=3)),
    "Activation": dict(kwargs=dict(activation="tanh")),
    "Flatten": dict(input_shape=(2, 3, 2, 2)),
    "Reshape": dict(kwargs=dict(target_shape=(2, -1))),
    "Permute": dict(kwargs=dict(dims=(2, 1)), input_shape=(2, 3, 4)),
    "Dropout": dict(kwargs=dict(rate=0.5)),
    "BatchNormalization": dict(input_shape=(2, 2, 2, 3)),
    "LayerNormalization": dict(input_shape=(2, 3, 4)),
    "Embedding": dict(kwargs=dict(input_dim=5, output_dim=3), input_dtype="int64",
                      input_range=(0, 5)),
    "Rescaling": dict(kwargs=dict(scale=0.5, offset=1.0)),
    "Add": dict(input_shape=PAIR), "Subtract": dict(input_shape=PAIR),
    "Multiply": dict(input_shape=PAIR), "Average": dict(input_shape=PAIR),
    "Concatenate": dict(input_shape=[(3, 4), (3, 2)]),
    "Conv1D": dict(kwargs=dict(filters=2, kernel_size=2), input_shape=(2, 5, 3)),
    "Conv2D": dict(kwargs=dict(filters=2, kernel_size=2, padding="same"),
                   input_shape=(2, 4, 3, 2)),
    "Conv2DTranspose": dict(kwargs=dict(filters=2, kernel_size=2, strides=2),
                            input_shape=(2, 3, 2, 2)),
    "DepthwiseConv2D": dict(kwargs=dict(kernel_size=2, depth_multiplier=2),
                            input_shape=(2, 4, 3, 2)),
    "SeparableConv2D": dict(kwargs=dict(filters=3, kernel_size=2), input_shape=(2, 4, 3, 2)),
    "MaxPooling1D": dict(input_shape=(2, 6, 3), distinct_inputs=True),
    "AveragePooling1D": dict(input_shape=(2, 6, 3)),
    "MaxPooling2D": dict(input_shape=(2, 4, 4, 3), distinct_inputs=True),
    "AveragePooling2D": dict(kwargs=dict(padding="same"), input_shape=(2, 5, 3, 2)),
    "GlobalMaxPooling2D": dict(input_shape=(2, 3, 3, 2), distinct_inputs=True),
    "GlobalAveragePooling2D": dict(input_shape=(2, 3, 3, 2)),
    "ZeroPadding2D": dict(input_shape=(2, 3, 3, 2)), "UpSampling2D": dict(input_shape=(2, 2, 3, 2)),
    "SpatialDropout2D": dict(kwargs=dict(rate=0.5), input_shape=(2, 3, 3, 2)),
    "SimpleRNN": dict(kwargs=dict(units=3, return_sequences=True), input_shape=(2, 3, 4)),
    "LSTM": dict(kwargs=dict(units=3), input_shape=(2, 3, 4)),
    "GRU": dict(kwargs=dict(units=3, go_backwards=True), input_shape=(2, 3, 4)),
    "Bidirectional": dict(kwargs=dict(layer=nncore.layers.LSTM(2, return_sequences=True)),
                          input_shape=(2, 3, 4)),
    "Masking": dict(input_shape=(2, 3, 4)),
}
# Recurrent cells return (output, new_states), which check_plugin does not model; they are
# checked in tests/test_rnn_layers.py.
CELLS = ("SimpleRNNCell", "LSTMCell", "GRUCell")
BUILTIN_LAYERS = [n for n in registry.list("layers")
                  if registry.source("layers", n) == "nncore" and n not in CELLS]


@pytest.mark.parametrize("name", BUILTIN_LAYERS)
def test_every_builtin_layer_passes_check_plugin(name):
    assert check_plugin("layers", name, max_examples=5, **LAYER_CASES.get(name, {}))


@pytest.fixture
def registered_layers():
    """A decorator registering test layers under their class names, forgotten afterwards."""
    names = []

    def register(cls):
        names.append(cls.__name__)
        return registry.register("layers", cls.__name__)(cls)

    yield register
    for name in names:
        registry._registered["layers"].pop(name, None)


def test_check_plugin_catches_a_wrong_weight_gradient(registered_layers):
    class WrongScaleGrad(nncore.autograd.Function):
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(x)
            return x * w

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad, (grad * x).sum(0) * 2.0  # both wrong: grad * w and (grad * x).sum(0)

    @registered_layers
    class WronglyScaled(nncore.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", (input_shape[-1],), "ones")

        def call(self, inputs):
            return WrongScaleGrad.apply(inputs, self.w)

    with pytest.raises(AssertionError, match="analytic"):
        check_plugin("layers", "WronglyScaled", max_examples=3)


def test_check_plugin_catches_a_config_that_misses_an_argument(registered_layers):
    @registered_layers
    class Scaled(nncore.layers.Layer):
        def __init__(self, scale=1.0, **kwargs):
            super().__init__(**kwargs)
            self.scale = scale  # not in get_config: a loaded model would compute otherwise

        def call(self, inputs):
            return inputs * self.scale

    with pytest.raises(AssertionError, match="rebuilt from its config"):
        check_plugin("layers", "Scaled", kwargs=dict(scale=2.0), max_examples=3)


def test_check_plugin_catches_a_wrong_output_shape_and_a_foreign_registry_name(
        registered_layers):
    @registered_layers
    class SumsFeatures(nncore.layers.Layer):
        def call(self, inputs):
            return inputs.sum(-1)

        def compute_output_shape(self, input_shape):
            return input_shape  # wrong: the last axis is summed away

    with pytest.raises(AssertionError, match="compute_output_shape gives"):
        check_plugin("layers", "SumsFeatures", max_examples=3)

    class Identity(nncore.layers.Layer):
        def call(self, inputs):
            return inputs

    registry.register("layers", "identity_for_test")(Identity)
    try:  # saved models look layers up by class name, which this one is not found under
        with pytest.raises(AssertionError, match="cannot be loaded"):
            check_plugin("layers", "identity_for_test", max_examples=3)
    finally:
        registry._registered["layers"].pop("identity_for_test", None)


def test_check_plugin_refuses_layer_arguments_for_other_groups():
    with pytest.raises(TypeError, match="for layers"):
        check_plugin("activations", "relu", input_shape=(2, 3))


@pytest.mark.parametrize("name", registry.list("callbacks"))
def test_every_builtin_callback_passes_check_plugin(name, tmp_path):
    callback_args = {
        "csv_logger": dict(filename=os.fspath(tmp_path / "log.csv")),
        "model_checkpoint": dict(filepath=os.fspath(tmp_path / "checkpoint.nnc")),
        "learning_rate_scheduler": dict(schedule=lambda epoch, lr: lr * 0.5),
    }
    assert check_plugin("callbacks", name, kwargs=callback_args.get(name))
    if name in ("csv_logger", "model_checkpoint"):  # the short fit really ran it
        assert len(list(tmp_path.iterdir())) == 1


def test_check_plugin_catches_a_callback_without_hooks():
    class NotACallback:
        def on_epoch_end(self, epoch, logs=None):
            pass

    registry.register("callbacks", "not_a_callback_for_test")(NotACallback)
    try:
        with pytest.raises(AssertionError, match="missing the hook"):
            check_plugin("callbacks", "not_a_callback_for_test")
    finally:
        registry._registered["callbacks"].pop("not_a_callback_for_test", None)
