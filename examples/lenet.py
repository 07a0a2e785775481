"""LeNet-5 on MNIST: convolutions and pooling learn the digit features that the MLP had
to learn pixel by pixel.

    python examples/lenet.py [--quick] [--out DIR] [--data-dir DIR] [--epochs N]

The model is the one `nncore train --model lenet` trains (nncore.digits): conv 5x5 x6 -
max pool - conv 5x5 x16 - max pool - dense 120 - dense 84 - softmax 10. Uses the full
MNIST when it is on disk, otherwise the 10,000-image sample that ships with nncore;
--quick trains on 4,000 images for 1 epoch. Writes lenet_curves.png and lenet_filters.png
(the six learned 5x5 kernels of the first layer).
"""
import argparse
import os
from pathlib import Path

import numpy as np

import nncore
from nncore import digits
from nncore.images import write_png


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4,000 images, 1 epoch")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"))
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--epochs", type=int, default=None, help="default 3 (1 with --quick)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("NNCORE_OFFLINE", "1")  # look on disk only; never a surprise download
    nncore.manual_seed(0)
    ((x_train, y_train), (x_test, y_test)), source = digits.load_dataset(
        "mnist", args.data_dir, log=lambda message: None)
    epochs = args.epochs or (1 if args.quick else 3)
    if args.quick:
        x_train, y_train = x_train[:4000], y_train[:4000]
    print(f"LeNet-5 on {len(x_train):,} images of {source}, {epochs} epoch(s)")

    model = digits.build_model("lenet")
    model.summary()
    history = model.fit(x_train, y_train, batch_size=64, epochs=epochs, verbose=2,
                        validation_split=0.1)
    predicted = model.predict(x_test, batch_size=512, verbose=0).argmax(1)
    print(f"test accuracy: {np.mean(predicted == y_test):.4f}")
    history.plot(out / "lenet_curves.png")

    kernels = model.layers[2].get_weights()[0][:, :, 0, :]       # (5, 5, 6)
    tiles = []
    for k in np.moveaxis(kernels, -1, 0):
        k = (k - k.min()) / max(k.max() - k.min(), 1e-6)
        tiles.append(np.pad(np.kron(k, np.ones((16, 16))), 2, constant_values=1.0))
    write_png(out / "lenet_filters.png", np.concatenate(tiles, axis=1))
    print(f"saved {out / 'lenet_curves.png'} and {out / 'lenet_filters.png'}")


if __name__ == "__main__":
    main()
