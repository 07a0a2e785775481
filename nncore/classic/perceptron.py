"""Rosenblatt's perceptron: a threshold unit trained by error correction."""
import warnings

import numpy as np

import nncore
import nncore.functional as F
from nncore.classic._base import ConvergenceWarning, LinearUnit

__all__ = ["Perceptron"]

_RULES = {"rosenblatt": (0, 1), "hebb": (-1, 1)}


class Perceptron(LinearUnit):
    """A single threshold unit ``y = step(w . x + b)`` trained one sample at a time.

    rule='rosenblatt' (labels 0/1): the fixed-increment rule. The output is
        ``step(net)`` (1 where net >= 0, else 0) and every sample updates
        ``w += learning_rate * (t - y) * x`` and ``b += learning_rate * (t - y)``,
        which changes nothing when the output is right.
    rule='hebb' (labels -1/1): Hebb's rule applied on mistakes. The output is +1 where
        net >= 0, else -1, and a misclassified sample updates ``w += learning_rate * t * x``
        and ``b += learning_rate * t``: the weight moves toward the input when the
        teacher says "fire" and away from it when the teacher says "don't".

    Both start from zero weights and go through the data in epochs (in order, or shuffled
    with ``random_state`` when ``shuffle=True``). An epoch without any update means every
    sample is classified correctly, so training stops there with ``converged_ = True``;
    on linearly separable data the perceptron convergence theorem guarantees that this
    happens after finitely many updates. Otherwise (XOR, overlapping classes) training
    stops after ``max_iter`` epochs with ``converged_ = False`` and a ConvergenceWarning.

    Fitted attributes: ``coef_`` (1, n_features), ``intercept_`` (1,), ``classes_``,
    ``n_iter_`` (epochs run), ``n_updates_`` (updates made in total),
    ``updates_per_epoch_``, ``converged_``, ``n_features_in_``.

    The weights are nncore float64 tensors; each update is computed with nncore ops.
    """

    def __init__(self, rule="rosenblatt", learning_rate=1.0, max_iter=100, shuffle=False,
                 random_state=None):
        self.rule = rule
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state

    @property
    def _labels(self):
        return _RULES.get(self.rule, (0, 1))

    def _label_hint(self):
        other = "hebb" if self.rule == "rosenblatt" else "rosenblatt"
        return f"; rule={other!r} takes {' or '.join(map(str, _RULES[other]))} labels"

    def _check_params(self):
        if self.rule not in _RULES:
            raise ValueError(f"{self._name}: rule must be 'rosenblatt' (labels 0/1) or "
                             f"'hebb' (labels -1/1), got {self.rule!r}")
        self._check_positive("learning_rate", self.learning_rate)
        self._check_positive("max_iter", self.max_iter, integer=True)

    # ------------------------------------------------------------------ training

    def fit(self, X, y):
        """Trains from zero weights until an epoch makes no update, or max_iter epochs."""
        X_t, y_t, rng = self._fit_data(X, y)
        for _ in range(self.max_iter):
            if self._epoch(X_t, y_t, self._order(len(X_t), rng)) == 0:
                self.converged_ = True
                break
        if not self.converged_:
            warnings.warn(f"{self._name}: still misclassifying after max_iter={self.max_iter} "
                          f"epochs ({self.updates_per_epoch_[-1]} updates in the last one); "
                          f"the data may not be linearly separable", ConvergenceWarning,
                          stacklevel=2)
        return self

    def partial_fit(self, X, y, classes=None):
        """One epoch over (X, y), continuing from the current weights (zero at first).
        ``classes`` may list the labels, as in scikit-learn; they must match the rule.
        ``converged_`` says whether this epoch made no update."""
        X, y = self._partial_fit_data(X, y, classes)
        order = self._order(len(X), self._partial_rng)
        self.converged_ = self._epoch(nncore.from_numpy(X), nncore.from_numpy(y), order) == 0
        return self

    def _reset_progress(self):
        self.n_iter_, self.n_updates_, self.updates_per_epoch_ = 0, 0, []
        self.converged_ = False

    def _epoch(self, X_t, y_t, order):
        """One pass of the rule over the samples in `order`; returns the number of updates."""
        hebb = self.rule == "hebb"
        lr = float(self.learning_rate)
        w, b = self._w, self._b
        updates = 0
        for i in order:
            x, t = X_t[int(i)], y_t[int(i)]
            fired = F.step(x @ w + b)                     # 1 where net >= 0
            output = 2.0 * fired - 1.0 if hebb else fired  # hebb's unit answers -1 / +1
            error = t - output
            if error.item() == 0.0:
                continue
            # Rosenblatt: (t - y) is +-1; Hebb's rule uses the target itself.
            step = lr * t if hebb else lr * error
            w += step * x
            b += step
            updates += 1
        self.n_iter_ += 1
        self.n_updates_ += updates
        self.updates_per_epoch_.append(updates)
        return updates

    # ------------------------------------------------------------------ prediction

    def predict(self, X):
        """Class labels: 0/1 for rule='rosenblatt', -1/1 for rule='hebb'."""
        self._check_fitted("predict")
        X = self._check_X(X, "predict")
        with nncore.no_grad():
            fired = F.step(self._net(X)).numpy()
        low, high = self._labels
        return np.where(fired > 0, high, low)
