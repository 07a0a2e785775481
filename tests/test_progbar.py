"""The progress bar: what fit, evaluate and predict print, on terminals and elsewhere."""
import io

import pytest

from nncore.callbacks import CallbackList, Progbar, ProgbarLogger
from nncore.callbacks import progbar as progbar_module
from nncore.callbacks.progbar import print_msg


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


class AsciiStream(io.StringIO):
    @property
    def encoding(self):
        return "ascii"


class FakeModel:
    stop_training = False
    history = None


def fit(verbose, epochs=3, steps=5, stream=None, validation=True, batches=5, **params):
    """Drives the hooks as Model.fit will; validation runs evaluate hooks mid-fit.
    `steps` is what fit announces (None: unknown), `batches` what actually comes."""
    user = [ProgbarLogger(stream=stream)] if stream is not None else []
    cb_list = CallbackList(user, add_history=True, add_progbar=verbose != 0, model=FakeModel(),
                           verbose=verbose, epochs=epochs, steps=steps, **params)
    cb_list.on_train_begin()
    for epoch in range(epochs):
        cb_list.on_epoch_begin(epoch)
        for batch in range(batches):
            cb_list.on_train_batch_begin(batch)
            cb_list.on_train_batch_end(batch, {"loss": 0.5 / (batch + 1), "accuracy": 0.9})
        logs = {"loss": 0.1, "accuracy": 0.9}
        if validation:
            cb_list.on_test_begin()
            cb_list.on_test_batch_end(0, {"loss": 0.2})
            cb_list.on_test_end({"loss": 0.2})
            logs.update(val_loss=0.2, val_accuracy=0.85)
        cb_list.on_epoch_end(epoch, logs)
    cb_list.on_train_end()


# ----------------------------------------------------------------- fit output

def test_non_terminal_output_is_one_line_per_epoch(capsys):
    fit(verbose=1, batch_size=32)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "\r" not in out and len(lines) == 3
    for epoch, line in enumerate(lines, start=1):
        assert line.startswith(f"Epoch {epoch}/3 - 5/5 ")
        assert "━" * 20 in line and "samples/s" in line and "/step" in line
        assert "accuracy: 0.9000 - loss: 0.1000 - val_accuracy: 0.8500 - val_loss: 0.2000" \
            in line


def test_terminal_output_redraws_in_place():
    tty = FakeTTY()
    fit(verbose=1, epochs=2, stream=tty)
    out = tty.getvalue()
    assert out.startswith("Epoch 1/2\n\r")
    assert out.count("\r") >= 4  # at least the first and the last step of each epoch
    final_lines = [line.rsplit("\r", 1)[-1] for line in out.split("\n") if "\r" in line]
    assert len(final_lines) == 2
    for line in final_lines:
        assert line.startswith("5/5 ") and "val_loss: 0.2000" in line
    assert "Epoch 2/2\n" in out


def test_terminal_redraws_are_rate_limited_but_the_last_step_is_drawn():
    tty = FakeTTY()
    bar = Progbar(10, interval=1000, stream=tty)
    for step in range(1, 11):
        bar.update(step, [("loss", 1.0)])
    out = tty.getvalue()
    assert out.count("\r") == 2 and out.endswith("\n")
    assert out.rsplit("\r", 1)[-1].startswith("10/10 ")


def test_terminal_draws_every_step_with_zero_interval():
    tty = FakeTTY()
    bar = Progbar(4, interval=0, stream=tty)
    for step in range(1, 5):
        bar.update(step)
    assert tty.getvalue().count("\r") == 4
    assert "ETA" in tty.getvalue().split("\r")[1]


def test_verbose_2_prints_one_summary_line_per_epoch_even_on_a_terminal():
    tty = FakeTTY()
    fit(verbose=2, stream=tty, batch_size=8)
    out = tty.getvalue()
    lines = out.splitlines()
    assert "\r" not in out and "━" not in out and len(lines) == 3
    assert lines[0].startswith("Epoch 1/3 - 5/5 - ")
    assert "samples/s" in lines[0] and lines[0].endswith("val_loss: 0.2000")


def test_verbose_0_is_silent(capsys):
    fit(verbose=0)
    silent = ProgbarLogger()
    cb_list = CallbackList([silent], verbose=0, epochs=2, steps=3)
    cb_list.on_epoch_begin(0)
    cb_list.on_train_batch_end(0, {"loss": 1.0})
    cb_list.on_epoch_end(0, {"loss": 1.0})
    assert capsys.readouterr().out == ""


def test_single_epoch_has_no_epoch_title(capsys):
    fit(verbose=1, epochs=1)
    assert capsys.readouterr().out.startswith("5/5 ")


def test_unknown_steps_are_learnt_from_the_first_epoch(capsys):
    fit(verbose=1, epochs=2, steps=None, validation=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Epoch 1/2 - 5/5 ") and lines[1].startswith("Epoch 2/2 - 5/5 ")


def test_throughput_from_samples_when_batch_size_is_not_given(capsys):
    fit(verbose=2, epochs=1, steps=4, batches=4, samples=100)
    assert "samples/s" in capsys.readouterr().out


def test_no_throughput_without_batch_size(capsys):
    fit(verbose=2, epochs=1)
    assert "samples/s" not in capsys.readouterr().out


# ----------------------------------------------------------------- evaluate, predict

def test_evaluate_and_predict_show_a_bar(capsys):
    bar = ProgbarLogger()
    cb_list = CallbackList([bar], verbose=1, epochs=1, steps=3)
    cb_list.on_test_begin()
    for batch in range(3):
        cb_list.on_test_batch_end(batch, {"loss": 0.3, "mae": 0.1})
    cb_list.on_test_end({"loss": 0.3, "mae": 0.1})
    cb_list.on_predict_begin()
    for batch in range(3):
        cb_list.on_predict_batch_end(batch, {"outputs": [1, 2]})
    cb_list.on_predict_end()
    evaluate_line, predict_line = capsys.readouterr().out.splitlines()
    assert evaluate_line.startswith("3/3 ")
    assert evaluate_line.endswith("loss: 0.3000 - mae: 0.1000")
    assert predict_line.startswith("3/3 ") and "outputs" not in predict_line


# ----------------------------------------------------------------- Progbar alone

def test_progbar_averages_values_over_steps_unless_stateful():
    out = io.StringIO()
    bar = Progbar(3, stateful_metrics=["lr"], stream=out)
    bar.update(1, [("loss", 1.0), ("lr", 0.1)])
    bar.update(3, [("loss", 4.0), ("lr", 0.01)])  # loss counts for 2 steps
    assert out.getvalue().rstrip("\n").endswith("loss: 3.0000 - lr: 0.0100")


def test_progbar_add_and_unknown_target():
    out = io.StringIO()
    bar = Progbar(None, stream=out, unit_name="sample")
    bar.add(2, [("loss", 2e-5)])
    bar.add(1)
    assert out.getvalue() == ""
    bar.update(3, finalize=True)
    line = out.getvalue()
    assert line.startswith("3/Unknown ") and "/sample" in line and "loss: 2.0000e-05" in line


def test_progbar_bar_falls_back_to_ascii_glyphs():
    out = AsciiStream()
    bar = Progbar(4, width=8, stream=out)
    bar.update(2, finalize=True)
    assert "====...." in out.getvalue()


def test_progbar_verbose_0_writes_nothing():
    out = FakeTTY()
    bar = Progbar(2, verbose=0, stream=out, title="Epoch 1/1")
    bar.update(2, [("loss", 1.0)])
    assert out.getvalue() == ""


@pytest.mark.parametrize("seconds, text", [(5.9, "5s"), (65, "1:05"), (3725, "1:02:05")])
def test_durations(seconds, text):
    assert progbar_module._format_duration(seconds) == text


def test_print_msg_does_not_glue_onto_a_live_bar():
    tty = FakeTTY()
    bar = Progbar(10, stream=tty)
    bar.update(3)
    print_msg("Batch 4: invalid loss nan", stream=tty)
    lines = tty.getvalue().split("\n")
    assert lines[1] == "Batch 4: invalid loss nan"
    print_msg("next", stream=tty)
    assert tty.getvalue().endswith("nan\nnext\n")
