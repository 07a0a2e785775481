"""A recurrent network reads MNIST digits row by row: each 28x28 image is a sequence of 28
steps of 28 pixels, an LSTM(128) carries what it has seen so far in its state, and a
Dense(10) reads the class off its last output.

    python examples/lstm_mnist.py [--quick] [--out DIR] [--data-dir DIR] [--epochs N]
                                  [--download]

Uses the full MNIST when it is on disk (--data-dir, $NNCORE_DATA or ~/.nncore/datasets;
--download fetches it), otherwise the 10,000-image sample that ships with nncore. --quick
trains on 3,000 images for 2 epochs. Writes to DIR (default: examples/output/):
lstm_mnist_curves.png (loss and accuracy per epoch) and lstm_mnist_steps.png (for a few
test digits, the class probabilities after each row read: the answer forms as the pen
strokes appear).
"""
import argparse
import os
from pathlib import Path

import numpy as np

import nncore
from nncore import digits, layers, losses, optimizers
from nncore.models import Sequential


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3,000 images, 2 epochs")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"),
                        help="folder for the plots (created if missing)")
    parser.add_argument("--data-dir", default=None, help="folder with the MNIST files")
    parser.add_argument("--download", action="store_true",
                        help="download MNIST when it is not on disk")
    parser.add_argument("--epochs", type=int, default=None, help="default 5 (2 with --quick)")
    return parser.parse_args(argv)


def load_mnist(data_dir, download):
    """The full MNIST when it is on disk (or --download), else the shipped 10k sample."""
    if not download:
        os.environ["NNCORE_OFFLINE"] = "1"  # look on disk only; never a surprise download
    return digits.load_dataset("mnist", data_dir, log=lambda message: None)


def build_model(units=128):
    """Rows are time steps: (batch, 28 rows, 28 pixels) -> LSTM -> 10 logits."""
    model = Sequential([layers.Rescaling(1 / 255, input_shape=(28, 28)),
                        layers.LSTM(units, name="lstm"),
                        layers.Dense(10, name="classifier")])
    model.compile(optimizer=optimizers.Adam(1e-3),
                  loss=losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def probabilities_per_row(model, images):
    """Class probabilities after each row: the trained LSTM run with return_sequences,
    the classifier applied to every step's output."""
    by_name = {layer.name: layer for layer in model.layers}
    lstm, classifier = by_name["lstm"], by_name["classifier"]
    stepwise = layers.LSTM(lstm.units, return_sequences=True)
    stepwise.build((None, 28, 28))
    stepwise.set_weights(lstm.get_weights())
    with nncore.no_grad():
        logits = classifier(stepwise(nncore.tensor(images.astype(np.float32) / 255)))
        return nncore.functional.softmax(logits, dim=-1).numpy()


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    nncore.manual_seed(0)
    ((x_train, y_train), (x_test, y_test)), source = load_mnist(args.data_dir, args.download)
    epochs = args.epochs or (2 if args.quick else 5)
    if args.quick:
        x_train, y_train = x_train[:3000], y_train[:3000]
        x_test, y_test = x_test[:1000], y_test[:1000]
    print(f"training on {len(x_train):,} images from {source}, testing on {len(x_test):,}; "
          f"{epochs} epochs; each image is read as 28 rows of 28 pixels")
    model = build_model()
    model.summary()
    history = model.fit(x_train, y_train, batch_size=64, epochs=epochs, verbose=2,
                        validation_split=0.1)
    predicted = model.predict(x_test, batch_size=1000, verbose=0).argmax(axis=1)
    print(f"test accuracy: {np.mean(predicted == y_test):.4f}")
    path = out / "lstm_mnist_curves.png"
    history.plot(path)
    print(f"saved {path}")
    picks = [int(np.flatnonzero(y_test == digit)[0]) for digit in (0, 3, 7, 9)
             if np.any(y_test == digit)]
    probabilities = probabilities_per_row(model, x_test[picks])
    for i, p in zip(picks, probabilities):
        confident = np.flatnonzero(p.max(-1) > 0.9)
        when = f"row {confident[0] + 1}" if len(confident) else "never"
        print(f"  digit {y_test[i]}: predicted {p[-1].argmax()}, first more than 90% sure "
              f"after {when}")
    path = out / "lstm_mnist_steps.png"
    plot_steps(x_test[picks], y_test[picks], probabilities, path)
    print(f"saved {path}")


def plot_steps(images, labels, probabilities, path):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3.2 * len(images), 6), layout="constrained")
    axes = figure.subplots(2, len(images), squeeze=False)
    for k, (image, label, p) in enumerate(zip(images, labels, probabilities)):
        axes[0, k].imshow(image, cmap="gray_r")
        axes[0, k].set(title=f"digit {label}", xticks=[], yticks=[])
        shown = axes[1, k].imshow(p.T, aspect="auto", cmap="viridis", vmin=0, vmax=1,
                                  origin="lower", extent=(0.5, 28.5, -0.5, 9.5))
        axes[1, k].set(xlabel="rows read", ylabel="class", yticks=range(10),
                       title="P(class) after each row")
    figure.colorbar(shown, ax=axes[1, :].tolist(), shrink=0.8)
    figure.savefig(path)


if __name__ == "__main__":
    main()
