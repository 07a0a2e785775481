"""The artificial neuron: y = f(b + w . x), computed with nncore ops -- the lectures' tanh
neuron and sigmoid unit, McCulloch-Pitts threshold gates, and the usual activation
functions f side by side.

    python examples/neuron.py [--quick] [--out DIR]

Writes activations.png to DIR (default: examples/output/). --quick changes nothing.
"""
import argparse
from pathlib import Path

import numpy as np

import nncore
import nncore.functional as F
from nncore.classic import McCullochPittsUnit

ACTIVATIONS = {"step": F.step, "sign": F.sign, "sigmoid": F.sigmoid, "tanh": F.tanh,
               "relu": F.relu, "leaky_relu": lambda t: F.leaky_relu(t, 0.1),
               "softplus": F.softplus, "gelu": F.gelu}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="accepted for uniformity")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"),
                        help="folder for the plot (created if missing)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    w = nncore.tensor([1.0, -0.75, 0.25])
    x = nncore.tensor([-0.8, 0.2, -0.4])
    b = -0.5
    products = w * x
    net = products.sum() + b
    print("a tanh neuron, y = tanh(b + w . x):")
    print(f"  w * x = {[round(float(v), 3) for v in products.numpy()]}  (element by element)")
    print(f"  b + w . x = {b} + ({products.sum().item():.2f}) = {net.item():.2f}")
    print(f"  y = tanh({net.item():.2f}) = {F.tanh(net).item():.3f}")

    g = nncore.tensor([5.0, -3.0])
    print("a sigmoid unit, y = g(1 + 5 x1 - 3 x2):")
    for point in ([1.0, 2.0], [2.0, 2.0], [0.0, 1.0]):
        net = 1.0 + g @ nncore.tensor(point)
        print(f"  x = {point}: net = {net.item():+.0f}, g(net) = {F.sigmoid(net).item():.4f}")

    print("McCulloch-Pitts units (binary inputs, fire when w . x >= threshold):")
    inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    for unit in (McCullochPittsUnit.and_gate(), McCullochPittsUnit.or_gate(),
                 McCullochPittsUnit.nand_gate()):
        print(f"  {unit.name:<4} {unit!r}: {unit(inputs).tolist()}")

    path = out / "activations.png"
    plot(path)
    print(f"saved {path}")


def plot(path):
    from matplotlib.figure import Figure

    z = nncore.tensor(np.linspace(-4, 4, 401))
    figure = Figure(figsize=(12, 5.5), layout="constrained")
    axes = figure.subplots(2, 4).ravel()
    for ax, (name, f) in zip(axes, ACTIVATIONS.items()):
        zz = z.detach().requires_grad_()
        y = f(zz)
        y.sum().backward()  # each output depends on its own input only: dy/dz per point
        ax.plot(z.numpy(), y.detach().numpy(), label="f(z)")
        ax.plot(z.numpy(), zz.grad.numpy(), linestyle="--", label="f'(z)")
        ax.axhline(0, color="0.8", linewidth=0.8)
        ax.axvline(0, color="0.8", linewidth=0.8)
        ax.set_title(name)
    axes[0].legend(fontsize=8)
    figure.suptitle("activation functions and their derivatives (from nncore autograd)")
    figure.savefig(path)


if __name__ == "__main__":
    main()
