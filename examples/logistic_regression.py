"""Logistic regression is a one-layer network: a sigmoid unit trained on the cross-entropy
by gradient descent, here with nncore.classic.LogisticRegression and again as a Keras-style
Sequential model with one Dense unit -- the two end with the same weights.

    python examples/logistic_regression.py [--quick] [--out DIR]

The lectures' example is tumour malignancy. The data: a synthetic two-feature problem
(nncore.classic.make_gaussian_classes, whose best achievable accuracy is known), and, when
scikit-learn is installed, the Wisconsin breast-cancer data (569 tumours, 30 features).
Writes logistic_regression.png to DIR (default: examples/output/).
"""
import argparse
from pathlib import Path

import numpy as np

import nncore
from nncore import layers, optimizers
from nncore.classic import LogisticRegression, make_gaussian_classes
from nncore.classic.synthetic import bayes_accuracy
from nncore.data import train_test_split
from nncore.models import Sequential

DISTANCE = 3.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller data set")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "output"),
                        help="folder for the plots (created if missing)")
    return parser.parse_args(argv)


def standardise(train, test):
    # Gradient descent crawls when features differ in scale by orders of magnitude.
    mean, std = train.mean(axis=0), train.std(axis=0)
    return (train - mean) / std, (test - mean) / std


def synthetic(n):
    X, y = make_gaussian_classes(n, n_features=2, distance=DISTANCE, random_state=0)
    (X_train, y_train), (X_test, y_test) = train_test_split(X, y, test_size=0.3, seed=0)
    clf = LogisticRegression(learning_rate=0.5, random_state=0).fit(X_train, y_train)
    print(f"synthetic set: {len(X_train)} training, {len(X_test)} held-out samples")
    print(f"  w = {np.round(clf.coef_[0], 3)}, b = {clf.intercept_[0]:+.3f} after "
          f"{clf.n_iter_} epochs of gradient descent (converged: {clf.converged_})")
    print(f"  held-out accuracy {clf.score(X_test, y_test):.3f} (the best any classifier "
          f"can expect here: {bayes_accuracy(DISTANCE):.3f})")
    for x, p in zip(X_test[:3], clf.predict_proba(X_test[:3])[:, 1]):
        print(f"  x = {np.round(x, 2)}: P(class 1) = {p:.3f} -> class {int(p >= 0.5)}")
    return clf, (X_train, y_train), (X_test, y_test)


def as_one_layer_network(clf, X_train, y_train):
    """The same model and the same updates through the Keras-style API."""
    nncore.manual_seed(0)
    model = Sequential([layers.Dense(1, activation="sigmoid", input_shape=(2,),
                                     kernel_initializer="zeros", dtype="float64")])
    model.compile(optimizer=optimizers.SGD(learning_rate=clf.learning_rate),
                  loss="binary_crossentropy")
    # One full batch per epoch, for as many epochs as the estimator ran: plain gradient
    # descent on the mean cross-entropy, step for step.
    model.fit(X_train, y_train[:, None].astype(np.float64), batch_size=len(X_train),
              epochs=clf.n_iter_, shuffle=False, verbose=0)
    kernel, bias = model.get_weights()
    difference = np.abs(np.r_[kernel[:, 0], bias] - np.r_[clf.coef_[0], clf.intercept_]).max()
    print(f"  as Sequential([Dense(1, activation='sigmoid')]): w = "
          f"{np.round(kernel[:, 0], 3)}, b = {bias[0]:+.3f} (largest difference from "
          f"the estimator's: {difference:.1e})")


def breast_cancer():
    try:
        from sklearn.datasets import load_breast_cancer
    except ImportError:
        print("scikit-learn is not installed: skipping the Wisconsin breast-cancer data "
              "(pip install scikit-learn to include it)")
        return
    data = load_breast_cancer()
    malignant = (data.target == 0).astype(int)  # scikit-learn codes malignant as 0
    (X_train, y_train), (X_test, y_test) = train_test_split(data.data, malignant,
                                                            test_size=0.3, seed=0)
    X_train, X_test = standardise(X_train, X_test)
    clf = LogisticRegression(learning_rate=0.5, max_iter=2000, random_state=0)
    clf.fit(X_train, y_train)
    predicted = clf.predict(X_test)
    print(f"breast cancer (Wisconsin): {len(X_train)} training, {len(X_test)} held-out "
          f"tumours, 30 features")
    print(f"  held-out accuracy {clf.score(X_test, y_test):.3f}; malignant tumours found: "
          f"{int(((predicted == 1) & (y_test == 1)).sum())} of {int(y_test.sum())}, "
          f"benign called malignant: {int(((predicted == 1) & (y_test == 0)).sum())}")


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    clf, train, test = synthetic(200 if args.quick else 600)
    as_one_layer_network(clf, *train)
    breast_cancer()
    path = out / "logistic_regression.png"
    plot(clf, train, test, path)
    print(f"saved {path}")


def plot(clf, train, test, path):
    from matplotlib.figure import Figure

    (X_train, y_train), (X_test, y_test) = train, test
    figure = Figure(figsize=(14, 4.2), layout="constrained")
    axes = figure.subplots(1, 3)

    ax = axes[0]
    lo, hi = X_train.min() - 0.5, X_train.max() + 0.5
    xx, yy = np.meshgrid(np.linspace(lo, hi, 200), np.linspace(lo, hi, 200))
    proba = clf.predict_proba(np.c_[xx.ravel(), yy.ravel()])[:, 1].reshape(xx.shape)
    filled = ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="coolwarm",
                         alpha=0.5)
    ax.contour(xx, yy, proba, levels=[0.5], colors="k")
    ax.scatter(X_test[:, 0], X_test[:, 1], c=y_test, cmap="coolwarm", s=16, edgecolors="k",
               linewidths=0.4)
    figure.colorbar(filled, ax=ax, label="P(class 1)")
    ax.set(title=f"held-out points, accuracy {clf.score(X_test, y_test):.2f}",
           xlabel="$x_1$", ylabel="$x_2$", aspect="equal")

    ax = axes[1]
    net = clf.decision_function(X_test)
    z = np.linspace(net.min() - 1, net.max() + 1, 200)
    ax.plot(z, 1 / (1 + np.exp(-z)), color="k", label="sigmoid(w . x + b)")
    ax.scatter(net, y_test + np.random.default_rng(0).uniform(-0.03, 0.03, len(y_test)),
               c=y_test, cmap="coolwarm", s=10, label="held-out labels")
    ax.axhline(0.5, color="gray", linestyle=":")
    ax.axvline(0.0, color="gray", linestyle=":")
    ax.set(title="a sigmoid unit: threshold 0.5 at net = 0", xlabel="net input w . x + b",
           ylabel="P(class 1)")
    ax.legend(fontsize=8)

    ax = axes[2]
    ax.plot(range(1, len(clf.loss_curve_) + 1), clf.loss_curve_)
    ax.set(title="cross-entropy per epoch (gradient descent)", xlabel="epoch",
           ylabel="mean cross-entropy")
    figure.savefig(path)


if __name__ == "__main__":
    main()
