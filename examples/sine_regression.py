"""Time-series regression with recurrent networks: from the last 30 values of a noisy sine
wave, predict the next one. SimpleRNN, GRU and LSTM layers of 32 units are trained on the
same windows with the mean squared error; each then forecasts the held-out end of the series
one step ahead (from true values) and free-running (feeding its own predictions back).

    python examples/sine_regression.py [--quick] [--out DIR] [--epochs N]

The series is sin(0.1 t) * (1 + 0.3 sin(0.013 t)) plus Gaussian noise (sigma 0.1): a
slowly modulated wave, so the networks must track amplitude as well as phase. Writes
sine_regression.png (the series, the three forecasts, and the training losses) to DIR
(default: examples/output/).
"""
import argparse
from pathlib import Path

import numpy as np

import nncore
from nncore import layers, optimizers
from nncore.models import Sequential

WINDOW = 30
NOISE = 0.1


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a shorter series, fewer epochs")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"),
                        help="folder for the plots (created if missing)")
    parser.add_argument("--epochs", type=int, default=None, help="default 30 (6 with --quick)")
    return parser.parse_args(argv)


def series(length, seed=0):
    t = np.arange(length, dtype=np.float64)
    clean = np.sin(0.1 * t) * (1 + 0.3 * np.sin(0.013 * t))
    noisy = clean + np.random.default_rng(seed).normal(0.0, NOISE, length)
    return clean.astype(np.float32), noisy.astype(np.float32)


def windows(values):
    """(samples, WINDOW, 1) inputs and the value after each window."""
    idx = np.arange(len(values) - WINDOW)[:, None] + np.arange(WINDOW)[None]
    return values[idx][..., None], values[WINDOW:][:, None]


def build(kind):
    recurrent = getattr(layers, kind)(32, input_shape=(WINDOW, 1))
    model = Sequential([recurrent, layers.Dense(1)])
    model.compile(optimizer=optimizers.Adam(3e-3), loss="mse")
    return model


def free_running(model, history, steps):
    """Forecasts `steps` values, each from a window ending in the model's own outputs."""
    window = list(history[-WINDOW:])
    out = []
    for _ in range(steps):
        x = np.asarray(window[-WINDOW:], np.float32)[None, :, None]
        value = float(model.predict(x, verbose=0)[0, 0])
        out.append(value)
        window.append(value)
    return np.asarray(out)


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    length, test = (900, 150) if args.quick else (2400, 300)
    epochs = args.epochs or (6 if args.quick else 30)
    clean, noisy = series(length)
    train_values = noisy[:length - test]
    x, y = windows(train_values)
    print(f"{len(x)} training windows of {WINDOW} steps; forecasting the last {test} values; "
          f"{epochs} epochs; noise sigma {NOISE} (the floor of the one-step MSE is "
          f"{NOISE ** 2:.3f})")
    # One-step-ahead inputs over the test stretch: windows of true (noisy) values.
    xt, yt = windows(noisy[length - test - WINDOW:])
    results = {}
    for kind in ("SimpleRNN", "GRU", "LSTM"):
        nncore.manual_seed(0)
        model = build(kind)
        history = model.fit(x, y, batch_size=32, epochs=epochs, verbose=0, shuffle=True)
        one_step = model.predict(xt, verbose=0)[:, 0]
        free = free_running(model, train_values, test)
        mse_noisy = float(np.mean((one_step - yt[:, 0]) ** 2))
        mse_clean = float(np.mean((free - clean[length - test:]) ** 2))
        results[kind] = dict(loss=history.history["loss"], one_step=one_step, free=free,
                             mse_noisy=mse_noisy, mse_clean=mse_clean)
        print(f"  {kind:<9} training loss {history.history['loss'][-1]:.4f} | one-step MSE "
              f"{mse_noisy:.4f} | free-running MSE against the clean wave {mse_clean:.4f}")
    path = out / "sine_regression.png"
    plot(clean, noisy, test, results, path)
    print(f"saved {path}")


def plot(clean, noisy, test, results, path):
    from matplotlib.figure import Figure

    length = len(clean)
    t = np.arange(length)
    start = length - test - 3 * WINDOW
    figure = Figure(figsize=(13, 8), layout="constrained")
    grid = figure.subplots(2, 2, gridspec_kw={"width_ratios": [3, 1]})
    colors = {"SimpleRNN": "tab:green", "GRU": "tab:orange", "LSTM": "tab:red"}
    for ax, key, title in ((grid[0, 0], "one_step", "one step ahead (from the true values)"),
                           (grid[1, 0], "free", "free-running (fed its own predictions)")):
        ax.plot(t[start:], noisy[start:], ".", color="0.6", markersize=3, label="noisy series")
        ax.plot(t[start:], clean[start:], color="black", linewidth=1, label="clean wave")
        for kind, r in results.items():
            ax.plot(t[length - test:], r[key], color=colors[kind], label=kind)
        ax.axvline(length - test, color="0.3", linestyle=":")
        ax.set(title=f"forecast, {title}", xlabel="t")
        ax.legend(fontsize=8, loc="upper left")
    for kind, r in results.items():
        grid[0, 1].plot(np.arange(1, len(r["loss"]) + 1), r["loss"], color=colors[kind],
                        label=kind)
    grid[0, 1].axhline(NOISE ** 2, color="0.5", linestyle="--", label="noise floor")
    grid[0, 1].set(yscale="log", xlabel="epoch", ylabel="training MSE", title="training loss")
    grid[0, 1].legend(fontsize=8)
    grid[1, 1].axis("off")
    lines = ["test MSE", "", f"{'':<10}{'one step':>9}{'free':>8}"]
    lines += [f"{kind:<10}{r['mse_noisy']:>9.4f}{r['mse_clean']:>8.4f}"
              for kind, r in results.items()]
    lines += ["", "one step: against the noisy", "values; free-running: against", "the clean wave"]
    grid[1, 1].text(0.0, 0.95, "\n".join(lines), family="monospace", va="top", fontsize=10)
    figure.savefig(path)


if __name__ == "__main__":
    main()
