"""Checks every kernel family against NumPy in this process's instruction set.

Run by test_isa.py in a subprocess with NNCORE_ISA set (the choice is made once per
process). Exits non-zero with a message on the first mismatch.
"""
import math
import sys

import numpy as np

import nncore


def check(name, got, expected, rtol, atol):
    got = got.numpy() if isinstance(got, nncore.Tensor) else got
    if got.shape != np.shape(expected) or not np.allclose(got, expected, rtol=rtol, atol=atol,
                                                           equal_nan=True):
        print(f"{nncore.info()['isa']}: {name} differs from NumPy", file=sys.stderr)
        sys.exit(1)


def check_activations(n, a, ta, rtol):
    """A few activations and softmax against float64 NumPy formulas (forward only: the
    backward kernels come from the same per-ISA table)."""
    x = a.astype(np.float64)
    erf = np.vectorize(math.erf)
    tol = max(rtol, 1e-14)
    F = nncore.functional
    check(f"sigmoid[{n}]", F.sigmoid(ta), 1 / (1 + np.exp(-x)), 3 * tol, tol)
    check(f"tanh[{n}]", F.tanh(ta), np.tanh(x), 3 * tol, tol)
    check(f"gelu[{n}]", F.gelu(ta), x * 0.5 * (1 + erf(x / math.sqrt(2))), 3 * tol, 10 * tol)
    check(f"mish[{n}]", F.mish(ta), x * np.tanh(np.log1p(np.exp(x))), 3 * tol, 10 * tol)
    check(f"relu[{n}]", F.relu(ta), np.maximum(x, 0), 0, 0)
    e = np.exp(x - x.max())
    check(f"softmax[{n}]", F.softmax(ta, 0), e / e.sum(), 10 * tol, tol)
    check(f"log_softmax[{n}]", F.log_softmax(ta, 0), np.log(e / e.sum()), 10 * tol, 10 * tol)
    if n % 5 == 0:  # softmax along a strided axis (the column kernel)
        m = x.reshape(5, -1)
        em = np.exp(m - m.max(0))
        check(f"softmax(0)[{n}]", F.softmax(ta.reshape(5, -1), 0), em / em.sum(0), 10 * tol, tol)


def check_recurrent(dtype, rtol):
    """The recurrent cells' fused row kernels (default and other activations) against the
    NumPy reference of tests/rnn_reference.py (forward; BPTT uses the same table)."""
    from rnn_reference import random_weights, reference
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 5, 4))
    for cell, options in (("lstm", {}), ("lstm", {"recurrent_activation": "hard_sigmoid"}),
                          ("gru", {}), ("gru", {"reset_after": False, "activation": "relu"}),
                          ("simple_rnn", {})):
        weights = random_weights(cell, 4, 20, rng, options.get("reset_after", True))
        expected = reference(cell, x, None, None, *weights, **options)[0]
        args = [nncore.tensor(np.asarray(w), dtype=nncore.as_dtype(dtype.__name__))
                for w in (x,) + weights]
        fn = {"lstm": lambda *a, **o: nncore.functional.lstm(a[0], None, None, *a[1:], **o),
              "gru": lambda *a, **o: nncore.functional.gru(a[0], None, *a[1:], **o),
              "simple_rnn": lambda *a, **o: nncore.functional.rnn(a[0], None, *a[1:], **o)}
        out = fn[cell](*args, **options)[0]
        check(f"{cell} {options}", out, expected, 10 * rtol, 10 * rtol)


def main():
    rng = np.random.default_rng(0)
    for dtype, rtol in ((np.float32, 1e-5), (np.float64, 1e-12)):
        for n in (1, 15, 17, 100, 40_000):  # tails, full vectors, threaded lengths
            a = rng.uniform(-5, 5, n).astype(dtype)
            b = rng.uniform(0.5, 5, n).astype(dtype)
            ta, tb = nncore.from_numpy(a), nncore.from_numpy(b)
            for op, ref in ((nncore.add, np.add), (nncore.sub, np.subtract),
                            (nncore.mul, np.multiply), (nncore.div, np.divide),
                            (nncore.maximum, np.maximum), (nncore.pow, np.power)):
                check(f"{op.__name__}[{n}]", op(tb, tb if op is nncore.pow else ta),
                      ref(b, b if op is nncore.pow else a), rtol, rtol)
            check(f"exp[{n}]", nncore.exp(ta), np.exp(a), 3 * rtol, 0)
            check(f"log[{n}]", nncore.log(tb), np.log(b), 3 * rtol, rtol)
            check(f"sqrt[{n}]", nncore.sqrt(tb), np.sqrt(b), rtol, 0)
            check(f"abs[{n}]", abs(ta), np.abs(a), 0, 0)
            check(f"sum[{n}]", ta.sum(), a.sum(dtype=np.float64), 10 * rtol, 10 * rtol)
            check(f"max[{n}]", ta.max(), a.max(), 0, 0)
            check(f"lt[{n}]", ta < tb, a < b, 0, 0)
            check_activations(n, a, ta, rtol)
        m = rng.standard_normal((70, 300)).astype(dtype)
        check("sum(0)", nncore.from_numpy(m).sum(0), m.sum(0), 10 * rtol, 10 * rtol)
        for (mm, nn, kk) in ((1, 1, 1), (13, 29, 31), (64, 48, 257), (128, 256, 784)):
            x = rng.standard_normal((mm, kk)).astype(dtype)
            y = rng.standard_normal((nn, kk)).astype(dtype)
            tol = 1e-4 if dtype == np.float32 else 1e-10
            check(f"matmul {mm}x{nn}x{kk}", nncore.from_numpy(x) @ nncore.from_numpy(y).T,
                  x @ y.T, tol, tol * kk ** 0.5)
            check(f"matmul^T {mm}x{nn}x{kk}",
                  nncore.from_numpy(x).T @ nncore.from_numpy(x), x.T @ x, tol, tol * mm ** 0.5)
        check_recurrent(dtype, rtol)
    print(nncore.info()["isa"])


if __name__ == "__main__":
    main()
