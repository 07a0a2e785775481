"""Gradient descent with a learning rate that is too small, about right, and too large,
on a least-squares line fit whose loss surface is a bowl we can draw.

    python examples/learning_rate.py [--quick] [--out DIR]

Each step is theta -= lr * gradient, with the gradient from nncore's autograd. For a
quadratic loss with largest curvature lambda_max, descent diverges once lr > 2 /
lambda_max; the script computes that limit and picks rates on either side of it.
Writes learning_rate.png to DIR (default: examples/output/).
"""
import argparse
from pathlib import Path

import numpy as np

import nncore


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"),
                        help="folder for the plots (created if missing)")
    return parser.parse_args(argv)


def make_data():
    # Inputs centred a little away from 0 make slope and intercept interact: the bowl is
    # tilted and somewhat elongated, so a too-large rate zig-zags across it.
    rng = np.random.default_rng(0)
    x = rng.normal(0.7, 1.0, 50)
    y = 0.8 * x - 1.0 + 0.3 * rng.standard_normal(50)
    return x, y


def loss_fn(w, b, x, y):
    residual = w * x + b - y
    return (residual * residual).mean()


def descend(lr, steps, x, y, start=(-1.5, 2.0)):
    """Plain gradient descent from `start`; returns the path and the loss per step."""
    w = nncore.tensor(start[0], dtype=nncore.float64, requires_grad=True)
    b = nncore.tensor(start[1], dtype=nncore.float64, requires_grad=True)
    xt, yt = nncore.from_numpy(x), nncore.from_numpy(y)
    path, losses = [start], []
    for _ in range(steps):
        loss = loss_fn(w, b, xt, yt)
        losses.append(loss.item())
        loss.backward()
        with nncore.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = b.grad = None
        path.append((w.item(), b.item()))
    return np.array(path), np.array(losses)


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    x, y = make_data()
    # The MSE's Hessian is constant: 2/n * A.T @ A with A = [x, 1].
    A = np.c_[x, np.ones_like(x)]
    curvatures = np.linalg.eigvalsh(2 / len(x) * A.T @ A)
    limit = 2 / curvatures.max()
    print(f"curvatures of the loss bowl: {np.round(curvatures, 3)}; descent diverges for "
          f"lr > 2 / {curvatures.max():.3f} = {limit:.3f}")
    # 2 / (lambda_min + lambda_max) is the best constant rate for a quadratic.
    rates = {"too small": 0.05 * limit, "about right": 2 / curvatures.sum(),
             "too large": 1.15 * limit}
    steps = 20 if args.quick else 40
    best = np.linalg.lstsq(A, y, rcond=None)[0]
    best_loss = np.mean((A @ best - y) ** 2)
    runs = {}
    for name, lr in rates.items():
        path, losses = descend(lr, steps, x, y)
        runs[name] = (lr, path, losses)
        print(f"  lr = {lr:.4f} ({name:>11}): loss {losses[0]:.3f} -> {losses[-1]:.4g} after "
              f"{steps} steps (minimum {best_loss:.4f}); (w, b) = "
              f"({path[-1, 0]:.3g}, {path[-1, 1]:.3g}), least squares "
              f"({best[0]:.3f}, {best[1]:.3f})")
    path = out / "learning_rate.png"
    plot(runs, x, y, best, best_loss, path)
    print(f"saved {path}")


def plot(runs, x, y, best, best_loss, path):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(13, 4.5), layout="constrained")
    axes = figure.subplots(1, 2)
    colors = {"too small": "tab:blue", "about right": "tab:green", "too large": "tab:red"}

    ax = axes[0]
    W, B = np.meshgrid(np.linspace(-2.5, 3.5, 200), np.linspace(-4.5, 3.5, 200))
    surface = np.mean((W[..., None] * x + B[..., None] - y) ** 2, axis=-1)
    ax.contour(W, B, surface, levels=np.geomspace(best_loss * 1.05, surface.max(), 15),
               colors="0.7", linewidths=0.8)
    for name, (lr, trajectory, _) in runs.items():
        ax.plot(trajectory[:, 0], trajectory[:, 1], marker=".", color=colors[name],
                label=f"{name} (lr {lr:.3f})")
    ax.plot(*best, marker="*", color="k", markersize=14, label="least squares")
    ax.set(xlim=(-2.5, 3.5), ylim=(-4.5, 3.5), xlabel="slope w", ylabel="intercept b",
           title="paths of gradient descent on the loss surface")
    ax.legend(fontsize=8, loc="lower left")

    ax = axes[1]
    for name, (lr, _, losses) in runs.items():
        ax.plot(np.arange(len(losses)), losses - best_loss + 1e-12, color=colors[name],
                label=f"{name} (lr {lr:.3f})")
    ax.set(yscale="log", xlabel="step", ylabel="loss - minimum",
           title="too small crawls, too large diverges")
    ax.legend(fontsize=8)
    figure.savefig(path)


if __name__ == "__main__":
    main()
