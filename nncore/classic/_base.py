"""What the classic estimators share: input checking with messages that name the estimator
and the shapes, scikit-learn's parameter protocol, and the linear unit's weights held as
nncore tensors."""
import inspect
import numbers
import warnings

import numpy as np

import nncore

__all__ = ["ConvergenceWarning", "NotFittedError", "LinearUnit", "GradientUnit",
           "EarlyStopping", "run_epochs", "diverged_error"]


class ConvergenceWarning(UserWarning):
    """A learning rule stopped at ``max_iter`` before its stopping criterion was met."""


class NotFittedError(ValueError, AttributeError):
    """predict (or coef_, ...) was used before fit. A ValueError and an AttributeError, as
    in scikit-learn, so ``hasattr(est, "coef_")`` is False on an unfitted estimator."""


def _values(array, limit=6):
    # Labels in messages: a short sorted list, never the whole array.
    unique = np.unique(array)
    shown = ", ".join(_fmt(v) for v in unique[:limit])
    return f"[{shown}{', ...' if len(unique) > limit else ''}]"


def _fmt(value):
    value = value.item() if hasattr(value, "item") else value
    return str(int(value)) if float(value).is_integer() else repr(value)


class LinearUnit:
    """Base class: one neuron with weights ``w`` (n_features,) and bias ``b`` (a scalar),
    both float64 nncore tensors, computing ``X @ w + b``.

    Subclasses set ``_labels`` (the allowed target values) and implement
    ``_check_params``, ``_reset_progress``, ``fit``, ``partial_fit`` and ``predict``; the
    checks, the parameter protocol, ``coef_``, ``decision_function`` and ``score`` live
    here.
    """

    _labels = (0, 1)

    # ------------------------------------------------------------------ sklearn protocol

    @classmethod
    def _param_names(cls):
        signature = inspect.signature(cls.__init__)
        return [name for name in signature.parameters if name != "self"]

    def get_params(self, deep=True):
        """The constructor's arguments as a dict (scikit-learn's protocol)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"{type(self).__name__}.set_params: unknown parameter "
                                 f"{name!r}; valid parameters are {', '.join(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self):
        defaults = inspect.signature(type(self).__init__).parameters
        changed = [f"{name}={getattr(self, name)!r}" for name in self._param_names()
                   if getattr(self, name) != defaults[name].default]
        return f"{type(self).__name__}({', '.join(changed)})"

    @property
    def _name(self):
        return repr(self)

    # ------------------------------------------------------------------ checks

    def _check_positive(self, name, value, integer=False):
        kind = numbers.Integral if integer else numbers.Real
        if isinstance(value, bool) or not isinstance(value, kind) or not value > 0:
            what = "a positive integer" if integer else "a positive number"
            raise ValueError(f"{self._name}: {name} must be {what}, got {value!r}")

    def _check_X(self, X, method):
        where = f"{type(self).__name__}.{method}"
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{where}: X must be a numeric array of shape (n_samples, "
                            f"n_features): {error}") from None
        if X.ndim != 2:
            hint = (" (one feature: X.reshape(-1, 1); one sample: X.reshape(1, -1))"
                    if X.ndim == 1 else "")
            raise ValueError(f"{where}: X must be 2-D (n_samples, n_features), got shape "
                             f"{X.shape}{hint}")
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"{where}: X is empty (shape {X.shape})")
        if not np.isfinite(X).all():
            raise ValueError(f"{where}: X contains NaN or infinity (shape {X.shape})")
        fitted = getattr(self, "n_features_in_", None)
        if fitted is not None and method not in ("fit",) and X.shape[1] != fitted:
            raise ValueError(f"{where}: X has {X.shape[1]} features (shape {X.shape}), but "
                             f"this {type(self).__name__} was fitted with {fitted}")
        return np.ascontiguousarray(X)

    def _check_Xy(self, X, y, method):
        where = f"{type(self).__name__}.{method}"
        X = self._check_X(X, method)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]  # a column of labels is still one label per sample
        if y.ndim != 1:
            raise ValueError(f"{where}: y must be 1-D (n_samples,), got shape {y.shape}")
        if len(y) != len(X):
            raise ValueError(f"{where}: X has {len(X)} samples (shape {X.shape}) but y has "
                             f"{len(y)} (shape {y.shape})")
        if y.dtype == np.bool_:
            y = y.astype(np.int64)
        if not np.issubdtype(y.dtype, np.number):
            raise TypeError(f"{where}: y must hold numbers {self._label_text()}, got dtype "
                            f"{y.dtype}")
        wrong = ~np.isin(y, self._labels)
        if wrong.any():
            raise ValueError(f"{self._name}.{method}: labels must be "
                             f"{self._label_text()}, got {_values(y[wrong])} (y shape "
                             f"{y.shape}){self._label_hint()}")
        return X, y.astype(np.float64)

    def _label_text(self):
        return " or ".join(str(v) for v in self._labels)

    def _label_hint(self):
        return ""

    def _fit_data(self, X, y):
        """Checks fit's input and starts from zero weights; returns X and y as tensors and
        the epoch-order generator of this fit."""
        self._check_params()
        X, y = self._check_Xy(X, y, "fit")
        self._init_weights(X.shape[1])
        self._reset_progress()
        return nncore.from_numpy(X), nncore.from_numpy(y), self._rng()

    def _partial_fit_data(self, X, y, classes):
        """Checks partial_fit's input; the first call starts from zero weights."""
        self._check_params()
        if classes is not None and set(np.asarray(classes).tolist()) - set(self._labels):
            raise ValueError(f"{self._name}.partial_fit: classes must be a subset of "
                             f"{list(self._labels)}, got {np.asarray(classes).tolist()}")
        X, y = self._check_Xy(X, y, "partial_fit")
        if getattr(self, "_w", None) is None:
            self._init_weights(X.shape[1])
            self._reset_progress()
        if self._partial_rng is None:
            # Kept across calls, so successive shuffles differ yet replay from random_state.
            self._partial_rng = self._rng()
        return X, y

    def _check_fitted(self, what):
        if getattr(self, "_w", None) is None:
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet; "
                                 f"call fit(X, y) before {what}")

    # ------------------------------------------------------------------ weights

    def _init_weights(self, n_features):
        # Zeros: the perceptron theorem and the convex losses need no random start.
        self._w = nncore.zeros(n_features, dtype=nncore.float64)
        self._b = nncore.zeros((), dtype=nncore.float64)
        self.n_features_in_ = n_features
        self._partial_rng = None

    @property
    def coef_(self):
        """The weights as a (1, n_features) NumPy array (scikit-learn's binary layout)."""
        self._check_fitted("coef_")
        return np.array(self._w.detach().numpy(), copy=True).reshape(1, -1)

    @property
    def intercept_(self):
        """The bias as a (1,) NumPy array."""
        self._check_fitted("intercept_")
        return np.array(self._b.detach().numpy(), copy=True).reshape(1)

    @property
    def classes_(self):
        """The labels this estimator predicts, in sorted order."""
        self._check_fitted("classes_")
        return np.array(self._labels)

    def _net(self, X):
        """X @ w + b as an nncore tensor (X already checked)."""
        return nncore.from_numpy(X) @ self._w + self._b

    def decision_function(self, X):
        """The net input ``X @ w + b`` of each sample, shape (n_samples,)."""
        return self._decision(X, "decision_function")

    def _decision(self, X, method):
        # `method` names the public call in error messages.
        self._check_fitted(method)
        X = self._check_X(X, method)
        with nncore.no_grad():
            return np.array(self._net(X).numpy(), copy=True)

    def score(self, X, y):
        """Mean accuracy of ``predict(X)`` against ``y``."""
        X, y = self._check_Xy(X, y, "score")
        return float(np.mean(self.predict(X) == y))

    # ------------------------------------------------------------------ epochs

    def _order(self, n, rng):
        return rng.permutation(n) if self.shuffle else np.arange(n)

    def _rng(self):
        # One generator per fit: a fixed random_state replays the same epochs.
        return np.random.default_rng(self.random_state)


class EarlyStopping:
    """scikit-learn's SGD criterion: training has settled once the epoch loss has failed to
    improve on the best loss by at least ``tol`` for ``patience`` epochs in a row.

    ``update(loss)`` returns None (go on), "converged", or "diverged" when it settled far
    above its best -- a loss that grows every epoch also "fails to improve", and must not
    count as convergence."""

    def __init__(self, tol, patience):
        self.tol, self.patience = tol, patience
        self.best, self.bad_epochs = np.inf, 0

    def update(self, loss):
        if self.tol is None:
            return None
        if loss > self.best - self.tol:
            self.bad_epochs += 1
        else:
            self.bad_epochs = 0
        self.best = min(self.best, loss)
        if self.bad_epochs < self.patience:
            return None
        return "diverged" if loss > 2.0 * self.best + self.tol else "converged"


def run_epochs(estimator, epoch, stopping):
    """Calls ``epoch()`` (which returns the loss) up to max_iter times; sets converged_.
    A loss that overflows or keeps growing raises ValueError naming the learning rate."""
    estimator.converged_ = False
    for _ in range(estimator.max_iter):
        loss = epoch()
        state = stopping.update(loss) if np.isfinite(loss) else "diverged"
        if state == "diverged":
            raise diverged_error(estimator, loss, stopping.best)
        if state == "converged":
            estimator.converged_ = True
            return


class GradientUnit(LinearUnit):
    """A linear unit trained epoch by epoch on a loss (Adaline, logistic regression): the
    subclass provides ``_epoch(X_t, y_t, rng)`` returning the epoch's loss and names the
    loss in ``_loss_name``."""

    _loss_name = "the loss"

    def fit(self, X, y):
        """Trains from zero weights until the loss stops improving, or max_iter epochs."""
        X_t, y_t, rng = self._fit_data(X, y)
        run_epochs(self, lambda: self._epoch(X_t, y_t, rng),
                   EarlyStopping(self.tol, self.n_iter_no_change))
        if not self.converged_:
            warnings.warn(f"{self._name}: {self._loss_name} was still improving after "
                          f"max_iter={self.max_iter} epochs; raise max_iter or "
                          f"learning_rate", ConvergenceWarning, stacklevel=2)
        return self

    def partial_fit(self, X, y, classes=None):
        """One epoch over (X, y), continuing from the current weights (and optimizer
        state)."""
        X, y = self._partial_fit_data(X, y, classes)
        loss = self._epoch(nncore.from_numpy(X), nncore.from_numpy(y), self._partial_rng)
        if not np.isfinite(loss):
            raise diverged_error(self, loss)
        return self

    def _reset_progress(self):
        self.n_iter_, self.loss_curve_, self.converged_ = 0, [], False


def diverged_error(estimator, loss, best=None):
    best = "" if best is None else f" (best {best:.4g})"
    return ValueError(f"{estimator._name}: the loss grew to {loss:.4g} by epoch "
                      f"{estimator.n_iter_}{best}: the weights diverge; lower learning_rate "
                      f"(now {estimator.learning_rate}) or standardise the features")
