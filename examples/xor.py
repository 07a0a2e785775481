"""XOR: no single threshold unit computes it; three hand-wired McCulloch-Pitts neurons
do, and a 2-2-1 network learns it with backpropagation.

    python examples/xor.py [--quick] [--out DIR]

Writes xor.png to DIR (default: examples/output/).
"""
import argparse
import warnings
from pathlib import Path

import numpy as np

import nncore
from nncore import layers, optimizers
from nncore.classic import ConvergenceWarning, Perceptron, XORNetwork
from nncore.models import Sequential

BINARY = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
XOR = np.array([0, 1, 1, 0])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer perceptron epochs")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"),
                        help="folder for the plots (created if missing)")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def train_mlp(seed, epochs=300, restarts=10):
    """2 tanh hidden units, a sigmoid output, cross-entropy and Adam.

    Roughly four in ten random starts of a network this small end on a plateau where two
    patterns get 0.5 (one hidden unit saturates); restarting from new random weights is
    the textbook remedy, so we restart until all four patterns are right."""
    x, y = BINARY.astype(np.float32), XOR[:, None].astype(np.float32)
    for attempt in range(1, restarts + 1):
        nncore.manual_seed(seed + 1000 * (attempt - 1))
        model = Sequential([layers.Dense(2, activation="tanh", input_shape=(2,)),
                            layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=optimizers.Adam(0.1), loss="binary_crossentropy")
        history = model.fit(x, y, epochs=epochs, batch_size=4, shuffle=False, verbose=0)
        p = model.predict(x, verbose=0)[:, 0]
        print(f"  start {attempt}: final loss {history.history['loss'][-1]:.4f}, "
              f"outputs {np.round(p.astype(float), 3).tolist()}")
        if ((p >= 0.5) == XOR).all():
            return model, history
    raise RuntimeError(f"no start out of {restarts} learned XOR")


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    max_iter = 20 if args.quick else 100
    print("1. A perceptron on XOR:")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        perceptron = Perceptron(max_iter=max_iter).fit(BINARY, XOR)
    print(f"  converged: {perceptron.converged_} after {perceptron.n_iter_} epochs; updates "
          f"per epoch never reach 0: {perceptron.updates_per_epoch_[:8]}...")
    print(f"  warning: {caught[0].message}" if caught else "  (no warning?)")
    print(f"  its last line gets {perceptron.score(BINARY, XOR):.0%} right; no line gets all "
          f"four: {{(0,1), (1,0)}} and {{(0,0), (1,1)}} are not linearly separable")

    print("2. Three McCulloch-Pitts neurons: XOR = AND(OR(x1, x2), NAND(x1, x2))")
    network = XORNetwork()
    hidden, output = network.activations(BINARY)
    print("   x1 x2 | OR NAND | AND = XOR")
    for x, h, o in zip(BINARY, hidden, output[:, 0]):
        print(f"   {x[0]}  {x[1]}  | {h[0]}   {h[1]}   |  {o}")

    print("3. A 2-2-1 network trained with backpropagation:")
    model, history = train_mlp(args.seed)
    p = model.predict(BINARY.astype(np.float32), verbose=0)[:, 0]
    print(f"  outputs {np.round(p.astype(float), 3).tolist()} -> "
          f"{(p >= 0.5).astype(int).tolist()} "
          f"(target {XOR.tolist()})")

    path = out / "xor.png"
    plot(perceptron, network, model, history, path)
    print(f"saved {path}")


def plot(perceptron, network, model, history, path):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(16, 4.4), layout="constrained")
    axes = figure.subplots(1, 4)
    grid = np.linspace(-0.5, 1.5, 201)
    xx, yy = np.meshgrid(grid, grid)
    points = np.c_[xx.ravel(), yy.ravel()]

    def scatter(ax, X=BINARY):
        ax.scatter(X[:, 0], X[:, 1], c=XOR, cmap="coolwarm", s=120, edgecolors="k",
                   vmin=0, vmax=1, zorder=3)

    ax = axes[0]
    w, b = perceptron.coef_[0], perceptron.intercept_[0]
    ax.contourf(xx, yy, (points @ w + b >= 0).reshape(xx.shape), levels=[-0.5, 0.5, 1.5],
                colors=["#c6dbef", "#fcbba1"])
    scatter(ax)
    ax.set(title=f"one perceptron: {perceptron.score(BINARY, XOR):.0%} right\n"
                 f"after {perceptron.n_iter_} epochs")

    ax = axes[1]
    # The network takes binary inputs only, so draw its hidden units' lines instead: OR
    # fires above the green one, NAND below the purple one, and AND where both fire.
    or_unit, nand_unit = network.layers[0]
    or_net = points @ or_unit.weights - or_unit.threshold
    nand_net = points @ nand_unit.weights - nand_unit.threshold
    ax.contourf(xx, yy, ((or_net >= 0) & (nand_net >= 0)).reshape(xx.shape).astype(float),
                levels=[-0.5, 0.5, 1.5], colors=["#c6dbef", "#fcbba1"])
    ax.contour(xx, yy, or_net.reshape(xx.shape), levels=[0.0], colors="tab:green")
    ax.contour(xx, yy, nand_net.reshape(xx.shape), levels=[0.0], colors="tab:purple")
    scatter(ax)
    outputs = network.predict(BINARY)
    for (x1, x2), o in zip(BINARY, outputs):
        ax.annotate(f"out {o}", (x1, x2), xytext=(8, -14), textcoords="offset points")
    ax.set(title="McCulloch-Pitts: AND of\nOR (green line) and NAND (purple line)")

    ax = axes[2]
    proba = model.predict(points.astype(np.float32), verbose=0)[:, 0].reshape(xx.shape)
    filled = ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="coolwarm",
                         alpha=0.6)
    ax.contour(xx, yy, proba, levels=[0.5], colors="k")
    scatter(ax)
    figure.colorbar(filled, ax=ax, label="P(XOR = 1)")
    ax.set(title="2-2-1 network\nafter backpropagation")
    for ax in axes[:3]:
        ax.set(xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="$x_1$", ylabel="$x_2$",
               aspect="equal")

    ax = axes[3]
    ax.plot(history.history["loss"])
    ax.set(title="2-2-1 network:\ncross-entropy per epoch", xlabel="epoch", ylabel="loss",
           yscale="log")
    figure.savefig(path)


if __name__ == "__main__":
    main()
