"""Widrow and Hoff's Adaline: a linear unit trained by the delta rule (least mean squares)."""
import numpy as np

import nncore
from nncore.classic._base import GradientUnit

__all__ = ["Adaline"]


class Adaline(GradientUnit):
    """ADAptive LINear Element: the net input ``net = w . x + b`` itself is the output
    during learning, trained to match targets -1 / +1 in the least-squares sense; the
    class is ``sign(net)`` (+1 at net = 0).

    The delta rule descends E = 1/2 (t - net)^2:
      mode='online' (Widrow-Hoff LMS): after every sample,
          ``w += learning_rate * (t - net) * x``,  ``b += learning_rate * (t - net)``;
      mode='batch': once per epoch, with the gradient of the mean error over all samples,
          ``w += learning_rate * X.T @ (t - net) / n``,  ``b += learning_rate * mean(t - net)``.
    Batch mode converges to the least-squares solution for a small enough rate (below
    2 / the largest eigenvalue of the input's second-moment matrix); online mode with a
    constant rate ends within a distance of it that shrinks with the rate.

    Training stops when the mean squared error over the data, measured after each epoch,
    has not improved on its best by ``tol`` for ``n_iter_no_change`` epochs
    (``converged_ = True``), or after ``max_iter`` epochs (ConvergenceWarning). A loss
    that overflows raises ValueError: the rate is too large.

    Fitted attributes: ``coef_``, ``intercept_``, ``classes_``, ``n_iter_``,
    ``loss_curve_`` (mean squared error after each epoch), ``converged_``,
    ``n_features_in_``.
    """

    _labels = (-1, 1)

    _loss_name = "the squared error"

    def __init__(self, mode="online", learning_rate=0.01, max_iter=1000, tol=1e-6,
                 n_iter_no_change=5, shuffle=True, random_state=None):
        self.mode = mode
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.random_state = random_state

    def _check_params(self):
        if self.mode not in ("online", "batch"):
            raise ValueError(f"{self._name}: mode must be 'online' (per-sample updates) or "
                             f"'batch' (full gradient), got {self.mode!r}")
        self._check_positive("learning_rate", self.learning_rate)
        self._check_positive("max_iter", self.max_iter, integer=True)
        self._check_positive("n_iter_no_change", self.n_iter_no_change, integer=True)
        if self.tol is not None and not self.tol >= 0:
            raise ValueError(f"{self._name}: tol must be >= 0 or None, got {self.tol!r}")

    def _epoch(self, X_t, y_t, rng):
        lr = float(self.learning_rate)
        w, b = self._w, self._b
        if self.mode == "online":
            for i in self._order(len(X_t), rng):
                x, t = X_t[int(i)], y_t[int(i)]
                delta = lr * (t - (x @ w + b))
                w += delta * x
                b += delta
        else:
            residual = y_t - (X_t @ w + b)
            # X.T is a strided view: the GEMM reads it without a transposed copy.
            w += (lr / len(X_t)) * (X_t.T @ residual)
            b += lr * residual.mean()
        residual = y_t - (X_t @ w + b)
        loss = (residual * residual).mean().item()
        self.n_iter_ += 1
        self.loss_curve_.append(loss)
        return loss

    def predict(self, X):
        """-1 or +1: the sign of the net input (+1 at exactly 0)."""
        return np.where(self._decision(X, "predict") >= 0, 1, -1)
