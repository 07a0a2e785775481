"""Optimizers compared on one problem: Rosenbrock's banana-shaped valley,
f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1), started at (-1.2, 1).

    python examples/optimizers.py [--quick] [--out DIR]

Every optimizer gets the gradient from nncore's autograd and takes the same number of
steps, each with a learning rate that works for it on this problem (the rates are not
interchangeable: adaptive methods rescale the step per coordinate). Writes
optimizers.png (paths and loss curves) to DIR (default: examples/output/).
"""
import argparse
from pathlib import Path

import numpy as np

import nncore
from nncore import optimizers

START = (-1.2, 1.0)
CHOICES = {
    "SGD (lr 1e-3)": lambda: optimizers.SGD(1e-3),
    "SGD + momentum 0.9": lambda: optimizers.SGD(1e-3, momentum=0.9),
    "Nesterov momentum": lambda: optimizers.SGD(1e-3, momentum=0.9, nesterov=True),
    "Adagrad (lr 0.5)": lambda: optimizers.Adagrad(0.5),
    "RMSprop (lr 0.01)": lambda: optimizers.RMSprop(0.01),
    "Adam (lr 0.05)": lambda: optimizers.Adam(0.05),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 steps instead of 2000")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"),
                        help="folder for the plots (created if missing)")
    return parser.parse_args(argv)


def rosenbrock(p):
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def minimise(optimizer, steps):
    p = nncore.tensor(START, dtype=nncore.float64, requires_grad=True)
    path, losses = [START], []
    for _ in range(steps):
        loss = rosenbrock(p)
        losses.append(loss.item())
        loss.backward()
        optimizer.step([p])
        optimizer.zero_grad([p])
        path.append(tuple(p.detach().numpy()))
    return np.array(path), np.array(losses)


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    steps = 500 if args.quick else 2000
    print(f"Rosenbrock from {START}, {steps} steps each:")
    runs = {}
    for name, make in CHOICES.items():
        path, losses = minimise(make(), steps)
        runs[name] = (path, losses)
        print(f"  {name:<20} f = {losses[-1]:.2e} at ({path[-1, 0]:.3f}, {path[-1, 1]:.3f})")
    path = out / "optimizers.png"
    plot(runs, path)
    print(f"saved {path}")


def plot(runs, path):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(13, 5), layout="constrained")
    axes = figure.subplots(1, 2)
    ax = axes[0]
    X, Y = np.meshgrid(np.linspace(-1.6, 1.6, 300), np.linspace(-0.6, 1.8, 300))
    Z = (1 - X) ** 2 + 100 * (Y - X ** 2) ** 2
    ax.contour(X, Y, Z, levels=np.geomspace(0.01, 500, 15), colors="0.75", linewidths=0.7)
    for name, (trajectory, _) in runs.items():
        ax.plot(trajectory[:, 0], trajectory[:, 1], label=name, linewidth=1.3)
    ax.plot(*START, "ko")
    ax.plot(1, 1, "k*", markersize=14)
    ax.set(xlim=(-1.6, 1.6), ylim=(-0.6, 1.8), xlabel="x", ylabel="y",
           title="paths from the start (dot) to the minimum (star)")
    ax.legend(fontsize=8, loc="lower right")

    ax = axes[1]
    for name, (_, losses) in runs.items():
        ax.plot(np.arange(1, len(losses) + 1), losses, label=name)
    ax.set(xscale="log", yscale="log", xlabel="step", ylabel="f(x, y)",
           title="loss per step")
    ax.legend(fontsize=8)
    figure.savefig(path)


if __name__ == "__main__":
    main()
