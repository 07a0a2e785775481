"""Logistic regression as a one-layer network: a sigmoid unit trained with autograd."""
import numpy as np

import nncore
import nncore.functional as F
from nncore import optimizers, registry
from nncore.classic._base import GradientUnit

__all__ = ["LogisticRegression"]


class LogisticRegression(GradientUnit):
    """P(y = 1 | x) = sigmoid(w . x + b), fitted by minimising the mean binary
    cross-entropy (plus ``alpha / 2 * |w|^2``) with gradient descent; the class is 1
    where that probability is >= 0.5, i.e. where w . x + b >= 0.

    This is a network with one layer and one sigmoid output, and it is trained like one:
    the loss is built from nncore ops, ``backward()`` gives the gradients, and an nncore
    optimizer updates w and b. ``optimizer`` is a name from the optimizer registry
    ('sgd' by default: plain gradient descent at ``learning_rate``; 'adam', ...) or an
    ``nncore.optimizers.Optimizer`` (its own learning rate is then used; each fit starts
    from a fresh copy of it). ``batch_size``
    None means full-batch gradient descent; otherwise mini-batches, shuffled per epoch
    when ``shuffle`` (from ``random_state``).

    Training stops when the cross-entropy over the data, measured after each epoch, has
    not improved on its best by ``tol`` for ``n_iter_no_change`` epochs
    (``converged_ = True``), or after ``max_iter`` epochs (ConvergenceWarning).
    Features on very different scales slow gradient descent down: standardise them.

    Labels are 0 / 1. Fitted attributes: ``coef_``, ``intercept_``, ``classes_``,
    ``n_iter_``, ``loss_curve_``, ``converged_``, ``n_features_in_``.
    """

    _labels = (0, 1)

    def __init__(self, learning_rate=0.1, max_iter=1000, tol=1e-4, n_iter_no_change=5,
                 alpha=0.0, optimizer="sgd", batch_size=None, shuffle=True,
                 random_state=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.alpha = alpha
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state

    def _check_params(self):
        self._check_positive("learning_rate", self.learning_rate)
        self._check_positive("max_iter", self.max_iter, integer=True)
        self._check_positive("n_iter_no_change", self.n_iter_no_change, integer=True)
        if self.batch_size is not None:
            self._check_positive("batch_size", self.batch_size, integer=True)
        if not self.alpha >= 0:
            raise ValueError(f"{self._name}: alpha must be >= 0, got {self.alpha!r}")
        if self.tol is not None and not self.tol >= 0:
            raise ValueError(f"{self._name}: tol must be >= 0 or None, got {self.tol!r}")

    def _make_optimizer(self):
        if isinstance(self.optimizer, optimizers.Optimizer):
            # A fresh copy per fit: the given instance is a template, so a second fit does
            # not inherit the first one's moments and step count.
            return type(self.optimizer).from_config(self.optimizer.get_config())
        if isinstance(self.optimizer, str):
            return registry.get("optimizers", self.optimizer)(
                learning_rate=self.learning_rate)
        raise TypeError(f"{self._name}: optimizer must be a registered name such as "
                        f"'sgd' or 'adam', or an nncore.optimizers.Optimizer, got "
                        f"{type(self.optimizer).__name__}")

    def _init_weights(self, n_features):
        super()._init_weights(n_features)
        self._w.requires_grad_()
        self._b.requires_grad_()
        self._opt = self._make_optimizer()

    # ------------------------------------------------------------------ training

    def _loss(self, X_t, y_t):
        loss = F.binary_cross_entropy_with_logits(X_t @ self._w + self._b, y_t)
        if self.alpha:
            loss = loss + (0.5 * self.alpha) * (self._w * self._w).sum()
        return loss

    def _epoch(self, X_t, y_t, rng):
        params = [self._w, self._b]
        n = len(X_t)
        if self.batch_size is None or self.batch_size >= n:
            batches = [None]
        else:
            order = self._order(n, rng)
            batches = [order[i:i + self.batch_size] for i in range(0, n, self.batch_size)]
        for index in batches:
            Xb, yb = (X_t, y_t) if index is None else (X_t[index], y_t[index])
            self._loss(Xb, yb).backward()
            self._opt.step(params)
            self._opt.zero_grad(params)
        with nncore.no_grad():
            loss = self._loss(X_t, y_t).item()
        self.n_iter_ += 1
        self.loss_curve_.append(loss)
        return loss

    # ------------------------------------------------------------------ prediction

    def predict_proba(self, X):
        """(n_samples, 2): the probabilities of class 0 and class 1."""
        self._check_fitted("predict_proba")
        X = self._check_X(X, "predict_proba")
        with nncore.no_grad():
            p = np.array(F.sigmoid(self._net(X)).numpy(), copy=True)
        return np.stack([1.0 - p, p], axis=1)

    def predict(self, X):
        """0 or 1: 1 where the probability of class 1 is >= 0.5."""
        # Decided on the net input: sigmoid rounds a tiny negative net up to exactly 0.5.
        return (self._decision(X, "predict") >= 0).astype(np.int64)
