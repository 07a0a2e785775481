"""Tensors in nncore: creation, views, broadcasting, reductions and matmul, next to NumPy.

    python examples/tensor_basics.py [--quick] [--out DIR]

Prints only; --quick and --out are accepted so every example takes the same flags.
"""
import argparse

import numpy as np

import nncore


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="accepted for uniformity")
    parser.add_argument("--out", default=None, help="accepted for uniformity; nothing is "
                                                    "written")
    return parser.parse_args(argv)


def main(argv=None):
    parse_args(argv)
    nncore.manual_seed(0)
    x = nncore.randn(4, 3)
    print("x =", x)

    # Views share memory: a transpose or a slice copies nothing.
    xt = x.T
    print("x.T is a view with strides", xt.stride(), "contiguous:", xt.is_contiguous())
    x[0] = 0.0
    print("after x[0] = 0, x.T[:, 0] =", xt[:, 0])

    # NumPy interop without copies, in both directions.
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = nncore.from_numpy(a)
    t *= 10
    print("the NumPy array sees the in-place change:", a.tolist())

    # Broadcasting and reductions follow NumPy's rules.
    centered = x - x.mean(0, keepdim=True)
    print("column means after centering:", centered.mean(0))
    print("variance per column (unbiased):", x.var(0))

    # matmul on the engine's own GEMM.
    w = nncore.randn(3, 2)
    print("x @ w =", x @ w)
    print("engine:", nncore.info())


if __name__ == "__main__":
    main()
