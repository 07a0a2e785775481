"""The lectures' fixed convolution kernels — blur, edge detection, sharpen — applied to an
MNIST digit with nncore.functional.conv2d, saved side by side as one PNG.

    python examples/conv_kernels.py [--quick] [--out DIR] [--index N]

A convolution slides a small kernel over the image and takes the weighted sum under it;
CNNs learn such kernels, here they are written by hand. Writes conv_kernels.png.
"""
import argparse
from pathlib import Path

import numpy as np

import nncore
import nncore.functional as F
from nncore.datasets import mnist
from nncore.images import write_png

KERNELS = {
    "box blur": np.full((3, 3), 1 / 9),
    "gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
    "edges (Laplacian)": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    "vertical edges (Sobel)": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "horizontal edges (Sobel)": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="(already quick)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"))
    parser.add_argument("--index", type=int, default=0, help="which test digit")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    (_, _), (x_test, y_test) = mnist.load_sample()
    digit = x_test[args.index].astype(np.float32) / 255.0
    image = nncore.tensor(digit).reshape(1, 1, 28, 28)          # N, C, H, W
    # All six kernels at once: one conv2d with six output channels (PyTorch's layout).
    weight = nncore.tensor(np.stack(list(KERNELS.values()))[:, None].astype(np.float32))
    filtered = F.conv2d(image, weight, padding=1).numpy()[0]    # (6, 28, 28)

    tiles = [digit]
    print(f"digit {args.index} (label {y_test[args.index]}) through {len(KERNELS)} kernels:")
    for (name, kernel), response in zip(KERNELS.items(), filtered):
        print(f"  {name:26s} sum {kernel.sum():5.2f}  response range "
              f"[{response.min():6.2f}, {response.max():5.2f}]")
        # Edge responses are signed: show their magnitude, scaled to the full range.
        shown = np.abs(response) if kernel.sum() == 0 else np.clip(response, 0, None)
        tiles.append(shown / max(shown.max(), 1e-6))
    gap = np.ones((28, 2), np.float32)
    row = np.concatenate([np.concatenate([t, gap], axis=1) for t in tiles], axis=1)
    big = np.kron(row, np.ones((4, 4), np.float32))             # easier to see
    path = out / "conv_kernels.png"
    write_png(path, big)
    print(f"saved {path} (original, then {', '.join(KERNELS)})")


if __name__ == "__main__":
    main()
