"""Sequential, functional and subclassed models: compile, fit, evaluate, predict."""
import numpy as np
import pytest
import torch

import nncore
from nncore import Model, Sequential, callbacks, layers, optimizers


def blobs(n=256, features=8, classes=3, seed=0):
    """Separable Gaussian blobs: a problem any working trainer learns quickly."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 3, (classes, features))
    y = rng.integers(0, classes, n)
    x = (centers[y] + rng.normal(0, 1, (n, features))).astype(np.float32)
    return x, y


def mlp(features=8, classes=3, **compile_args):
    model = Sequential([layers.Dense(16, activation="relu", input_shape=(features,)),
                        layers.Dense(classes, activation="softmax")])
    compile_args.setdefault("optimizer", optimizers.Adam(0.01))
    compile_args.setdefault("loss", "sparse_categorical_crossentropy")
    model.compile(**compile_args)
    return model


def test_the_lecture_listing_builds_eagerly_and_summarizes(capsys):
    model = Sequential([layers.Flatten(input_shape=(28, 28)),
                        layers.Dense(32, name="hidden_layer", activation="sigmoid"),
                        layers.Dense(10, name="output_layer", activation="sigmoid")])
    assert model.built and model.count_params() == 784 * 32 + 32 + 32 * 10 + 10
    model.summary()
    text = capsys.readouterr().out
    for expected in ("hidden_layer (Dense)", "(None, 32)", "25,120", "(None, 784)",
                     "Total params: 25,450"):
        assert expected in text
    assert [w.shape for w in model.get_weights()] == [(784, 32), (32,), (32, 10), (10,)]


def test_fit_learns_and_history_has_every_quantity():
    x, y = blobs()
    model = mlp(metrics=["accuracy"])
    history = model.fit(x, y, epochs=8, batch_size=32, verbose=0, validation_split=0.25)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["loss"]) == 8 and history.epoch == list(range(8))
    assert history.history["loss"][-1] < history.history["loss"][0] / 3
    assert history.history["val_accuracy"][-1] > 0.9


def test_evaluate_returns_loss_or_list_like_keras():
    x, y = blobs()
    model = mlp()
    assert isinstance(model.evaluate(x, y, verbose=0), float)
    model = mlp(metrics=["accuracy", "sparse_top_k_categorical_accuracy"])
    values = model.evaluate(x, y, verbose=0)
    assert isinstance(values, list) and len(values) == 3
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "accuracy", "sparse_top_k_categorical_accuracy"}
    probs = model.predict(x, verbose=0)
    expected = -np.mean(np.log(probs[np.arange(len(y)), y]))
    assert logs["loss"] == pytest.approx(expected, rel=1e-4)
    assert logs["accuracy"] == pytest.approx(np.mean(probs.argmax(1) == y))


def test_predict_is_batched_and_records_no_graph():
    x, _ = blobs(n=70)
    model = mlp()
    out = model.predict(x, batch_size=16, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (70, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out, model.predict_on_batch(x), rtol=1e-6)
    np.testing.assert_allclose(out.sum(1), 1.0, rtol=1e-5)
    assert all(w.grad is None for w in model.weights)


def test_uint8_images_are_cast_like_keras():
    model = Sequential([layers.Flatten(input_shape=(4, 4)), layers.Dense(2)])
    images = np.arange(32, dtype=np.uint8).reshape(2, 4, 4)
    out = model.predict(images, verbose=0)
    np.testing.assert_allclose(out, model.predict(images.astype(np.float32), verbose=0))


def test_train_on_batch_matches_a_hand_written_torch_step():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16, 5)).astype(np.float32)
    y = rng.normal(size=(16, 2)).astype(np.float32)
    model = Sequential([layers.Dense(4, activation="tanh", input_shape=(5,)), layers.Dense(2)])
    model.compile(optimizer=optimizers.SGD(0.1, momentum=0.9), loss="mse")
    ref = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    with torch.no_grad():
        k1, b1, k2, b2 = model.get_weights()
        ref[0].weight.copy_(torch.from_numpy(k1.T)); ref[0].bias.copy_(torch.from_numpy(b1))
        ref[2].weight.copy_(torch.from_numpy(k2.T)); ref[2].bias.copy_(torch.from_numpy(b2))
    opt = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    for _ in range(5):
        loss = model.train_on_batch(x, y)
        opt.zero_grad()
        ref_loss = torch.nn.functional.mse_loss(ref(torch.from_numpy(x)), torch.from_numpy(y))
        ref_loss.backward()
        opt.step()
        assert loss == pytest.approx(ref_loss.item(), rel=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], ref[0].weight.detach().numpy().T,
                               rtol=1e-5, atol=1e-6)
    assert model.test_on_batch(x, y) == pytest.approx(
        torch.nn.functional.mse_loss(ref(torch.from_numpy(x)), torch.from_numpy(y)).item(),
        rel=1e-5)


def test_sample_weights_scale_the_loss_and_class_weights_pick_classes():
    x, y = blobs(n=64)
    model = mlp()
    base = model.evaluate(x, y, verbose=0)
    assert model.evaluate(x, y, sample_weight=np.full(64, 2.0), verbose=0) == pytest.approx(
        2 * base, rel=1e-5)
    only_zero = (y == 0).astype(np.float32)
    from_class = model.evaluate(x, y, sample_weight=only_zero, verbose=0)
    a = mlp()
    a.set_weights(model.get_weights())
    a.fit(x, y, class_weight={0: 1.0, 1: 0.0, 2: 0.0}, epochs=1, verbose=0, shuffle=False,
          batch_size=64)
    b = mlp()
    b.set_weights(model.get_weights())
    b.fit(x, y, sample_weight=only_zero, epochs=1, verbose=0, shuffle=False, batch_size=64)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert from_class < base


def test_validation_data_and_callbacks_see_val_metrics():
    x, y = blobs()
    seen = []
    model = mlp(metrics=["accuracy"])
    model.fit(x[:200], y[:200], validation_data=(x[200:], y[200:]), epochs=2, verbose=0,
              callbacks=[callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(
                  dict(logs)))])
    assert all({"val_loss", "val_accuracy", "loss", "accuracy"} <= set(s) for s in seen)


def test_early_stopping_restores_the_best_weights():
    x, y = blobs()
    model = mlp(optimizer=optimizers.SGD(5.0))  # diverges, so validation gets worse
    stop = callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    history = model.fit(x, y, epochs=50, verbose=0, callbacks=[stop])
    assert len(history.history["loss"]) < 50


def test_terminate_on_nan_says_where(capsys):
    x, y = blobs()
    y_float = np.eye(3, dtype=np.float32)[y] * 1e30
    model = Sequential([layers.Dense(3, input_shape=(8,))])
    model.compile(optimizer=optimizers.SGD(1e10), loss="mse")
    nan_stop = callbacks.TerminateOnNaN()
    history = model.fit(x, y_float, epochs=5, verbose=0, callbacks=[nan_stop])
    assert nan_stop.stopped_at is not None
    assert "invalid loss" in capsys.readouterr().out
    assert len(history.history.get("loss", [])) <= 1


def test_functional_model_with_two_inputs_and_a_branch():
    a = layers.Input(shape=(4,), name="a")
    b = layers.Input(shape=(3,), name="b")
    h = layers.Dense(5, activation="relu")(a)
    skip = layers.Dense(5)(a)
    merged = layers.Concatenate()([layers.Add()([h, skip]), b])
    out = layers.Dense(1)(merged)
    model = Model([a, b], out)
    assert model.output_shape == (None, 1)
    assert len(model.layers) == 5
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(64, 4)).astype(np.float32), rng.normal(size=(64, 3)).astype(
        np.float32)
    target = (xa.sum(1, keepdims=True) - xb[:, :1]).astype(np.float32)
    model.compile(optimizer=optimizers.Adam(0.02), loss="mse")
    history = model.fit([xa, xb], target, epochs=30, verbose=0, batch_size=16)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    assert model.predict([xa, xb], verbose=0).shape == (64, 1)


class TwoLayerNet(Model):
    """PyTorch-style: layers in __init__, the forward pass in call()."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(16, activation="relu")
        self.dropout = layers.Dropout(0.1)
        self.out = layers.Dense(3, activation="softmax")

    def call(self, inputs, training=None):
        return self.out(self.dropout(self.hidden(inputs), training=training))


def test_a_subclassed_model_fits():
    x, y = blobs()
    nncore.manual_seed(0)
    model = TwoLayerNet()
    model.compile(optimizer=optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, verbose=0)
    assert len(model.trainable_weights) == 4
    assert history.history["accuracy"][-1] > 0.9
    with pytest.raises(NotImplementedError, match="save_weights"):
        model.get_config()


def test_progress_bar_on_a_pipe_is_one_line_per_epoch(capsys):
    x, y = blobs(n=100)
    model = mlp(metrics=["accuracy"])
    model.fit(x, y, epochs=3, batch_size=10, verbose=1)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 3 and "\r" not in out
    assert all("10/10" in line and "loss" in line and "samples/s" in line for line in lines)
    model.fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""


def test_training_is_identical_on_one_and_two_threads():
    x, y = blobs(n=512, features=64)
    results = []
    for threads in (1, 2):
        nncore.set_num_threads(threads)
        nncore.manual_seed(3)
        model = Sequential([layers.Dense(128, activation="relu", input_shape=(64,)),
                            layers.Dropout(0.2), layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=2, batch_size=64, verbose=0)
        results.append(model.get_weights())
    nncore.set_num_threads(2)
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_errors_a_user_will_hit():
    model = mlp()
    with pytest.raises(ValueError, match=r"expects \(None, 8\).*shape \(4, 5\)|shape \(4, 5\)"):
        model.predict(np.zeros((4, 5), np.float32), verbose=0)
    dense = layers.Dense(3)
    dense(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match=r"'dense.*4 features.*\(2, 6\)"):
        dense(np.zeros((2, 6), np.float32))
    x, y = blobs(n=8)
    with pytest.raises(IndexError, match="target 7"):
        model.fit(x, np.array([0, 1, 2, 7, 0, 1, 2, 0]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit(x, y[:5], verbose=0)
    with pytest.raises(RuntimeError, match="compile"):
        Sequential([layers.Dense(1, input_shape=(2,))]).fit(np.zeros((2, 2)), np.zeros(2))


def test_column_outputs_meet_flat_targets_elementwise():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype(np.float32)
    y = rng.normal(size=32).astype(np.float32)
    model = Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse")
    assert model.evaluate(x, y, verbose=0) == pytest.approx(
        model.evaluate(x, y[:, None], verbose=0), rel=1e-6)
    expected = np.mean((model.predict(x, verbose=0)[:, 0] - y) ** 2)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)


def test_target_shape_mistakes_name_the_loss_and_both_shapes():
    x, y = blobs(n=10)
    model = mlp()
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy.*\(10, 3\)"):
        model.fit(x, np.eye(3)[y], verbose=0)
    model = mlp(loss="categorical_crossentropy")
    with pytest.raises(ValueError, match=r"categorical_crossentropy.*\(10, 5\).*\(10, 3\)"):
        model.fit(x, np.zeros((10, 5)), verbose=0)


def test_loss_objects_take_float64_weights_and_validation_takes_weights():
    from nncore import losses
    x, y = blobs(n=40)
    model = mlp(loss=losses.SparseCategoricalCrossentropy())
    history = model.fit(x, y, sample_weight=np.ones(40), validation_split=0.25, epochs=1,
                        verbose=0)
    assert "val_loss" in history.history
    model.fit(x[:30], y[:30], validation_data=(x[30:], y[30:], np.ones(10)), epochs=1,
              verbose=0)


def test_keras3_custom_layer_guide_code():
    class Linear(layers.Layer):
        def __init__(self, units=4, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer="random_normal", trainable=True)
            self.b = self.add_weight(shape=(self.units,), initializer="zeros",
                                     trainable=True)

        def call(self, inputs):
            return inputs @ self.w + self.b

    layer = Linear(3)
    assert layer(np.ones((2, 5), np.float32)).shape == (2, 3)
    assert len(layer.trainable_weights) == 2


def test_sublayers_in_lists_and_dicts_are_tracked():
    class Net(Model):
        def __init__(self):
            super().__init__()
            self.blocks = []
            self.blocks.append(layers.Dense(4, activation="relu"))
            self.heads = {"out": layers.Dense(3)}

        def call(self, inputs):
            return self.heads["out"](self.blocks[0](inputs))

    net = Net()
    net(np.zeros((1, 8), np.float32))
    assert len(net.trainable_weights) == 4 and len(net.layers) == 2


def test_frozen_batch_normalization_keeps_its_statistics():
    x, y = blobs()
    model = Sequential([layers.Dense(8, input_shape=(8,)), layers.BatchNormalization(),
                        layers.Dense(3, activation="softmax")])
    model.layers[1].trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = model.layers[1].get_weights()
    model.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(before, model.layers[1].get_weights()):
        np.testing.assert_array_equal(a, b)


def test_training_mode_reaches_sublayers_and_recorded_calls():
    nncore.manual_seed(0)
    x = np.ones((4, 1000), np.float32)
    inp = layers.Input(shape=(1000,))
    mc = Model(inp, layers.Dropout(0.5)(inp, training=True))
    assert (mc.predict(x, verbose=0) == 0).mean() > 0.3       # MC dropout stays on

    class Net(Model):
        def __init__(self):
            super().__init__()
            self.drop = layers.Dropout(0.5)

        def call(self, inputs):
            return self.drop(inputs)          # no training argument passed on

    net = Net()
    assert (net(x, training=True).numpy() == 0).mean() > 0.3
    assert (net(x, training=False).numpy() == 0).mean() == 0


def test_functional_inputs_are_checked_and_names_unique():
    a, b = layers.Input(shape=(4,)), layers.Input(shape=(2,))
    model = Model([a, b], layers.Dense(1)(layers.Concatenate()([a, b])))
    with pytest.raises(ValueError, match=r"Input 0.*\(None, 4\).*\(3, 2\)"):
        model.predict([np.zeros((3, 2)), np.zeros((3, 4))], verbose=0)
    i = layers.Input(shape=(2,))
    with pytest.raises(ValueError, match="unique"):
        Model(i, layers.Dense(1, name="d")(layers.Dense(3, name="d")(i)))


def test_input_layer_like_keras_and_a_frozen_model_fits():
    model = Sequential([layers.InputLayer(shape=(3,)), layers.Dense(2)])
    assert model.built and model.output_shape == (None, 2)
    model.compile(optimizer="sgd", loss="mse")
    model.trainable = False
    before = model.get_weights()
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    np.testing.assert_array_equal(before[0], model.get_weights()[0])
    with pytest.raises(ValueError, match="targets"):
        model.train_on_batch(np.ones((4, 3)))


def test_a_float64_model_and_int64_ids_are_not_cast_to_float32():
    inp = layers.Input(shape=(1,), dtype="float64")
    model = Model(inp, layers.Dense(1, dtype="float64", kernel_initializer="ones")(inp))
    out = model.predict(np.array([[1e-12]]), verbose=0)
    assert out.dtype == np.float64 and out[0, 0] != 0.0
    ids = layers.Input(shape=(1,), dtype="int64")
    emb = layers.Embedding(2 ** 25, 1)
    model = Model(ids, emb(ids))
    big = np.array([[2 ** 24 + 1]], np.int64)
    np.testing.assert_array_equal(model.predict(big, verbose=0)[0, 0],
                                  emb.get_weights()[0][2 ** 24 + 1])
