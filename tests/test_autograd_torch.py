"""Gradients agree with PyTorch's autograd on random composite functions."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nncore

torch = pytest.importorskip("torch")

# (nncore function, torch function) pairs over two operands of the same shape.
BINARY = [
    (lambda a, b: a + b, lambda a, b: a + b),
    (lambda a, b: a * b, lambda a, b: a * b),
    (lambda a, b: a - 2 * b, lambda a, b: a - 2 * b),
    (lambda a, b: a / (b * b + 1), lambda a, b: a / (b * b + 1)),
    (lambda a, b: nncore.maximum(a, b), lambda a, b: torch.maximum(a, b)),
    (lambda a, b: nncore.where(a > b, a * b, a), lambda a, b: torch.where(a > b, a * b, a)),
]
UNARY = [
    (lambda x: nncore.exp(x * 0.3), lambda x: torch.exp(x * 0.3)),
    (lambda x: nncore.sqrt(x * x + 1), lambda x: torch.sqrt(x * x + 1)),
    (lambda x: nncore.log(nncore.abs(x) + 1), lambda x: torch.log(torch.abs(x) + 1)),
    (lambda x: x.clip(-0.5, 0.7), lambda x: x.clamp(-0.5, 0.7)),
    (lambda x: x - x.mean(-1, keepdim=True), lambda x: x - x.mean(-1, keepdim=True)),
    (lambda x: x * x.var(0, keepdim=True), lambda x: x * x.var(0, keepdim=True)),
    (lambda x: x.T.reshape(x.shape) * 2, lambda x: x.T.reshape(x.shape) * 2),
    (lambda x: x ** 2, lambda x: x ** 2),
]


@given(ops=st.lists(st.tuples(st.integers(0, len(BINARY) - 1), st.integers(0, len(UNARY) - 1)),
                    min_size=1, max_size=4),
       seed=st.integers(0, 2 ** 16))
@settings(max_examples=40)
def test_random_composites_match_torch(ops, seed):
    rng = np.random.default_rng(seed)
    a0, b0 = rng.standard_normal((2, 3, 4))
    na = nncore.tensor(a0, requires_grad=True)
    nb = nncore.tensor(b0, requires_grad=True)
    ta = torch.tensor(a0, requires_grad=True)
    tb = torch.tensor(b0, requires_grad=True)
    x, y = na, nb
    u, v = ta, tb
    for bi, ui in ops:
        x, y = BINARY[bi][0](x, y), UNARY[ui][0](x)
        u, v = BINARY[bi][1](u, v), UNARY[ui][1](u)
    (x.sum() + (y * y).mean()).backward()
    (u.sum() + (v * v).mean()).backward()
    np.testing.assert_allclose(na.grad.numpy(), ta.grad.numpy(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(nb.grad.numpy(), tb.grad.numpy(), rtol=1e-9, atol=1e-9)


def test_mlp_step_gradients_match_torch():
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((8, 20)).astype(np.float32)
    w1, b1 = rng.standard_normal((20, 16)).astype(np.float32) * 0.2, np.zeros(16, np.float32)
    w2 = rng.standard_normal((16, 5)).astype(np.float32) * 0.2
    ours = [nncore.tensor(p, requires_grad=True) for p in (w1, b1, w2)]
    theirs = [torch.tensor(p, requires_grad=True) for p in (w1, b1, w2)]

    def forward(lib, x, w1, b1, w2):
        h = (x @ w1 + b1)
        h = nncore.maximum(h, 0.0) if lib is nncore else torch.clamp(h, min=0.0)
        logits = h @ w2
        shifted = logits - logits.max(1, keepdim=True) if lib is nncore else \
            logits - logits.amax(1, keepdim=True)
        logp = shifted - lib.log(lib.exp(shifted).sum(1, keepdim=True))
        return -logp[:, 0].mean() if lib is torch else -logp[:, 0].mean()

    forward(nncore, nncore.tensor(x0), *ours).backward()
    forward(torch, torch.tensor(x0), *theirs).backward()
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6)
