"""The classic neurons, with scikit-learn's estimator interface, learning on nncore tensors.

    >>> from nncore.classic import Perceptron
    >>> clf = Perceptron().fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1])   # AND
    >>> clf.converged_, clf.predict([[1, 1]])
    (True, array([1]))

- ``Perceptron(rule='rosenblatt' | 'hebb')``: the fixed-increment error-correction rule
  (labels 0/1) or Hebb's rule applied on mistakes (labels -1/1); stops after an epoch
  without updates.
- ``Adaline(mode='online' | 'batch')``: the delta rule (Widrow-Hoff least mean squares).
- ``LogisticRegression``: a sigmoid unit trained on the cross-entropy with autograd and an
  nncore optimizer; ``predict_proba``.
- ``McCullochPittsUnit``, ``ThresholdNetwork``, ``XORNetwork``: hand-wired threshold logic.
- ``make_gaussian_classes``: a documented synthetic two-class problem.

Estimators provide ``fit``, ``partial_fit``, ``predict``, ``decision_function``, ``score``,
``get_params``/``set_params`` and, once fitted, ``coef_`` (1, n_features), ``intercept_``,
``classes_``, ``n_iter_`` and ``converged_``; a rule that stops at ``max_iter`` warns with
``ConvergenceWarning``. Bad input raises ValueError naming the estimator and the shapes;
using an unfitted estimator raises ``NotFittedError``.
"""
from nncore.classic._base import ConvergenceWarning, NotFittedError
from nncore.classic.perceptron import Perceptron
from nncore.classic.adaline import Adaline
from nncore.classic.logistic import LogisticRegression
from nncore.classic.threshold_logic import McCullochPittsUnit, ThresholdNetwork, XORNetwork
from nncore.classic.synthetic import make_gaussian_classes

__all__ = ["Perceptron", "Adaline", "LogisticRegression", "McCullochPittsUnit",
           "ThresholdNetwork", "XORNetwork", "make_gaussian_classes", "ConvergenceWarning",
           "NotFittedError"]
