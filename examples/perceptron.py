"""The perceptron and its learning rules: Rosenblatt's fixed increment, Hebb's rule and
Widrow-Hoff's delta rule (Adaline), with the decision boundaries each one finds.

    python examples/perceptron.py [--quick] [--out DIR]

Writes perceptron_rules.png to DIR (default: examples/output/).
"""
import argparse
from pathlib import Path

import numpy as np

from nncore.classic import Adaline, Perceptron, make_gaussian_classes

BINARY = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
GATES = {"AND": np.array([0, 0, 0, 1]), "OR": np.array([0, 1, 1, 1])}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller data set")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"),
                        help="folder for the plots (created if missing)")
    return parser.parse_args(argv)


def describe(name, clf):
    w, b = clf.coef_[0], clf.intercept_[0]
    print(f"  {name:<22} w = {np.round(w, 3)}, b = {b:+.3f}; {clf.n_iter_} epochs, "
          f"{clf.n_updates_ if hasattr(clf, 'n_updates_') else '-'} updates, "
          f"converged: {clf.converged_}")


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    print("Rosenblatt's rule (labels 0/1): w += lr * (t - y) * x, only when y is wrong")
    gates = {}
    for name, target in GATES.items():
        clf = Perceptron(rule="rosenblatt").fit(BINARY, target)
        gates[name] = clf
        describe(name, clf)
        print(f"  {'':<22} updates per epoch: {clf.updates_per_epoch_}, "
              f"outputs {clf.predict(BINARY).tolist()}")

    print("Hebb's rule on mistakes (labels -1/1): w += lr * t * x")
    for name, target in GATES.items():
        describe(name + " (bipolar)", Perceptron(rule="hebb").fit(2 * BINARY - 1, 2 * target - 1))

    # Two overlapping clouds made separable: drop the points that the best line
    # (x1 + x2 = 0) would misclassify or that lie within 0.3 of it.
    n = 100 if args.quick else 300
    X, y = make_gaussian_classes(n, distance=3.0, random_state=3)
    keep = (2 * y - 1) * X.sum(axis=1) / np.sqrt(2) > 0.3
    X, y = X[keep], y[keep]
    print(f"Two Gaussian clouds, {len(X)} separable points:")
    rules = {
        "Rosenblatt, order 1": Perceptron(shuffle=True, random_state=0, max_iter=500),
        "Rosenblatt, order 2": Perceptron(shuffle=True, random_state=1, max_iter=500),
        "Hebb, order 1": Perceptron(rule="hebb", shuffle=True, random_state=0, max_iter=500),
        "delta rule (Adaline)": Adaline(mode="online", learning_rate=0.01, random_state=0),
    }
    for name, clf in rules.items():
        labels = y if name.startswith("Rosenblatt") else 2 * y - 1
        clf.fit(X, labels)
        describe(name, clf)
        print(f"  {'':<22} training accuracy {clf.score(X, labels):.3f}")
    # From zero weights, t - y (0/1 labels) equals the bipolar target t whenever y is wrong.
    print("  Hebb's rule on mistakes makes exactly Rosenblatt's updates (same samples, same "
          "order);\n  the perceptron's line depends on the sample order, the delta rule's "
          "does not (it is the least-squares line)")

    path = out / "perceptron_rules.png"
    plot(gates, X, y, rules, path)
    print(f"saved {path}")


def boundary(ax, clf, xlim, ylim, **style):
    # The line w . x + b = 0, drawn as a contour so vertical lines need no special case.
    xx, yy = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    w, b = clf.coef_[0], clf.intercept_[0]
    return ax.contour(xx, yy, w[0] * xx + w[1] * yy + b, levels=[0.0], **style)


def plot(gates, X, y, rules, path):
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    figure = Figure(figsize=(14, 3.8), layout="constrained")
    axes = figure.subplots(1, 4)
    for ax, (name, clf) in zip(axes, gates.items()):
        target = GATES[name]
        ax.scatter(BINARY[:, 0], BINARY[:, 1], c=target, cmap="coolwarm", s=120,
                   edgecolors="k", vmin=0, vmax=1)
        boundary(ax, clf, (-0.5, 1.5), (-0.5, 1.5), colors="k")
        ax.set(title=f"{name}: learned in {clf.n_iter_} epochs", xlim=(-0.5, 1.5),
               ylim=(-0.5, 1.5), xlabel="$x_1$", ylabel="$x_2$", aspect="equal")

    ax = axes[2]
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=14, edgecolors="k", linewidths=0.3)
    lims = (X.min() - 0.5, X.max() + 0.5)
    colors = ["k", "tab:orange", "tab:green", "tab:purple"]
    styles = ["solid", "solid", "dotted", "solid"]
    for (name, clf), color, style in zip(rules.items(), colors, styles):
        boundary(ax, clf, lims, lims, colors=color, linestyles=style)
    ax.legend([Line2D([], [], color=c, linestyle=s) for c, s in zip(colors, styles)],
              list(rules), fontsize=7)
    ax.set(title="separating lines found by each rule", xlim=lims, ylim=lims,
           xlabel="$x_1$", ylabel="$x_2$", aspect="equal")

    ax = axes[3]
    for name in ("Rosenblatt, order 1", "Rosenblatt, order 2"):
        counts = rules[name].updates_per_epoch_
        ax.plot(range(1, len(counts) + 1), counts, marker=".", label=name)
    ax.set(title="updates per epoch (0: converged)", xlabel="epoch", ylabel="updates")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend()
    figure.suptitle("Perceptron learning rules (a point on a line fires: step(0) = 1)")
    figure.savefig(path)


if __name__ == "__main__":
    main()
