"""The lectures' MNIST listing: a 784-32-10 network of sigmoid units trained on the mean
squared error with Adam, written with nncore's Keras-style API.

    python examples/mnist_mlp.py [--quick] [--out DIR] [--data-dir DIR] [--epochs N]
                                 [--learning-rate LR] [--download]

Uses the full MNIST when it is on disk (--data-dir, $NNCORE_DATA or ~/.nncore/datasets;
--download fetches it), otherwise the 10,000-image sample that ships with nncore. --quick
trains on 6,000 images for 2 epochs. Writes mnist_mlp_curves.png (loss and accuracy,
training and validation) to DIR (default: examples/output/).
"""
import argparse
import os
from pathlib import Path

import numpy as np

import nncore
from nncore import digits


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6,000 images, 2 epochs")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"),
                        help="folder for the plots (created if missing)")
    parser.add_argument("--data-dir", default=None, help="folder with the MNIST files")
    parser.add_argument("--download", action="store_true",
                        help="download MNIST when it is not on disk")
    parser.add_argument("--epochs", type=int, default=None, help="default 5 (2 with --quick)")
    parser.add_argument("--learning-rate", type=float, default=1e-3,
                        help="the listing's 1e-5 needs far more epochs to learn")
    return parser.parse_args(argv)


def load_mnist(data_dir, download):
    """The full MNIST when it is on disk (or --download), else the shipped 10k sample."""
    if not download:
        os.environ["NNCORE_OFFLINE"] = "1"  # look on disk only; never a surprise download
    return digits.load_dataset("mnist", data_dir, log=lambda message: None)


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    nncore.manual_seed(0)
    ((x_train, y_train), (x_test, y_test)), source = load_mnist(args.data_dir, args.download)
    epochs = args.epochs or (2 if args.quick else 5)
    if args.quick:
        x_train, y_train = x_train[:6000], y_train[:6000]
    print(f"training on {len(x_train):,} images from {source}, testing on {len(x_test):,}; "
          f"{epochs} epochs, Adam learning rate {args.learning_rate:g}")

    # --- the lecture's listing (imports from nncore instead of Keras) ---
    from nncore.models import Sequential
    from nncore.layers import Flatten, Dense
    from nncore.optimizers import Adam
    from nncore.data import to_categorical

    X = x_train / 255.0
    y = to_categorical(y_train)
    model = Sequential([Flatten(input_shape=(28, 28)),
                        Dense(32, name='hidden_layer', activation='sigmoid'),
                        Dense(10, name='output_layer', activation='sigmoid')])
    model.compile(loss='mse', optimizer=Adam(learning_rate=args.learning_rate),
                  metrics=['accuracy'])
    model.summary()
    history = model.fit(X, y, epochs=epochs, verbose=2, validation_split=0.2)
    index = 7
    prediction = model.predict(np.expand_dims(X[index], axis=0), verbose=0)
    # --- end of the listing ---

    print(f"image {index}: label {y_train[index]}, predicted {prediction.argmax()} "
          f"(outputs {np.round(prediction[0].astype(float), 2).tolist()})")
    predicted = model.predict(x_test / 255.0, batch_size=1000, verbose=0).argmax(axis=1)
    print(f"test accuracy: {np.mean(predicted == y_test):.4f}")
    path = out / "mnist_mlp_curves.png"
    history.plot(path)
    print(f"saved {path}")


if __name__ == "__main__":
    main()
