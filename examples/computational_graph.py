"""Backpropagation on a computational graph: the lecture's g = (x + y) * z, step by step.

    python examples/computational_graph.py [--quick] [--out DIR]

Prints the forward pass, the graph autograd recorded, and each gradient as the chain rule
builds it; writes computational_graph.png (values above the wires, gradients below) to
DIR (default: examples/output/). --quick changes nothing: the graph is already tiny.
"""
import argparse
import math
from pathlib import Path

import nncore


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="accepted for uniformity")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"),
                        help="folder for the plot (created if missing)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    x = nncore.tensor(1.0, requires_grad=True)
    y = nncore.tensor(3.0, requires_grad=True)
    z = nncore.tensor(-3.0, requires_grad=True)
    print(f"inputs:   x = {x.item():g}, y = {y.item():g}, z = {z.item():g}")

    q = x + y          # forward: q = 4
    g = q * z          # forward: g = -12
    q.retain_grad()    # keep dg/dq, an intermediate node's gradient
    print(f"forward:  q = x + y = {q.item():g},  g = q * z = {g.item():g}")
    print("graph:   ", g.grad_fn.name(), "->",
          [fn.name() if fn is not None else None for fn, _ in g.grad_fn.next_functions])

    g.backward()       # backward: local gradients multiplied along each path
    print(f"backward: dg/dg = 1")
    print(f"          dg/dq = z = {q.grad.item():g}        (local gradient of q * z "
          f"with respect to q)")
    print(f"          dg/dz = q = {z.grad.item():g}         (with respect to z)")
    print(f"          dg/dx = dg/dq * dq/dx = {q.grad.item():g} * 1 = {x.grad.item():g}"
          f"   (an add node passes the gradient on unchanged)")
    print(f"          dg/dy = dg/dq * dq/dy = {q.grad.item():g} * 1 = {y.grad.item():g}")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "computational_graph.png"
    values = {name: t.item() for name, t in dict(x=x, y=y, z=z, q=q, g=g).items()}
    grads = {"x": x.grad.item(), "y": y.grad.item(), "z": z.grad.item(),
             "q": q.grad.item(), "g": 1.0}
    plot(values, grads, path)
    print(f"saved {path}")


def plot(values, grads, path):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4), layout="constrained")
    ax = figure.subplots()
    ax.set(xlim=(0, 10), ylim=(0, 6))
    ax.axis("off")
    at = {"x": (1, 5.4), "y": (1, 2.6), "z": (1, 0.6), "+": (4.5, 4.0), "*": (7.3, 2.3),
          "end": (9.7, 2.3)}
    # Wires: (from, to, the value that flows on it).
    wires = [("x", "+", "x"), ("y", "+", "y"), ("+", "*", "q"), ("z", "*", "z"),
             ("*", "end", "g")]
    for start, end, name in wires:
        (x0, y0), (x1, y1) = at[start], at[end]
        ax.annotate("", xy=(x1 - 0.35, y1), xytext=(x0 + 0.3, y0),
                    arrowprops=dict(arrowstyle="->", color="0.3"))
        # Labels run along the wire, on either side of it.
        (sx0, sy0), (sx1, sy1) = ax.transData.transform([(x0, y0), (x1, y1)])
        angle = math.degrees(math.atan2(sy1 - sy0, sx1 - sx0))
        length = math.hypot(x1 - x0, y1 - y0)
        nx, ny = -(y1 - y0) / length, (x1 - x0) / length
        mx, my = x0 + 0.45 * (x1 - x0), y0 + 0.45 * (y1 - y0)
        style = dict(ha="center", va="center", fontsize=11, rotation=angle,
                     rotation_mode="anchor")
        ax.text(mx + 0.25 * nx, my + 0.25 * ny, f"{name} = {values[name]:g}",
                color="tab:green", **style)
        ax.text(mx - 0.25 * nx, my - 0.25 * ny, f"dg/d{name} = {grads[name]:g}",
                color="tab:red", **style)
    for name in ("x", "y", "z"):
        ax.text(*at[name], name, ha="center", va="center", fontsize=14)
    for op in ("+", "*"):
        ax.text(*at[op], op, ha="center", va="center", fontsize=16,
                bbox=dict(boxstyle="circle", facecolor="white", edgecolor="k"))
    ax.set_title("g = (x + y) * z: forward values (green), gradients from backward (red)")
    figure.savefig(path)


if __name__ == "__main__":
    main()
