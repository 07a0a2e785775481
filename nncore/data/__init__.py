"""NumPy-level data utilities: label encoding, splits, mini-batches, image augmentation.

    >>> from nncore.data import to_categorical, split_validation, batches, ImageAugmenter

Everything here works on plain NumPy arrays and returns NumPy arrays; slicing is preferred
to copying wherever the result allows it (unshuffled splits and batches are views).
"""
from nncore.data.labels import to_categorical
from nncore.data.splits import train_test_split, split_validation
from nncore.data.batching import BatchIterator, batches
from nncore.data.augmentation import (
    ImageAugmenter, rotate, translate, random_rotation, random_shift, random_flip,
    random_crop, random_brightness, random_contrast,
)

__all__ = ["to_categorical", "train_test_split", "split_validation", "BatchIterator",
           "batches", "ImageAugmenter", "rotate", "translate", "random_rotation",
           "random_shift", "random_flip", "random_crop", "random_brightness",
           "random_contrast"]
