"""The ParametricSquareplus layer as users meet it: found by name, values and both
gradients (computed by the C++ kernels) equal to NumPy's, trains inside a Sequential model,
and a saved model loads in a fresh process that never imports this package itself,
computing the same predictions bit for bit.

Run after installing the distribution (pip install --no-build-isolation): the compiled
modules exist only in the installed package.
"""
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import nncore
from nncore import registry
from nncore.testing import check_plugin, gradcheck


def parametric_squareplus_layer(**kwargs):
    return registry.get("layers", "ParametricSquareplus")(**kwargs)


def reference(x, b):
    """y, dy/dx and dy/db in float64, in forms without cancellation for x < 0."""
    x, b = np.float64(x), np.float64(b)
    s = np.sqrt(x * x + b)
    y = np.where(x >= 0, (x + s) / 2, b / (2 * (s - x)))
    return y, y / s, 1 / (4 * s)


def softplus_inverse(b):
    return b + np.log(-np.expm1(-b))


def test_found_by_name_and_attributed_to_this_distribution():
    assert "ParametricSquareplus" in registry.list("layers")
    assert registry.source("layers", "ParametricSquareplus") == "nncore-example-native"
    assert isinstance(parametric_squareplus_layer(), nncore.layers.Layer)


@pytest.mark.parametrize("dtype, rtol", [("float32", 2e-6), ("float64", 1e-13)])
def test_values_and_gradients_match_numpy(dtype, rtol):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(size=(6, 3)) * 3, [[-1e4, 0.0, 1e4]]]).astype(dtype)
    b = np.array([0.25, 1.0, 4.0])
    layer = parametric_squareplus_layer(dtype=dtype)
    layer(nncore.tensor(x))
    layer.set_weights([softplus_inverse(b)])
    np.testing.assert_allclose(layer.b.numpy(), b, rtol=rtol)

    xt = nncore.tensor(x).requires_grad_()
    y = layer(xt)
    upstream = rng.normal(size=x.shape)
    y.backward(nncore.tensor(upstream.astype(dtype)))
    y_ref, dy_dx, dy_db = reference(x, b)
    np.testing.assert_allclose(y.detach().numpy(), y_ref, rtol=rtol)
    np.testing.assert_allclose(xt.grad.numpy(), upstream * dy_dx, rtol=rtol, atol=1e-30)
    # b_raw's gradient: the kernel's row sum of upstream * dy/db, times softplus' = sigmoid.
    sigmoid = 1 / (1 + np.exp(-softplus_inverse(b)))
    np.testing.assert_allclose(layer.b_raw.grad.numpy(),
                               (upstream * dy_db).sum(0) * sigmoid, rtol=10 * rtol)


def test_gradcheck_of_the_kernels_with_respect_to_x_and_b():
    parametric_squareplus = registry.get("layers", "ParametricSquareplus").__module__
    fn = sys.modules[parametric_squareplus].parametric_squareplus
    rng = np.random.default_rng(1)
    x = nncore.from_numpy((rng.normal(size=(4, 6)) * 3)[:, ::2]).requires_grad_()  # strided
    b = nncore.tensor(rng.uniform(0.1, 5.0, size=3)).requires_grad_()
    assert gradcheck(lambda x, b: fn(x, b) * 2.0, (x, b))


def test_b_trains_and_stays_positive():
    layer = parametric_squareplus_layer(initial_b=0.5)
    x = nncore.tensor(np.linspace(-3, 3, 12, dtype=np.float32).reshape(4, 3))
    layer(x)  # builds b_raw
    np.testing.assert_allclose(layer.b.numpy(), 0.5, rtol=1e-6)
    optimizer = nncore.optimizers.SGD(learning_rate=50.0)  # big steps push b towards 0
    for _ in range(20):
        layer.b_raw.grad = None
        layer(x).sum().backward()  # lowering the sum lowers b
        optimizer.apply_gradients([(layer.b_raw.grad, layer.b_raw)])
    b = layer.b.numpy()
    assert (b > 0).all() and (b < 0.5).all(), b


def test_bad_inputs_are_refused_with_the_ops_name():
    layer = parametric_squareplus_layer()
    layer(nncore.zeros(2, 3))
    with pytest.raises(ValueError, match="parametric_squareplus: b must be 1-d with one value"):
        layer(nncore.zeros(2, 4))
    # The layer casts float64 inputs to its float32 dtype, as Keras does; the op itself
    # refuses mixed dtypes.
    assert layer(nncore.zeros(2, 3, dtype=nncore.float64)).dtype == nncore.float32
    from nncore_example_native.parametric_squareplus import parametric_squareplus
    with pytest.raises(TypeError, match="parametric_squareplus: x and b must both be"):
        parametric_squareplus(nncore.zeros(2, 3, dtype=nncore.float64), layer.b)
    with pytest.raises(ValueError, match="initial_b must be positive"):
        parametric_squareplus_layer(initial_b=0.0)


@pytest.mark.parametrize("kwargs, input_shape", [({}, (3, 4)),
                                                 (dict(initial_b=0.25), (2, 3, 4)),
                                                 ({}, (2, 2, 2, 3))])  # images: b per channel
def test_check_plugin(kwargs, input_shape):
    assert check_plugin("layers", "ParametricSquareplus", kwargs=kwargs,
                        input_shape=input_shape)


def regression_problem():
    rng = np.random.default_rng(2)
    x = rng.uniform(-2, 2, size=(128, 2)).astype(np.float32)
    y = (np.abs(x[:, :1]) + 0.5 * x[:, 1:]).astype(np.float32)
    return x, y


def trained_model():
    nncore.manual_seed(0)
    model = nncore.Sequential([nncore.layers.Dense(8, input_shape=(2,)),
                               parametric_squareplus_layer(),
                               nncore.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x, y = regression_problem()
    history = model.fit(x, y, batch_size=16, epochs=30, verbose=0)
    return model, history.history["loss"]


def test_trains_inside_a_sequential_model():
    model, losses = trained_model()
    assert losses[-1] < 0.5 * losses[0], losses
    b = model.layers[1].b.numpy()
    assert not np.allclose(b, 4.0), "b was not trained"


# Loads the model in a process of its own: the layer class must come from the registry
# (by the name in the file), not from an import in the test.
LOAD_SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    import nncore
    model_path, x_path, out_path = sys.argv[1:]
    assert "nncore_example_native" not in sys.modules
    model = nncore.models.load_model(model_path)
    np.save(out_path, model.predict(np.load(x_path), verbose=0))
    print(json.dumps([[type(l).__module__, type(l).__name__] for l in model.layers]))
""")


def test_saved_model_loads_in_a_fresh_process_with_identical_predictions(tmp_path):
    model, _ = trained_model()
    x, _ = regression_problem()
    model.save(tmp_path / "model.nnc")
    np.save(tmp_path / "x.npy", x)
    done = subprocess.run([sys.executable, "-c", LOAD_SCRIPT, str(tmp_path / "model.nnc"),
                           str(tmp_path / "x.npy"), str(tmp_path / "out.npy")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    classes = json.loads(done.stdout.splitlines()[-1])
    assert [name for _, name in classes] == ["Dense", "ParametricSquareplus", "Dense"]
    assert classes[1][0] == "nncore_example_native.parametric_squareplus"
    loaded = np.load(tmp_path / "out.npy")
    assert np.array_equal(loaded, model.predict(x, verbose=0))  # bit for bit
