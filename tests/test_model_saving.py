"""model.save / load_model / save_weights / load_weights, checkpoints and resuming."""
import os
import subprocess
import sys

import numpy as np
import pytest

import nncore
from nncore import Model, Sequential, callbacks, layers, optimizers
from nncore.models import load_model
from nncore.saving import ModelFileError


def data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(np.int64)
    return x, y


def model_with_everything():
    model = Sequential([
        layers.Dense(16, input_shape=(6,), kernel_regularizer="l2"),
        layers.BatchNormalization(),
        layers.PReLU(),
        layers.Dropout(0.1),
        layers.LayerNormalization(),
        layers.Dense(2, activation="softmax"),
    ])
    model.compile(optimizer=optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def test_a_saved_model_predicts_bitwise_identically(tmp_path):
    x, y = data()
    model = model_with_everything()
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "model.nncore"
    model.save(path)
    loaded = load_model(path)
    assert type(loaded) is Sequential
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert loaded.optimizer.iterations == model.optimizer.iterations
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


def test_loading_in_a_fresh_process_gives_the_same_predictions(tmp_path):
    x, y = data()
    model = model_with_everything()
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "model.nncore"
    model.save(path)
    np.save(tmp_path / "x.npy", x)
    script = ("import sys, numpy as np; from nncore.models import load_model; "
              "m = load_model(sys.argv[1]); "
              "np.save(sys.argv[3], m.predict(np.load(sys.argv[2]), verbose=0))")
    # Run away from the source tree, so the child imports the installed nncore.
    subprocess.run([sys.executable, "-c", script, str(path), str(tmp_path / "x.npy"),
                    str(tmp_path / "out.npy")], check=True, cwd=tmp_path)
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), model.predict(x, verbose=0))


def test_a_functional_model_round_trips(tmp_path):
    a = layers.Input(shape=(6,))
    h = layers.Dense(8, activation="tanh")(a)
    out = layers.Dense(1)(layers.Concatenate()([h, layers.Dense(3)(a)]))
    model = Model(a, out)
    model.compile(optimizer="sgd", loss="mse")
    x, y = data()
    model.fit(x, y.astype(np.float32), epochs=1, verbose=0)
    model.save(tmp_path / "f.nncore")
    loaded = load_model(tmp_path / "f.nncore")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_resuming_from_a_checkpoint_equals_an_uninterrupted_run(tmp_path):
    x, y = data()
    nncore.manual_seed(5)
    model = Sequential([layers.Dense(12, activation="relu", input_shape=(6,)),
                        layers.Dense(2, activation="softmax")])
    model.compile(optimizer=optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    start = model.get_weights()

    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "epoch{epoch}.nncore"))
    model.fit(x, y, epochs=4, batch_size=32, verbose=0, callbacks=[checkpoint])
    uninterrupted = model.get_weights()

    resumed = load_model(tmp_path / "epoch2.nncore")
    resumed.fit(x, y, epochs=4, initial_epoch=2, batch_size=32, verbose=0)
    for a, b in zip(resumed.get_weights(), uninterrupted):
        np.testing.assert_array_equal(a, b)
    assert not any(np.array_equal(a, b) for a, b in zip(start, uninterrupted))


def test_save_weights_and_load_weights(tmp_path):
    x, y = data()
    model = model_with_everything()
    model.fit(x, y, epochs=1, verbose=0)
    model.save_weights(tmp_path / "w.weights")
    other = model_with_everything()
    other.load_weights(tmp_path / "w.weights")
    np.testing.assert_array_equal(other.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ModelFileError, match="load_weights"):
        load_model(tmp_path / "w.weights")
    small = Sequential([layers.Dense(3, input_shape=(6,))])
    with pytest.raises(ValueError, match="weights"):
        small.load_weights(tmp_path / "w.weights")


def test_bad_files_give_clear_errors(tmp_path):
    model = model_with_everything()
    path = tmp_path / "m.nncore"
    model.save(path)
    blob = path.read_bytes()
    (tmp_path / "cut.nncore").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ModelFileError, match="truncated"):
        load_model(tmp_path / "cut.nncore")
    (tmp_path / "foreign.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    with pytest.raises(ModelFileError, match="not an nncore model file"):
        load_model(tmp_path / "foreign.h5")
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.nncore")


def test_a_crash_while_saving_keeps_the_previous_file(tmp_path, monkeypatch):
    x, y = data()
    model = model_with_everything()
    path = tmp_path / "m.nncore"
    model.save(path)
    before = path.read_bytes()
    model.fit(x, y, epochs=1, verbose=0)

    def crash(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.nncore"]


def test_checkpoint_save_best_only_keeps_the_best(tmp_path):
    x, y = data()
    model = model_with_everything()
    best = tmp_path / "best.nncore"
    model.fit(x, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[
        callbacks.ModelCheckpoint(str(best), monitor="val_loss", save_best_only=True)])
    assert best.exists()
    assert load_model(best).predict(x[:3], verbose=0).shape == (3, 2)


def test_a_subclassed_model_saves_weights_but_not_architecture(tmp_path):
    class Net(Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    net = Net()
    net(np.zeros((1, 3), np.float32))
    with pytest.raises(NotImplementedError, match="save_weights"):
        net.save(tmp_path / "net.nncore")
    net.save_weights(tmp_path / "net.weights")
    other = Net()
    other(np.zeros((1, 3), np.float32))
    other.load_weights(tmp_path / "net.weights")
    np.testing.assert_array_equal(other.get_weights()[0], net.get_weights()[0])


def test_objects_in_configs_and_compile_survive_two_round_trips(tmp_path):
    from nncore import initializers, metrics, regularizers
    x, y = data()
    model = Sequential([layers.Dense(4, input_shape=(6,), kernel_regularizer=regularizers.L2(0.01),
                                     kernel_initializer=initializers.RandomNormal(stddev=0.1)),
                        layers.Dense(2)])
    model.compile(optimizer=optimizers.Adam(0.003),
                  loss=nncore.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[metrics.SparseCategoricalAccuracy()], weighted_metrics=["accuracy"])
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "a.nncore")
    again = load_model(tmp_path / "a.nncore")
    again.save(tmp_path / "b.nncore")
    final = load_model(tmp_path / "b.nncore")
    assert final.optimizer.learning_rate == pytest.approx(0.003)
    assert final.compiled_loss.fn.get_config()["from_logits"] is True
    assert final.metrics_names == model.metrics_names
    assert len(final.losses) == 1
    np.testing.assert_array_equal(final.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_custom_loss_function_loads_with_custom_objects(tmp_path):
    def my_loss(y_true, y_pred):
        return ((y_true - y_pred) ** 2).mean(-1)

    model = Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss=my_loss)
    model.save(tmp_path / "m.nncore")
    loaded = load_model(tmp_path / "m.nncore", custom_objects={"my_loss": my_loss})
    assert loaded.compiled_loss.fn is my_loss


def test_optimizer_state_follows_its_weight_after_freezing(tmp_path):
    x, y = data()
    nncore.manual_seed(1)
    model = Sequential([layers.Dense(5, input_shape=(6,), name="a"),
                        layers.Dense(2, activation="softmax", name="b")])
    model.compile(optimizer=optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    model.layers[0].trainable = False
    model.fit(x, y, epochs=1, verbose=0)
    model.layers[0].trainable = True
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.nncore")
    loaded = load_model(tmp_path / "m.nncore")
    model.fit(x, y, epochs=1, verbose=0)
    loaded.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_layer_shared_with_another_model_loads(tmp_path):
    i1, i2 = layers.Input(shape=(3,)), layers.Input(shape=(3,))
    encoder = layers.Dense(4)
    Model(i1, encoder(i1))
    model = Model(i2, layers.Dense(1)(encoder(i2)))
    model.save(tmp_path / "m.nncore")
    x = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(load_model(tmp_path / "m.nncore").predict(x, verbose=0),
                                  model.predict(x, verbose=0))
