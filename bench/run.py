"""nncore's benchmark runner: every workload side by side with NumPy (and PyTorch when it is
installed), in one process, interleaved, reported as ratios.

    python bench/run.py                      # every workload
    python bench/run.py gemm --threads 1     # one workload, one thread count
    python bench/run.py --quick              # fewer sizes and repeats

Speedups are nncore's speed over the other library's (> 1 means nncore is faster). NumPy's
OpenBLAS is run with its best kernel: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which pin it
to an older kernel on some machines, are removed from this process's environment before
NumPy loads (and nowhere else).
"""
import argparse
import os
import platform
import sys
import time

_PINNED = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
if any(v in os.environ for v in _PINNED):
    env = {k: v for k, v in os.environ.items() if k not in _PINNED}
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

import nncore  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:
    torch = None


# ---------------------------------------------------------------- timing

def _time_per_call(fn, min_seconds):
    """Seconds per call of fn, looping long enough for the clock to be accurate."""
    fn()
    loops = 1
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed / loops
        loops *= 2 if elapsed == 0 else max(2, int(min_seconds / max(elapsed, 1e-9) * 1.2))


# Thread pools keep spinning for a while after their last call (OpenBLAS for about 0.1 s,
# OpenMP for less) and would steal the cores from the next contender: let them go idle.
SETTLE_SECONDS = 0.25


def race(contenders, repeats, min_seconds, settle=SETTLE_SECONDS):
    """Best seconds per call of each contender over interleaved rounds, so that machine noise
    (which only ever slows a run down) hits all of them alike."""
    samples = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            if settle:
                time.sleep(settle)
            samples[name].append(_time_per_call(fn, min_seconds))
    return {name: min(s) for name, s in samples.items()}


class Threads:
    """Sets every library in the race to the same thread count."""

    def __init__(self, n):
        self.n = n

    def __enter__(self):
        self._limits = threadpool_limits(limits=self.n, user_api="blas")
        self._nncore = nncore.get_num_threads()
        nncore.set_num_threads(self.n)
        if torch is not None:
            self._torch = torch.get_num_threads()
            torch.set_num_threads(self.n)
        return self

    def __exit__(self, *exc):
        self._limits.unregister() if hasattr(self._limits, "unregister") else None
        nncore.set_num_threads(self._nncore)
        if torch is not None:
            torch.set_num_threads(self._torch)


# ---------------------------------------------------------------- workloads

def _gemm_cases(quick):
    squares = [256, 512, 1024] if quick else [256, 512, 1024, 2048]
    cases = [(f"{n}x{n} @ {n}x{n}", (n, n), (n, n), False, False) for n in squares]
    # An MNIST MLP step: forward x @ W, then the two products of the backward pass.
    cases += [
        ("mlp fwd 128x784 @ 784x256", (128, 784), (784, 256), False, False),
        ("mlp dW  (128x784)^T @ 128x256", (128, 784), (128, 256), True, False),
        ("mlp dX  128x256 @ (784x256)^T", (128, 256), (784, 256), False, True),
    ]
    return cases


def bench_gemm(threads, quick, dtype=np.float32):
    rng = np.random.default_rng(0)
    rows = []
    for label, sa, sb, ta, tb in _gemm_cases(quick):
        a = rng.standard_normal(sa).astype(dtype)
        b = rng.standard_normal(sb).astype(dtype)
        na, nb = (a.T if ta else a), (b.T if tb else b)
        m, k = na.shape
        n = nb.shape[1]
        xa, xb = nncore.from_numpy(a), nncore.from_numpy(b)
        xa, xb = (xa.T if ta else xa), (xb.T if tb else xb)
        contenders = {"nncore": lambda: xa @ xb, "numpy": lambda: na @ nb}
        if torch is not None:
            pa, pb = torch.from_numpy(a), torch.from_numpy(b)
            pa, pb = (pa.T if ta else pa), (pb.T if tb else pb)
            contenders["torch"] = lambda: pa @ pb
        flops = 2.0 * m * n * k
        for t in threads:
            with Threads(t):
                secs = race(contenders, repeats=3 if quick else 7, min_seconds=0.1)
            rows.append((label, t, {name: flops / s / 1e9 for name, s in secs.items()}))
    return "GFLOP/s", True, rows


def bench_overhead(threads, quick):
    """Per-call cost of tiny ops, where Python-to-kernel overhead dominates."""
    a = np.arange(8, dtype=np.float32)
    b = np.ones(8, dtype=np.float32)
    m = np.ones((8, 8), dtype=np.float32)
    xa, xb, xm = nncore.from_numpy(a), nncore.from_numpy(b), nncore.from_numpy(m)
    cases = [
        ("add 8 float32", lambda: xa + xb, lambda: a + b,
         (lambda ta, tb, tm: (lambda: ta + tb)) if torch else None),
        ("mul by scalar 8 float32", lambda: xa * 2.0, lambda: a * 2.0,
         (lambda ta, tb, tm: (lambda: ta * 2.0)) if torch else None),
        ("sum 8 float32", lambda: xa.sum(), lambda: a.sum(),
         (lambda ta, tb, tm: (lambda: ta.sum())) if torch else None),
        ("matmul 8x8", lambda: xm @ xm, lambda: m @ m,
         (lambda ta, tb, tm: (lambda: tm @ tm)) if torch else None),
    ]
    rows = []
    for label, ours, theirs, make_torch in cases:
        contenders = {"nncore": ours, "numpy": theirs}
        if make_torch is not None:
            contenders["torch"] = make_torch(torch.from_numpy(a), torch.from_numpy(b),
                                             torch.from_numpy(m))
        for t in threads:
            with Threads(t):
                secs = race(contenders, repeats=5 if quick else 9, min_seconds=0.02, settle=0)
            rows.append((label, t, {name: s * 1e9 for name, s in secs.items()}))
    return "ns per call", False, rows


def bench_autograd(threads, quick):
    """Forward + backward per iteration: a tiny graph where per-op overhead is everything,
    and an MNIST-sized MLP at batch 1."""
    if torch is None:
        return "us per iteration", False, []
    rng = np.random.default_rng(0)
    x8 = rng.random((8, 8), dtype=np.float32)
    nx = nncore.tensor(x8, requires_grad=True)
    tx = torch.tensor(x8, requires_grad=True)

    def tiny(x):
        return lambda: (x * x).sum().backward()

    shapes = [(784, 128), (128,), (128, 10), (10,)]
    params = [rng.standard_normal(s).astype(np.float32) * 0.05 for s in shapes]
    nparams = [nncore.tensor(p, requires_grad=True) for p in params]
    tparams = [torch.tensor(p, requires_grad=True) for p in params]
    sample = rng.random((1, 784), dtype=np.float32)
    ns, ts = nncore.tensor(sample), torch.tensor(sample)

    def mlp_nncore():
        w1, b1, w2, b2 = nparams
        h = nncore.maximum(ns @ w1 + b1, 0.0)
        out = h @ w2 + b2
        (out * out).mean().backward()

    def mlp_torch():
        w1, b1, w2, b2 = tparams
        h = torch.clamp(ts @ w1 + b1, min=0.0)
        out = h @ w2 + b2
        (out * out).mean().backward()

    cases = [("tiny: (x * x).sum().backward(), x 8x8", tiny(nx), tiny(tx)),
             ("mlp 784-128-10, batch 1, fwd+bwd", mlp_nncore, mlp_torch)]
    rows = []
    for label, ours, theirs in cases:
        for t in threads:
            with Threads(t):
                secs = race({"nncore": ours, "torch": theirs}, repeats=5 if quick else 9,
                            min_seconds=0.05, settle=0)
            rows.append((label, t, {name: s * 1e6 for name, s in secs.items()}))
    return "us per iteration", False, rows


def bench_mlp(threads, quick):
    """Training throughput of the MNIST MLPs (bench/mlp_training.py): model.fit against a
    plain PyTorch loop with the same model, loss and optimizer, in samples per second."""
    if torch is None:
        return "samples/s", True, []
    import mlp_training
    rows = []
    for case, batch_size in (("mlp 784-256-128-10 relu, CE", 128),
                             ("lecture 784-32-10 sigmoid, MSE", 32)):
        samples = batch_size * (16 if quick else 48)
        x, labels, onehot = mlp_training.data(samples)
        for t in threads:
            with Threads(t):
                secs = race({"nncore": mlp_training.nncore_trainer(case, x, labels, onehot,
                                                                   batch_size),
                             "torch": mlp_training.torch_trainer(case, x, labels, onehot,
                                                                 batch_size)},
                            repeats=3 if quick else 7, min_seconds=0.2)
            rows.append((f"{case}, batch {batch_size}", t,
                         {name: samples / s for name, s in secs.items()}))
    return "samples/s", True, rows


def bench_cnn(threads, quick):
    """LeNet-5 training throughput (samples/s) and conv2d forward+backward (ms) against
    PyTorch (bench/cnn_training.py); conv rows are reported as samples/s of their batch."""
    if torch is None:
        return "samples/s", True, []
    import cnn_training
    rows = []
    for batch_size in (64, 256):
        samples = batch_size * (4 if quick else 12)
        x, labels = cnn_training.lenet_data(samples)
        for t in threads:
            with Threads(t):
                secs = race({"nncore": cnn_training.nncore_trainer(x, labels, batch_size),
                             "torch": cnn_training.torch_trainer(x, labels, batch_size)},
                            repeats=3 if quick else 5, min_seconds=0.3)
            rows.append((f"LeNet-5 training, batch {batch_size}", t,
                         {name: samples / s for name, s in secs.items()}))
    for case in cnn_training.CONV_CASES:
        ours, theirs = cnn_training.conv_pair(case)
        for t in threads:
            with Threads(t):
                secs = race({"nncore": ours, "torch": theirs}, repeats=3 if quick else 7,
                            min_seconds=0.1)
            rows.append((f"conv2d fwd+bwd {case[0]}, batch {case[1]}", t,
                         {name: case[1] / s for name, s in secs.items()}))
    return "samples/s", True, rows


def bench_rnn(threads, quick):
    """Training throughput of LSTM(128) and GRU(128) on 28x28 sequences
    (bench/rnn_training.py): model.fit against a plain PyTorch loop, in samples per second."""
    if torch is None:
        return "samples/s", True, []
    import rnn_training
    batch_size = 64
    samples = batch_size * (8 if quick else 24)
    x, labels = rnn_training.data(samples)
    rows = []
    for case in rnn_training.CASES:
        for t in threads:
            with Threads(t):
                secs = race({"nncore": rnn_training.nncore_trainer(case, x, labels, batch_size),
                             "torch": rnn_training.torch_trainer(case, x, labels, batch_size)},
                            repeats=3 if quick else 5, min_seconds=0.2)
            rows.append((f"{case}, batch {batch_size}", t,
                         {name: samples / s for name, s in secs.items()}))
    return "samples/s", True, rows


WORKLOADS = {"gemm": bench_gemm, "overhead": bench_overhead, "autograd": bench_autograd,
             "mlp": bench_mlp, "cnn": bench_cnn, "rnn": bench_rnn}


# ---------------------------------------------------------------- report

def _openblas_kernel():
    for pool in threadpool_info():
        if pool.get("internal_api") == "openblas":
            return f"OpenBLAS {pool.get('version')} kernel {pool.get('architecture')}"
    return "no OpenBLAS found"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", choices=[[]] + sorted(WORKLOADS),
                        help="workloads to run (default: all)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    args = parser.parse_args(argv)
    names = args.workloads or sorted(WORKLOADS)

    info = nncore.info()
    print(f"# nncore {info['version']} ({info['isa']}, OpenMP {info['openmp']}) | "
          f"numpy {np.__version__} ({_openblas_kernel()}) | "
          f"torch {torch.__version__ if torch else 'not installed'}")
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{time.strftime('%Y-%m-%d')}")
    for name in names:
        unit, higher_is_better, rows = WORKLOADS[name](args.threads, args.quick)
        if not rows:
            print(f"\n## {name}: skipped (needs PyTorch)")
            continue
        others = [o for o in ("numpy", "torch") if o in rows[0][2]]
        better = "higher" if higher_is_better else "lower"
        print(f"\n## {name} ({unit}, {better} is better; speedup > 1: nncore is faster)\n")
        header = ["case", "threads", "nncore"] + others + [f"speedup vs {o}" for o in others]
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for label, t, values in rows:
            cells = [label, str(t), f"{values['nncore']:.1f}"]
            cells += [f"{values[o]:.1f}" for o in others]
            for o in others:
                ratio = values["nncore"] / values[o]
                cells.append(f"{ratio if higher_is_better else 1 / ratio:.2f}x")
            print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
