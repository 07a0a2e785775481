"""The recurrent layers (SimpleRNN, LSTM, GRU, their cells, Bidirectional, Masking): Keras's
weight layouts and options, agreement with PyTorch, masking, training and saving inside a
model, and errors that name the layer and the shapes."""
import numpy as np
import pytest

import nncore
from nncore import layers
from nncore.models import Sequential, load_model
from rnn_reference import random_weights, reference, torch_grads, torch_module

torch = pytest.importorskip("torch")

LAYERS = {"simple_rnn": layers.SimpleRNN, "lstm": layers.LSTM, "gru": layers.GRU}
CELLS = {"simple_rnn": layers.SimpleRNNCell, "lstm": layers.LSTMCell, "gru": layers.GRUCell}


def built(cell, units, features, **kwargs):
    layer = LAYERS[cell](units, **kwargs)
    layer.build((None, None, features))
    return layer


# ---------------------------------------------------------------- weights, defaults

def test_weights_have_keras_layouts_and_initial_values():
    nncore.manual_seed(0)
    lstm = built("lstm", 6, 4)
    kernel, recurrent, bias = lstm.get_weights()
    assert kernel.shape == (4, 24) and recurrent.shape == (6, 24) and bias.shape == (24,)
    # unit_forget_bias: the forget gate's bias starts at one, the rest at zero.
    np.testing.assert_array_equal(bias, np.r_[np.zeros(6), np.ones(6), np.zeros(12)])
    # recurrent_initializer='orthogonal': (units, 4 units) has orthonormal rows.
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(6), atol=1e-5)
    assert [w.shape for w in built("gru", 5, 3).get_weights()] == [(3, 15), (5, 15), (2, 15)]
    assert [w.shape for w in built("gru", 5, 3, reset_after=False).get_weights()] == [
        (3, 15), (5, 15), (15,)]
    assert [w.shape for w in built("simple_rnn", 5, 3, use_bias=False).get_weights()] == [
        (3, 5), (5, 5)]
    assert not built("lstm", 2, 2, unit_forget_bias=False).get_weights()[2].any()
    layer = layers.LSTM(3)
    assert (layer.activation, layer.recurrent_activation, layer.return_sequences,
            layer.return_state, layer.go_backwards, layer.dropout) == (
        "tanh", "sigmoid", False, False, False, 0.0)
    assert layers.GRU(3).reset_after is True


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_config_round_trip(cell):
    layer = LAYERS[cell](7, return_sequences=True, go_backwards=True, dropout=0.25,
                         activation="relu", name=f"my_{cell}")
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    assert config["units"] == 7 and config["activation"] == "relu"


# ---------------------------------------------------------------- against PyTorch

@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_layer_matches_pytorch_forward_and_gradients(cell):
    rng = np.random.default_rng(0)
    batch, time, features, units = 4, 6, 3, 5
    kernel, rkernel, bias = random_weights(cell, features, units, rng)
    layer = built(cell, units, features, return_sequences=True, return_state=True)
    layer.set_weights([kernel, rkernel, bias])
    module = torch_module(cell, features, units, kernel, rkernel, bias)
    x = rng.standard_normal((batch, time, features)).astype(np.float32)
    ours_x = nncore.tensor(x, requires_grad=True)
    theirs_x = torch.tensor(x, requires_grad=True)
    outs = layer(ours_x)
    seq, final = module(theirs_x)
    theirs = [seq, final[0][0], final[1][0]] if cell == "lstm" else [seq, final[0]]
    assert len(outs) == len(theirs)
    upstream = [rng.standard_normal(tuple(t.shape)).astype(np.float32) for t in theirs]
    for o, t in zip(outs, theirs):
        np.testing.assert_allclose(o.numpy(), t.detach().numpy(), rtol=1e-5, atol=2e-6)
    sum((o * nncore.tensor(u)).sum() for o, u in zip(outs, upstream)).backward()
    sum((t * torch.tensor(u)).sum() for t, u in zip(theirs, upstream)).backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=2e-5,
                               atol=2e-5)
    for w, expected in zip(layer.weights, torch_grads(cell, module, units)):
        np.testing.assert_allclose(w.grad.numpy(), expected, rtol=2e-5, atol=2e-5)


def test_return_sequences_state_initial_state_and_go_backwards():
    rng = np.random.default_rng(1)
    kernel, rkernel, bias = random_weights("lstm", 3, 4, rng)
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    h0, c0 = (rng.standard_normal((2, 4)).astype(np.float32) for _ in range(2))
    for go_backwards in (False, True):
        seq_ref, h_ref, c_ref = reference("lstm", x, h0, c0, kernel, rkernel, bias,
                                          go_backwards=go_backwards)
        layer = built("lstm", 4, 3, go_backwards=go_backwards)
        layer.set_weights([kernel, rkernel, bias])
        last = layer(x, initial_state=[h0, c0])
        assert last.shape == (2, 4)
        np.testing.assert_allclose(last.numpy(), seq_ref[:, -1], rtol=1e-5, atol=1e-6)
        layer.return_sequences = layer.return_state = True
        seq, h, c = layer(x, initial_state=[nncore.tensor(h0), nncore.tensor(c0)])
        for ours, theirs in ((seq, seq_ref), (h, h_ref), (c, c_ref)):
            np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-5, atol=1e-6)
    gru = built("gru", 4, 3, return_state=True)
    out, state = gru(x, initial_state=h0)
    np.testing.assert_array_equal(out.numpy(), state.numpy())


# ---------------------------------------------------------------- cells

@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_cells_step_by_step_match_the_layer(cell):
    rng = np.random.default_rng(2)
    batch, time, features, units = 3, 4, 2, 5
    weights = list(random_weights(cell, features, units, rng))
    layer = built(cell, units, features, return_sequences=True)
    layer.set_weights(weights)
    one = CELLS[cell](units)
    one.build((None, features))
    one.set_weights(weights)
    x = rng.standard_normal((batch, time, features)).astype(np.float32)
    states = one.get_initial_state(batch)
    assert len(states) == (2 if cell == "lstm" else 1)
    outputs = []
    for t in range(time):
        out, states = one(x[:, t], states)
        outputs.append(out.numpy())
    np.testing.assert_allclose(np.stack(outputs, 1), layer(x).numpy(), rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------- masking

@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_masked_padded_batch_matches_unpadded_sequences(cell):
    rng = np.random.default_rng(3)
    lengths, features, units = [4, 1, 3], 2, 3
    weights = list(random_weights(cell, features, units, rng))
    layer = built(cell, units, features)
    layer.set_weights(weights)
    padded = np.zeros((3, 4, features), np.float32)
    for i, n in enumerate(lengths):
        padded[i, :n] = rng.standard_normal((n, features)) + 2.0   # never all-zero
    mask = np.arange(4)[None] < np.array(lengths)[:, None]
    with_mask = layer(padded, mask=mask).numpy()
    via_masking = Sequential([layers.Masking(0.0), layer]).predict(padded, verbose=0)
    for i, n in enumerate(lengths):
        alone = layer(padded[i:i + 1, :n]).numpy()[0]
        np.testing.assert_allclose(with_mask[i], alone, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(via_masking[i], alone, rtol=1e-6, atol=1e-7)


def test_masking_layer_zeroes_masked_steps():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]], np.float32)
    masking = layers.Masking(mask_value=0.0)
    out = masking(x)
    np.testing.assert_array_equal(masking.compute_mask(nncore.tensor(x)).numpy(),
                                  [[True, False, True]])
    np.testing.assert_array_equal(out.numpy(), x)
    threes = np.array([[[3.0, 3.0], [3.0, 1.0]]], np.float32)
    assert layers.Masking(3.0)(threes).numpy().tolist() == [[[0.0, 0.0], [3.0, 1.0]]]


# ---------------------------------------------------------------- Bidirectional

@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_matches_two_manual_layers(merge_mode, return_sequences):
    rng = np.random.default_rng(4)
    features, units = 3, 4
    x = rng.standard_normal((2, 5, features)).astype(np.float32)
    wrapper = layers.Bidirectional(layers.GRU(units, return_sequences=return_sequences),
                                   merge_mode=merge_mode)
    wrapper.build((None, 5, features))
    forward_w = list(random_weights("gru", features, units, rng))
    backward_w = list(random_weights("gru", features, units, rng))
    wrapper.set_weights(forward_w + backward_w)
    assert [w.shape for w in wrapper.get_weights()] == [w.shape for w in forward_w * 2]
    forward = built("gru", units, features, return_sequences=return_sequences)
    backward = built("gru", units, features, return_sequences=return_sequences,
                     go_backwards=True)
    forward.set_weights(forward_w)
    backward.set_weights(backward_w)
    a, b = forward(x).numpy(), backward(x).numpy()
    if return_sequences:
        b = b[:, ::-1]
    expected = {"concat": np.concatenate([a, b], -1), "sum": a + b, "mul": a * b,
                "ave": (a + b) / 2, None: [a, b]}[merge_mode]
    got = wrapper(x)
    if merge_mode is None:
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g.numpy(), e, rtol=1e-6, atol=1e-7)
    else:
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6, atol=1e-7)
    width = 2 * units if merge_mode == "concat" else units
    shape = (None, 5, width) if return_sequences else (None, width)
    expected_shape = [shape, shape] if merge_mode is None else shape
    assert wrapper.compute_output_shape((None, 5, features)) == expected_shape


def test_bidirectional_return_state_and_initial_state():
    rng = np.random.default_rng(5)
    wrapper = layers.Bidirectional(layers.LSTM(3, return_state=True))
    x = rng.standard_normal((2, 4, 2)).astype(np.float32)
    states = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(4)]
    out, hf, cf, hb, cb = wrapper(x, initial_state=states)
    assert out.shape == (2, 6)
    fwd = wrapper.forward_layer(x, initial_state=states[:2])
    np.testing.assert_allclose(hf.numpy(), fwd[1].numpy())
    np.testing.assert_allclose(out.numpy()[:, :3], fwd[0].numpy())
    bwd = wrapper.backward_layer(x, initial_state=states[2:])
    np.testing.assert_allclose(cb.numpy(), bwd[2].numpy())


# ---------------------------------------------------------------- dropout

def test_dropout_masks_are_fixed_per_sequence_and_off_at_inference():
    # A linear cell with no recurrence: each output step is (x_t * input_mask) @ W, so a
    # constant input sequence gives a constant output sequence only if the mask is per
    # sequence.
    nncore.manual_seed(1)
    layer = built("simple_rnn", 3, 8, activation="linear", use_bias=False,
                  recurrent_initializer="zeros", return_sequences=True, dropout=0.5,
                  recurrent_dropout=0.5)
    x = np.ones((4, 6, 8), np.float32)
    train = layer(x, training=True).numpy()
    np.testing.assert_allclose(train, np.repeat(train[:, :1], 6, axis=1), rtol=1e-6)
    inference = layer(x).numpy()
    np.testing.assert_allclose(inference[:, 0], x[:, 0] @ layer.get_weights()[0], rtol=1e-6)
    assert not np.allclose(train, inference)


# ---------------------------------------------------------------- models

@pytest.mark.parametrize("make", [
    lambda: [layers.LSTM(8, input_shape=(6, 3)), layers.Dense(2)],
    lambda: [layers.GRU(8, return_sequences=True, input_shape=(6, 3)),
             layers.SimpleRNN(4, dropout=0.1, recurrent_dropout=0.1), layers.Dense(2)],
    lambda: [layers.Masking(input_shape=(6, 3)),
             layers.Bidirectional(layers.LSTM(5, go_backwards=True)), layers.Dense(2)],
    lambda: [layers.GRU(6, reset_after=False, input_shape=(6, 3)), layers.Dense(2)],
], ids=["lstm", "gru-simple", "masking-bidirectional", "gru-reset-before"])
def test_layers_train_in_a_model_and_save_and_load_bitwise(make, tmp_path):
    nncore.manual_seed(2)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((64, 6, 3)).astype(np.float32)
    x[::4, 4:] = 0.0                 # padded tails for the Masking model
    y = np.stack([x[:, :, 0].sum(1), x[:, :, 1].mean(1)], 1).astype(np.float32)
    model = Sequential(make())
    model.compile(optimizer=nncore.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    path = tmp_path / "model.nnc"
    model.save(path)
    loaded = load_model(path)
    assert type(loaded.layers[-2]) is type(model.layers[-2])
    assert model.predict(x, verbose=0).tobytes() == loaded.predict(x, verbose=0).tobytes()


def test_recurrent_layers_are_registered_entry_points():
    tomllib = pytest.importorskip("tomllib")
    from pathlib import Path
    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    declared = project["project"]["entry-points"]["nncore.layers"]
    for name in ("SimpleRNN", "LSTM", "GRU", "SimpleRNNCell", "LSTMCell", "GRUCell",
                 "Bidirectional", "Masking"):
        assert declared[name] == f"nncore.layers:{name}"
        assert getattr(layers, name).__name__ == name


# ---------------------------------------------------------------- errors

def test_bad_inputs_give_errors_naming_the_layer_and_shapes():
    layer = layers.LSTM(4, name="encoder")
    with pytest.raises(ValueError, match=r"LSTM layer 'encoder' expects a 3-d input \(batch, "
                                         r"time, features\), got shape \(2, 5\)"):
        layer(np.zeros((2, 5), np.float32))
    layer(np.zeros((2, 5, 3), np.float32))
    with pytest.raises(ValueError, match=r"LSTM layer 'encoder' expects inputs with 3 features"
                                         r".*got shape \(2, 5, 7\)"):
        layer(np.zeros((2, 5, 7), np.float32))
    with pytest.raises(ValueError, match=r"LSTM layer 'encoder': initial_state must be 2 "
                                         r"tensor\(s\) of shape \(2, 4\).*got shape\(s\) "
                                         r"\[\(2, 3\)\]"):
        layer(np.zeros((2, 5, 3), np.float32), initial_state=[np.zeros((2, 3), np.float32)])
    with pytest.raises(ValueError, match=r"LSTM layer 'encoder': the mask must have shape"):
        layer(np.zeros((2, 5, 3), np.float32), mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match=r"Input to model .* has shape \(2, 28\)"):
        Sequential([layers.GRU(3, input_shape=(28, 28))]).predict(np.zeros((2, 28)), verbose=0)
    with pytest.raises(NotImplementedError, match=r"SimpleRNNCell .*activation 'softmax' is "
                                                  r"not supported"):
        layers.SimpleRNN(3, activation="softmax")
    with pytest.raises(NotImplementedError, match="stateful"):
        layers.GRU(3, stateful=True)
    with pytest.raises(ValueError, match="dropout must be in"):
        layers.LSTM(3, dropout=1.5)
    cell = layers.GRUCell(3)
    cell(np.zeros((4, 2), np.float32), None)
    with pytest.raises(ValueError, match=r"GRUCell 'gru_cell.*' expects inputs of shape "
                                         r"\(batch, 2\), got shape \(4, 2, 2\)"):
        cell(np.zeros((4, 2, 2), np.float32), None)
