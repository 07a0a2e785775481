"""The ResidualDense layer as users meet it: found by name, right values, trains inside a
Sequential model, and a saved model loads in a fresh process that never imports this
package itself, computing the same predictions bit for bit.

Run after installing the distribution: the tests go through the registry, as users do.
"""
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import nncore
from nncore import registry
from nncore.testing import check_plugin


def residual_dense(**kwargs):
    return registry.get("layers", "ResidualDense")(**kwargs)


def test_found_by_name_and_attributed_to_this_distribution():
    assert "ResidualDense" in registry.list("layers")
    assert registry.source("layers", "ResidualDense") == "nncore-example-python"
    layer = residual_dense(units=3)
    assert isinstance(layer, nncore.layers.Layer)


@pytest.mark.parametrize("units", [4, 3])  # 4: identity shortcut; 3: projection
def test_values_match_numpy(units):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4))
    layer = residual_dense(units=units, activation="tanh", dtype="float64")
    layer(nncore.tensor(x))
    weights = [rng.normal(size=w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    kernel, bias, *projection = weights
    shortcut = x @ projection[0] if projection else x
    expected = np.tanh(x @ kernel + bias) + shortcut
    np.testing.assert_allclose(layer(nncore.tensor(x)).numpy(), expected, rtol=1e-12)


def test_weights_follow_the_input():
    same = residual_dense(units=4)
    same(nncore.zeros(2, 4))
    assert [w.shape for w in same.weights] == [(4, 4), (4,)]  # no projection needed
    wider = residual_dense(units=6, use_bias=False)
    assert wider.compute_output_shape((None, 5, 4)) == (None, 5, 6)
    wider(nncore.zeros(2, 5, 4))  # more than 2 dims: the last one is transformed
    assert [w.shape for w in wider.weights] == [(4, 6), (4, 6)]
    assert wider.count_params() == 48


def test_bad_arguments_are_refused_with_the_layers_name():
    with pytest.raises(ValueError, match="units must be a positive integer"):
        residual_dense(units=0)
    layer = residual_dense(units=3)
    layer(nncore.zeros(2, 4))
    with pytest.raises(ValueError, match="expects inputs with 4 features"):
        layer(nncore.zeros(2, 5))


@pytest.mark.parametrize("kwargs, input_shape", [(dict(units=3), (3, 4)),
                                                 (dict(units=4), (3, 4)),
                                                 (dict(units=2, activation="tanh"), (2, 3, 4))])
def test_check_plugin(kwargs, input_shape):
    assert check_plugin("layers", "ResidualDense", kwargs=kwargs, input_shape=input_shape)


def regression_problem():
    rng = np.random.default_rng(1)
    x = rng.uniform(-2, 2, size=(128, 3)).astype(np.float32)
    y = (np.sin(x[:, :1]) + x[:, 1:2] * x[:, 2:3]).astype(np.float32)
    return x, y


def trained_model():
    nncore.manual_seed(0)
    model = nncore.Sequential([residual_dense(units=8, input_shape=(3,)),
                               residual_dense(units=8),
                               nncore.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x, y = regression_problem()
    history = model.fit(x, y, batch_size=16, epochs=20, verbose=0)
    return model, history.history["loss"]


def test_trains_inside_a_sequential_model():
    model, losses = trained_model()
    assert losses[-1] < 0.5 * losses[0], losses


# Loads the model in a process of its own: the layer class must come from the registry
# (by the name in the file), not from an import in the test.
LOAD_SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    import nncore
    model_path, x_path, out_path = sys.argv[1:]
    assert "nncore_example_python" not in sys.modules
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
    assert [name for _, name in classes] == ["ResidualDense", "ResidualDense", "Dense"]
    assert {module for module, _ in classes[:2]} == {"nncore_example_python.layers"}
    loaded = np.load(tmp_path / "out.npy")
    assert np.array_equal(loaded, model.predict(x, verbose=0))  # bit for bit
