"""Callbacks driven by a hand-written fit loop over a fake model, as Model.fit will drive them."""
import csv
import math
import sys

import numpy as np
import pytest

from nncore import callbacks, registry
from nncore.callbacks import (CallbackList, CSVLogger, EarlyStopping, History, LambdaCallback,
                              LearningRateScheduler, ModelCheckpoint, ProgbarLogger,
                              ReduceLROnPlateau, TerminateOnNaN)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class FakeOptimizer:
    def __init__(self, learning_rate=0.1):
        self.learning_rate = learning_rate


class FakeModel:
    """What callbacks may touch on a model: weights, saving, optimizer, stop_training."""

    def __init__(self, learning_rate=0.1):
        self.stop_training = False
        self.weights = [np.zeros(3)]
        self.optimizer = FakeOptimizer(learning_rate)
        self.saved = []  # (kind, path) per save call
        self.history = None

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save(self, filepath, overwrite=True):
        self.saved.append(("model", str(filepath)))
        with open(filepath, "w") as f:
            f.write("model")

    def save_weights(self, filepath, overwrite=True):
        self.saved.append(("weights", str(filepath)))
        with open(filepath, "w") as f:
            f.write("weights")


def fit(cbs, epoch_logs, model=None, steps=3, batch_logs=None, verbose=0):
    """Runs the hooks in fit's order. Weights at epoch e are all e, so a restored set of
    weights tells which epoch it came from. Returns (model, number of epochs run)."""
    model = model or FakeModel()
    cb_list = CallbackList(cbs, add_history=True, add_progbar=verbose != 0, model=model,
                           verbose=verbose, epochs=len(epoch_logs), steps=steps)
    cb_list.on_train_begin({})
    ran = 0
    for epoch, logs in enumerate(epoch_logs):
        cb_list.on_epoch_begin(epoch, {})
        model.weights = [np.full(3, float(epoch))]
        for batch in range(steps):
            cb_list.on_train_batch_begin(batch, {})
            logs_b = batch_logs(epoch, batch) if batch_logs else {"loss": 1.0}
            cb_list.on_train_batch_end(batch, logs_b)
            if model.stop_training:
                break
        cb_list.on_epoch_end(epoch, dict(logs))
        ran += 1
        if model.stop_training:
            break
    cb_list.on_train_end({})
    return model, ran


def val_losses(*values):
    return [{"loss": v, "val_loss": v} for v in values]


# ----------------------------------------------------------------- EarlyStopping

def test_early_stopping_stops_after_patience_and_restores_best_weights():
    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    model, ran = fit([stopper], val_losses(1.0, 0.8, 0.9, 0.85, 0.7, 0.6))
    assert ran == 4 and stopper.stopped_epoch == 3 and model.stop_training
    assert stopper.best == 0.8 and stopper.best_epoch == 1
    np.testing.assert_array_equal(model.weights[0], np.full(3, 1.0))


def test_early_stopping_restores_best_weights_even_without_stopping():
    # Keras 3: the best epoch's weights come back whenever training ends.
    stopper = EarlyStopping(patience=10, restore_best_weights=True)
    model, ran = fit([stopper], val_losses(1.0, 0.5, 0.7))
    assert ran == 3 and stopper.stopped_epoch == 0
    np.testing.assert_array_equal(model.weights[0], np.full(3, 1.0))


def test_early_stopping_without_restore_keeps_last_weights():
    model, ran = fit([EarlyStopping(patience=1)], val_losses(1.0, 0.5, 0.7, 0.8))
    assert ran == 3
    np.testing.assert_array_equal(model.weights[0], np.full(3, 2.0))


def test_early_stopping_min_delta_ignores_small_improvements():
    losses = (1.0, 0.95, 0.92, 0.5)
    _, ran = fit([EarlyStopping(patience=2, min_delta=0.1)], val_losses(*losses))
    assert ran == 3
    _, ran = fit([EarlyStopping(patience=2)], val_losses(*losses))
    assert ran == 4


def test_early_stopping_baseline_must_be_beaten_to_reset_patience():
    stopper = EarlyStopping(patience=3, baseline=0.5)
    _, ran = fit([stopper], val_losses(1.0, 0.9, 0.95, 0.95, 0.95))
    assert ran == 3 and stopper.stopped_epoch == 2
    _, ran = fit([EarlyStopping(patience=3)], val_losses(1.0, 0.9, 0.95, 0.95, 0.95))
    assert ran == 5
    _, ran = fit([EarlyStopping(patience=3, baseline=0.5)],
                 val_losses(1.0, 0.4, 0.45, 0.45))
    assert ran == 4


def test_early_stopping_maximizes_accuracy_in_auto_mode():
    logs = [{"val_accuracy": a} for a in (0.5, 0.6, 0.7)]
    _, ran = fit([EarlyStopping(monitor="val_accuracy")], logs)
    assert ran == 3
    logs = [{"val_accuracy": a} for a in (0.7, 0.6, 0.5)]
    _, ran = fit([EarlyStopping(monitor="val_accuracy")], logs)
    assert ran == 2
    assert EarlyStopping(monitor="val_auc").mode == "max"
    assert EarlyStopping(monitor="val_mae").mode == "min"


def test_early_stopping_start_from_epoch_skips_warmup():
    stopper = EarlyStopping(monitor="loss", start_from_epoch=2)
    _, ran = fit([stopper], [{"loss": v} for v in (1.0, 2.0, 3.0, 4.0, 5.0)])
    assert ran == 4 and stopper.best == 3.0


def test_early_stopping_missing_monitor_warns_and_continues():
    with pytest.warns(UserWarning, match="val_loss.*not in the logs.*loss"):
        _, ran = fit([EarlyStopping()], [{"loss": 1.0}] * 3)
    assert ran == 3


def test_early_stopping_rejects_unknown_mode():
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")


def test_early_stopping_verbose_says_when_it_stopped(capsys):
    fit([EarlyStopping(patience=0, verbose=1, restore_best_weights=True)],
        val_losses(1.0, 2.0))
    out = capsys.readouterr().out
    assert "Epoch 2: early stopping" in out and "best epoch: 1" in out


# ----------------------------------------------------------------- ModelCheckpoint

def test_checkpoint_formats_epoch_and_logs_into_file_names(tmp_path):
    pattern = str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.2f}.nnc")
    model, _ = fit([ModelCheckpoint(pattern)], val_losses(0.5, 0.4, 0.6))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["ckpt-01-0.50.nnc", "ckpt-02-0.40.nnc", "ckpt-03-0.60.nnc"]
    assert all(kind == "model" for kind, _ in model.saved)


def test_checkpoint_save_best_only_saves_on_improvement(tmp_path):
    pattern = str(tmp_path / "best-{epoch}.nnc")
    model, _ = fit([ModelCheckpoint(pattern, save_best_only=True)],
                   val_losses(0.5, 0.6, 0.4, 0.4))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best-1.nnc", "best-3.nnc"]
    assert len(model.saved) == 2


def test_checkpoint_best_only_maximizes_accuracy_and_honours_threshold(tmp_path):
    logs = [{"val_accuracy": a} for a in (0.5, 0.7, 0.6, 0.9)]
    cp = ModelCheckpoint(str(tmp_path / "m{epoch}.nnc"), monitor="val_accuracy",
                         save_best_only=True, initial_value_threshold=0.65)
    model, _ = fit([cp], logs)
    assert [p for _, p in model.saved] == [str(tmp_path / "m2.nnc"), str(tmp_path / "m4.nnc")]
    assert cp.best == 0.9


def test_checkpoint_weights_only_and_creates_directories(tmp_path):
    path = tmp_path / "deep" / "dir" / "w.weights"
    model, _ = fit([ModelCheckpoint(path, save_weights_only=True)], val_losses(1.0))
    assert model.saved == [("weights", str(path))] and path.read_text() == "weights"


def test_checkpoint_every_n_batches_counts_across_epochs(tmp_path):
    cp = ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.nnc"), save_freq=2)
    fit([cp], val_losses(1.0, 1.0), steps=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e1-b2.nnc", "e2-b1.nnc",
                                                         "e2-b3.nnc"]


def test_checkpoint_missing_field_and_bad_save_freq_are_clear(tmp_path):
    with pytest.raises(KeyError, match="val_acc"):
        fit([ModelCheckpoint(str(tmp_path / "{val_acc}.nnc"))], val_losses(1.0))
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint("x.nnc", save_freq="batch")


def test_checkpoint_best_only_warns_without_monitor(tmp_path):
    with pytest.warns(UserWarning, match="val_loss"):
        model, _ = fit([ModelCheckpoint(str(tmp_path / "m.nnc"), save_best_only=True)],
                       [{"loss": 1.0}])
    assert model.saved == []


# ----------------------------------------------------------------- learning rate

def test_scheduler_sets_rate_each_epoch_and_logs_it():
    lrs = []
    spy = LambdaCallback(on_epoch_begin=lambda e, logs: lrs.append(model.optimizer.learning_rate))
    model = FakeModel(learning_rate=0.1)
    scheduler = LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    fit([scheduler, spy], val_losses(1.0, 1.0, 1.0), model=model)
    assert lrs == pytest.approx([0.05, 0.025, 0.0125])
    assert model.history.history["learning_rate"] == pytest.approx([0.05, 0.025, 0.0125])


def test_scheduler_accepts_one_argument_schedules():
    model = FakeModel()
    fit([LearningRateScheduler(lambda epoch: 1.0 / (epoch + 1))], val_losses(1, 1, 1),
        model=model)
    assert model.optimizer.learning_rate == pytest.approx(1 / 3)


def test_scheduler_errors_are_not_swallowed():
    def broken(epoch, lr):
        raise TypeError("bug inside the schedule")

    with pytest.raises(TypeError, match="bug inside"):
        fit([LearningRateScheduler(broken)], val_losses(1.0))
    with pytest.raises(ValueError, match="number"):
        fit([LearningRateScheduler(lambda epoch, lr: "fast")], val_losses(1.0))


def test_plateau_reduces_after_patience_with_cooldown_and_min_lr():
    model = FakeModel(learning_rate=0.1)
    seen = []
    spy = LambdaCallback(on_epoch_end=lambda e, logs: seen.append(model.optimizer.learning_rate))
    plateau = ReduceLROnPlateau(factor=0.1, patience=2, cooldown=1, min_lr=0.002)
    fit([plateau, spy], val_losses(*[1.0] * 7), model=model)
    assert seen == pytest.approx([0.1, 0.1, 0.01, 0.01, 0.002, 0.002, 0.002])
    # the rate recorded is the one the epoch trained with
    assert model.history.history["learning_rate"] == pytest.approx(
        [0.1, 0.1, 0.1, 0.01, 0.01, 0.002, 0.002])


def test_plateau_improvement_must_exceed_min_delta():
    model = FakeModel(learning_rate=1.0)
    fit([ReduceLROnPlateau(patience=2, min_delta=0.1)], val_losses(1.0, 0.95, 0.91),
        model=model)
    assert model.optimizer.learning_rate == pytest.approx(0.1)
    model = FakeModel(learning_rate=1.0)
    fit([ReduceLROnPlateau(patience=2, min_delta=0.01)], val_losses(1.0, 0.95, 0.91),
        model=model)
    assert model.optimizer.learning_rate == 1.0


def test_plateau_rejects_factor_of_one_or_more():
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=1.0)


# ----------------------------------------------------------------- CSVLogger

def read_rows(path, separator=","):
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=separator))


def test_csv_logger_writes_header_and_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    logs = [{"loss": 0.5, "val_loss": 0.6, "accuracy": 0.8},
            {"loss": 0.25, "val_loss": 0.3, "accuracy": 0.9}]
    fit([CSVLogger(path)], logs)
    assert read_rows(path) == [["epoch", "accuracy", "loss", "val_loss"],
                               ["0", "0.8", "0.5", "0.6"], ["1", "0.9", "0.25", "0.3"]]


def test_csv_logger_flushes_each_epoch(tmp_path):
    path = tmp_path / "log.csv"
    rows_during = []
    spy = LambdaCallback(on_epoch_end=lambda e, logs: rows_during.append(len(read_rows(path))))
    fit([CSVLogger(path), spy], val_losses(1.0, 0.5))
    assert rows_during == [2, 3]


def test_csv_logger_append_and_separator(tmp_path):
    path = tmp_path / "log.csv"
    fit([CSVLogger(path, separator=";")], val_losses(1.0))
    fit([CSVLogger(path, separator=";", append=True)], val_losses(0.5))
    assert read_rows(path, ";") == [["epoch", "loss", "val_loss"], ["0", "1.0", "1.0"],
                                    ["0", "0.5", "0.5"]]


def test_csv_logger_warns_about_columns_appearing_late(tmp_path):
    with pytest.warns(UserWarning, match="val_loss"):
        fit([CSVLogger(tmp_path / "log.csv")], [{"loss": 1.0}, {"loss": 1.0, "val_loss": 2.0}])


# ----------------------------------------------------------------- TerminateOnNaN

@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_terminate_on_nan_stops_at_the_bad_batch_and_says_where(capsys, bad):
    calls = []

    def batch_logs(epoch, batch):
        calls.append((epoch, batch))
        return {"loss": bad if (epoch, batch) >= (1, 2) else 0.5}

    guard = TerminateOnNaN()
    model, ran = fit([guard], val_losses(1.0, 1.0, 1.0), steps=5, batch_logs=batch_logs)
    assert ran == 2 and model.stop_training
    assert calls[-1] == (1, 2) and guard.stopped_at == (1, 2)
    assert f"Batch 3/5 (epoch 2/3): invalid loss {bad}, terminating training" in \
        capsys.readouterr().out


def test_terminate_on_nan_is_quiet_for_finite_losses(capsys):
    guard = TerminateOnNaN()
    _, ran = fit([guard], val_losses(1.0, 1.0))
    assert ran == 2 and guard.stopped_at is None and capsys.readouterr().out == ""


# ----------------------------------------------------------------- LambdaCallback

def test_lambda_callback_calls_the_given_functions():
    events = []
    cb = LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: events.append(f"epoch_begin {epoch}"),
        on_train_batch_end=lambda batch, logs: events.append(f"batch_end {batch}"),
        on_epoch_end=lambda epoch, logs: events.append(f"epoch_end {epoch} {logs['loss']}"),
        on_train_end=lambda logs: events.append("train_end"),
        on_test_end=lambda logs: events.append("test_end"))
    fit([cb], [{"loss": 0.5}], steps=2)
    CallbackList([cb]).on_test_end()
    assert events == ["train_begin", "epoch_begin 0", "batch_end 0", "batch_end 1",
                      "epoch_end 0 0.5", "train_end", "test_end"]


def test_lambda_callback_rejects_unknown_hooks():
    with pytest.raises(TypeError, match="on_epoch_ending"):
        LambdaCallback(on_epoch_ending=print)
    with pytest.raises(TypeError, match="callable"):
        LambdaCallback(on_epoch_end=3)


# ----------------------------------------------------------------- Callback, CallbackList

def test_keras2_batch_aliases_receive_training_batches():
    class Old(callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_batch_begin(self, batch, logs=None):
            self.seen.append(("begin", batch))

        def on_batch_end(self, batch, logs=None):
            self.seen.append(("end", batch))

    old = Old()
    fit([old], [{"loss": 1.0}], steps=2)
    assert old.seen == [("begin", 0), ("end", 0), ("begin", 1), ("end", 1)]


def test_callback_list_appends_history_and_progbar():
    model = FakeModel()
    user = EarlyStopping()
    cb_list = CallbackList([user], add_history=True, add_progbar=True, model=model,
                           verbose=1, epochs=4, steps=10)
    kinds = [type(c) for c in cb_list]
    assert kinds == [EarlyStopping, History, ProgbarLogger]
    assert model.history is cb_list.callbacks[1]
    assert all(c.model is model for c in cb_list)
    assert user.params == {"verbose": 1, "epochs": 4, "steps": 10}
    assert len(CallbackList([user], add_history=True)) == 2


def test_callback_list_keeps_a_user_progbar_and_history():
    mine, history = ProgbarLogger(), History()
    cb_list = CallbackList([mine, history], add_history=True, add_progbar=True)
    assert cb_list.callbacks == [mine, history]


def test_history_records_each_epoch():
    model, _ = fit([], [{"loss": np.float32(0.5), "val_loss": 0.7}, {"loss": 0.25}])
    history = model.history
    assert isinstance(history, History) and history.epoch == [0, 1]
    assert history.history == {"loss": [0.5, 0.25], "val_loss": [0.7]}
    assert type(history.history["loss"][0]) is float
    assert history.params["epochs"] == 2


# ----------------------------------------------------------------- get

def test_get_resolves_instances_and_classes():
    stopper = EarlyStopping()
    assert callbacks.get(stopper) is stopper
    made = callbacks.get({"class_name": ReduceLROnPlateau, "config": {"patience": 3}})
    assert isinstance(made, ReduceLROnPlateau) and made.patience == 3
    assert isinstance(callbacks.get(TerminateOnNaN), TerminateOnNaN)


def test_get_uses_the_registry():
    registry.register("callbacks", "test_callbacks_stopper")(EarlyStopping)
    try:
        made = callbacks.get({"class_name": "test_callbacks_stopper",
                              "config": {"patience": 4}})
        assert isinstance(made, EarlyStopping) and made.patience == 4
        cb_list = CallbackList(["test_callbacks_stopper"])
        assert isinstance(cb_list.callbacks[0], EarlyStopping)
    finally:
        registry._registered["callbacks"].pop("test_callbacks_stopper", None)
    with pytest.raises(ValueError, match="no component named"):
        callbacks.get("no_such_callback_anywhere")
    with pytest.raises(ValueError, match="cannot interpret"):
        callbacks.get(42)


@pytest.mark.skipif("early_stopping" not in registry.list("callbacks"),
                    reason="built-in callbacks not yet declared as entry points")
def test_builtin_callbacks_are_registered():
    assert isinstance(callbacks.get("early_stopping"), EarlyStopping)
    assert isinstance(callbacks.get("TerminateOnNaN"), TerminateOnNaN)


# ----------------------------------------------------------------- History.plot

def trained_history():
    model, _ = fit([], [{"loss": 1.0 / (e + 1), "val_loss": 1.2 / (e + 1),
                         "accuracy": 0.5 + 0.1 * e} for e in range(4)])
    return model.history


def test_history_plot_writes_a_png(tmp_path):
    path = tmp_path / "curves.png"
    figure = trained_history().plot(path)
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert [p.name for p in tmp_path.iterdir()] == ["curves.png"]  # no temporary left
    titles = [ax.get_title() for ax in figure.axes if ax.get_visible()]
    assert titles == ["loss", "accuracy"]
    loss_axis = figure.axes[0]
    assert [line.get_label() for line in loss_axis.lines] == ["training", "validation"]
    assert list(loss_axis.lines[0].get_xdata()) == [1, 2, 3, 4]


def test_history_plot_selects_metrics_and_names_unknown_ones():
    history = trained_history()
    figure = history.plot(metrics=["val_loss"])
    assert [ax.get_title() for ax in figure.axes] == ["loss"]
    with pytest.raises(ValueError, match="'f1'.*recorded: accuracy, loss, val_loss"):
        history.plot(metrics="f1")
    with pytest.raises(ValueError, match="nothing to plot"):
        History().plot()


def test_history_plot_without_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install matplotlib.*nncore\[plot\]"):
        trained_history().plot()
