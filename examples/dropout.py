"""Overfitting, and dropout against it: a large network trained on a few hundred MNIST
digits learns the training set by heart while its validation loss turns back up; the
same network with dropout between its layers keeps training and validation closer.
(Training figures are measured with dropout switched on, as Keras reports them, so they
sit above what the same weights score at test time.)

    python examples/dropout.py [--quick] [--out DIR]

Uses the 10,000-image MNIST sample that ships with nncore. Writes dropout.png (training
and validation curves of both networks) to DIR (default: examples/output/).
"""
import argparse
from pathlib import Path

import numpy as np

import nncore
from nncore import layers, optimizers
from nncore.datasets import mnist
from nncore.models import Sequential


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer images and epochs")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"),
                        help="folder for the plots (created if missing)")
    return parser.parse_args(argv)


def network(rate):
    """784-256-256-10 with ReLU; Dropout(rate) after each hidden layer when rate > 0."""
    stack = [layers.Rescaling(1 / 255, input_shape=(28, 28)), layers.Flatten()]
    for _ in range(2):
        stack.append(layers.Dense(256, activation="relu"))
        if rate:
            stack.append(layers.Dropout(rate))
    stack.append(layers.Dense(10, activation="softmax"))
    model = Sequential(stack)
    model.compile(optimizer=optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (x_train, y_train), (x_val, y_val) = mnist.load_sample()
    n_train, epochs = (400, 15) if args.quick else (1000, 40)
    x_train, y_train = x_train[:n_train], y_train[:n_train]
    print(f"{n_train} training digits, {len(x_val)} validation digits, {epochs} epochs")
    histories = {}
    for name, rate in (("no dropout", 0.0), ("dropout 0.5", 0.5)):
        nncore.manual_seed(0)  # the same initial weights for both
        history = network(rate).fit(x_train, y_train, batch_size=32, epochs=epochs,
                                    validation_data=(x_val, y_val), verbose=0)
        histories[name] = history.history
        h = history.history
        best = int(np.argmin(h["val_loss"]))
        print(f"  {name:<12} final: train loss {h['loss'][-1]:.3f} acc {h['accuracy'][-1]:.3f}"
              f" | validation loss {h['val_loss'][-1]:.3f} acc {h['val_accuracy'][-1]:.3f}"
              f" | lowest validation loss {h['val_loss'][best]:.3f} at epoch {best + 1}")
    path = out / "dropout.png"
    plot(histories, path)
    print(f"saved {path}")


def plot(histories, path):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(12, 4.2), layout="constrained")
    axes = figure.subplots(1, 2)
    colors = {"no dropout": "tab:red", "dropout 0.5": "tab:blue"}
    for ax, metric in zip(axes, ("loss", "accuracy")):
        for name, h in histories.items():
            epochs = np.arange(1, len(h[metric]) + 1)
            ax.plot(epochs, h[metric], color=colors[name], linestyle="--",
                    label=f"{name}: training")
            ax.plot(epochs, h["val_" + metric], color=colors[name],
                    label=f"{name}: validation")
        ax.set(xlabel="epoch", ylabel=metric, title=f"{metric}: training (dashed) vs "
                                                    f"validation (solid)")
        ax.legend(fontsize=8)
    figure.savefig(path)


if __name__ == "__main__":
    main()
