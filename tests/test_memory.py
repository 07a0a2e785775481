"""Memory: storage returns to the pool, borrowed NumPy buffers are released, nothing grows."""
import gc
import os
import sys

import numpy as np

import nncore
import pytest


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def test_borrowed_arrays_are_released_when_the_last_view_dies():
    a = np.zeros((100, 100), np.float32)
    base = sys.getrefcount(a)
    t = nncore.from_numpy(a)
    views = [t[i] for i in range(10)] + [t.T, t.reshape(-1)]
    assert sys.getrefcount(a) == base + 1  # one reference, however many views
    del t
    assert sys.getrefcount(a) == base + 1
    del views
    gc.collect()
    assert sys.getrefcount(a) == base


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_repeated_steps_do_not_grow_memory():
    nncore.manual_seed(0)
    x = nncore.randn(128, 784)
    w = nncore.randn(784, 256)

    def step():
        h = nncore.maximum(x @ w, 0.0)
        g = (h - h.mean(0)) * 0.5
        return (x.T @ g).sum().item() + nncore.exp(-abs(g)).max().item()

    for _ in range(20):  # warm the pool
        step()
    gc.collect()
    before = _rss_bytes()
    for _ in range(100):
        step()
    gc.collect()
    grown = _rss_bytes() - before
    assert grown < 8 << 20, f"resident memory grew by {grown / 2**20:.1f} MiB over 100 steps"


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_training_steps_with_backward_do_not_grow_memory():
    nncore.manual_seed(0)
    x = nncore.randn(64, 100)
    w1 = (nncore.randn(100, 64) * 0.1).requires_grad_()
    w2 = (nncore.randn(64, 10) * 0.1).requires_grad_()

    def step():
        h = nncore.maximum(x @ w1, 0.0)
        loss = ((h @ w2) ** 2).mean()
        loss.backward()
        with nncore.no_grad():
            for p in (w1, w2):
                p -= p.grad * 0.01
                p.grad = None
        return loss.item()

    for _ in range(20):
        step()
    gc.collect()
    before = _rss_bytes()
    for _ in range(200):
        step()
    gc.collect()
    grown = _rss_bytes() - before
    assert grown < 4 << 20, f"resident memory grew by {grown / 2**20:.1f} MiB over 200 steps"
