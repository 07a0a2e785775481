"""Test accuracy on full MNIST of the digit recognizer's models (the figures the README
reports): the 784-256-128-10 ReLU MLP with softmax cross-entropy and Adam (batch 128),
LeNet-5 (batch 64), and the lectures' 784-32-10 sigmoid network with MSE and Adam(1e-3)
(batch 32), 10 epochs each.

    python bench/mnist_accuracy.py [--data-dir DIR] [--epochs 10] [--dataset mnist]

The data is read from --data-dir, else ../shared/data/<dataset> next to the repository,
else the usual nncore.datasets search path. Nothing is downloaded when NNCORE_OFFLINE=1.
"""
import argparse
import os
import sys
import time

import nncore
from nncore import digits


def _default_dir(dataset):
    here = os.path.dirname(os.path.abspath(__file__))
    candidate = os.path.join(here, "..", "..", "shared", "data", dataset)
    return candidate if os.path.isdir(candidate) else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--dataset", default="mnist", choices=["mnist", "fashion-mnist"])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--models", nargs="+", default=["mlp", "lenet", "seed"],
                        choices=sorted(digits.MODELS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from nncore.datasets import fashion_mnist, mnist
    module = mnist if args.dataset == "mnist" else fashion_mnist
    (x_train, y_train), (x_test, y_test) = module.load_data(
        args.data_dir or _default_dir(args.dataset))
    print(f"# {args.dataset}: {len(x_train):,} training / {len(x_test):,} test images, "
          f"{args.epochs} epochs, {nncore.get_num_threads()} threads, "
          f"{time.strftime('%Y-%m-%d')}")
    print("| model | test accuracy | training time |")
    print("|---|---|---|")
    for name in args.models:
        nncore.manual_seed(args.seed)
        model = digits.build_model(name)
        start = time.perf_counter()
        model.fit(x_train, digits.targets_for(model, y_train),
                  batch_size=digits.BATCH_SIZES[name], epochs=args.epochs,
                  verbose=0)
        seconds = time.perf_counter() - start
        accuracy = (model.predict(x_test, batch_size=1024, verbose=0).argmax(-1)
                    == y_test).mean()
        print(f"| {name}: {model.count_params():,} parameters | {accuracy:.4f} | "
              f"{seconds:.1f} s |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
