"""Data augmentation preview: what random rotations, shifts, crops and intensity changes do
to MNIST digits, drawn as one PNG grid with nncore.images.write_png (no matplotlib).

    python examples/data_augmentation.py [--quick] [--out DIR]

Each row applies one nncore.data.ImageAugmenter to the same digits (first row: the
originals); every call draws new random parameters per image, so each digit changes
differently. Writes augmentation_grid.png to DIR (default: examples/output/).
"""
import argparse
from pathlib import Path

import numpy as np

from nncore.data import ImageAugmenter
from nncore.datasets import mnist
from nncore.images import write_png

AUGMENTERS = {
    "rotation up to 20 degrees": ImageAugmenter(rotation=20, interpolation="bilinear", seed=1),
    "shift up to 10%": ImageAugmenter(shift=0.1, seed=2),
    "crop after padding 3": ImageAugmenter(crop_padding=3, seed=3),
    "brightness and contrast": ImageAugmenter(brightness=0.3, contrast=0.5, seed=4),
    "all of the above": ImageAugmenter(rotation=20, shift=0.1, crop_padding=3,
                                       brightness=0.3, contrast=0.5,
                                       interpolation="bilinear", seed=5),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer digits per row")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"),
                        help="folder for the image (created if missing)")
    parser.add_argument("--scale", type=int, default=3, help="pixels per MNIST pixel")
    return parser.parse_args(argv)


def grid(rows, scale, gap=2):
    """Tiles rows of (n, 28, 28) uint8 images into one image, enlarged by `scale`, with
    mid-gray lines between tiles so black backgrounds stay apart."""
    tile = rows[0].shape[1] * scale
    n_rows, n_cols = len(rows), len(rows[0])
    canvas = np.full((n_rows * (tile + gap) + gap, n_cols * (tile + gap) + gap), 128,
                     dtype=np.uint8)
    for r, images in enumerate(rows):
        for c, image in enumerate(images):
            top, left = gap + r * (tile + gap), gap + c * (tile + gap)
            canvas[top:top + tile, left:left + tile] = np.kron(
                image, np.ones((scale, scale), dtype=np.uint8))
    return canvas


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (x, y), _ = mnist.load_sample()
    n = 6 if args.quick else 10
    # One example of each digit class, so the row reads 0, 1, 2, ...
    digits = x[[int(np.flatnonzero(y == d)[0]) for d in range(n)]]
    rows = [digits]
    print(f"{n} digits; row 1: the originals")
    for i, (name, augmenter) in enumerate(AUGMENTERS.items(), start=2):
        augmented = augmenter(digits)
        changed = np.mean(augmented != digits)
        print(f"row {i}: {name:<26} {augmenter!r}  ({changed:.0%} of pixels changed)")
        rows.append(augmented)
    path = out / "augmentation_grid.png"
    write_png(path, grid(rows, args.scale))
    print(f"saved {path}")


if __name__ == "__main__":
    main()
