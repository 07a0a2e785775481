"""Test accuracy on full MNIST of an LSTM(128) reading each image row by row (28 steps of
28 pixels), then Dense(10): softmax cross-entropy on logits, Adam(1e-3), batch 64.

    python bench/lstm_mnist_accuracy.py [--data-dir DIR] [--epochs 5] [--seed 0]

The data is read from --data-dir, else ../shared/data/mnist next to the repository, else the
usual nncore.datasets search path. Nothing is downloaded when NNCORE_OFFLINE=1.
"""
import argparse
import os
import sys
import time

import numpy as np

import nncore
from nncore import layers, losses, optimizers
from nncore.models import Sequential


def _default_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    candidate = os.path.join(here, "..", "..", "shared", "data", "mnist")
    return candidate if os.path.isdir(candidate) else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from nncore.datasets import mnist
    (x_train, y_train), (x_test, y_test) = mnist.load_data(args.data_dir or _default_dir())
    print(f"# mnist: {len(x_train):,} training / {len(x_test):,} test images read as 28 rows "
          f"of 28 pixels, LSTM({args.units}) + Dense(10), {args.epochs} epochs, "
          f"{nncore.get_num_threads()} threads, {time.strftime('%Y-%m-%d')}")
    nncore.manual_seed(args.seed)
    model = Sequential([layers.Rescaling(1 / 255, input_shape=(28, 28)),
                        layers.LSTM(args.units), layers.Dense(10)])
    model.compile(optimizer=optimizers.Adam(1e-3),
                  loss=losses.SparseCategoricalCrossentropy(from_logits=True))
    print("| epoch | test accuracy | training time |")
    print("|---|---|---|")
    elapsed = 0.0
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)
        elapsed += time.perf_counter() - start
        accuracy = float(np.mean(model.predict(x_test, batch_size=1000, verbose=0).argmax(-1)
                                 == y_test))
        print(f"| {epoch} | {accuracy:.4f} | {elapsed:.1f} s |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
