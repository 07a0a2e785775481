"""Masking: marks padded time steps so a recurrent layer right after it skips them.

    model = Sequential([Masking(0.0, input_shape=(None, 3)), LSTM(16), Dense(1)])

A step whose features all equal ``mask_value`` is masked: the output is the input with
those steps zeroed (as in Keras), and the (batch, time) mask travels with that output
tensor to the next layer. nncore has no general mask propagation: a recurrent layer or
Bidirectional wrapper must come directly after the Masking layer (or be given ``mask=``).
"""
import threading

import numpy as np

import nncore
from nncore.layers.base import Layer

__all__ = ["Masking", "attach_mask", "attached_mask"]

# Tensors cannot carry attributes, so a Masking output's mask is kept beside it, per thread,
# for the few most recent outputs. Entries hold the tensor itself, so its id cannot be
# reused while the entry exists; the identity check makes a stale id harmless anyway.
_KEEP = 4
_local = threading.local()


def _entries():
    entries = getattr(_local, "entries", None)
    if entries is None:
        entries = _local.entries = []
    return entries


def attach_mask(tensor, mask):
    """Records `mask` (batch, time) bool as the mask of `tensor`."""
    entries = _entries()
    entries[:] = [e for e in entries if e[0] is not tensor][-(_KEEP - 1):]
    entries.append((tensor, mask))


def attached_mask(tensor):
    """The mask recorded for this very tensor object by a Masking layer, or None."""
    for t, mask in reversed(_entries()):
        if t is tensor:
            return mask
    return None


class Masking(Layer):
    """Masks the time steps whose features all equal ``mask_value`` (Keras's Masking)."""

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = float(mask_value)

    def compute_mask(self, inputs, mask=None):
        values = inputs.detach().numpy()
        return nncore.tensor(np.any(values != self.mask_value, axis=-1))

    def call(self, inputs):
        mask = self.compute_mask(inputs)
        keep = nncore.tensor(mask.numpy()[..., None].astype(inputs.dtype.numpy_dtype))
        outputs = inputs * keep
        attach_mask(outputs, mask)
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
