"""nncore.classic: the lectures' neurons and their learning rules, with the lectures' numbers."""
import math
import warnings

import numpy as np
import pytest

import nncore
import nncore.functional as F
from nncore.classic import (Adaline, ConvergenceWarning, LogisticRegression,
                            McCullochPittsUnit, NotFittedError, Perceptron, ThresholdNetwork,
                            XORNetwork, make_gaussian_classes)
from nncore.classic.synthetic import bayes_accuracy

BINARY = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
AND = np.array([0, 0, 0, 1])
OR = np.array([0, 1, 1, 1])
XOR = np.array([0, 1, 1, 0])


# --- single neurons, computed with nncore ops --------------------------------------------

def test_tanh_neuron_gives_the_lectures_output():
    w = nncore.tensor([1.0, -0.75, 0.25])
    x = nncore.tensor([-0.8, 0.2, -0.4])
    b = -0.5
    net = w @ x + b
    y = F.tanh(net)
    assert net.item() == pytest.approx(-1.55, abs=1e-6)
    assert round(y.item(), 3) == -0.914
    assert y.item() == pytest.approx(math.tanh(-1.55), abs=1e-6)


def test_sigmoid_unit_is_one_half_on_its_boundary_and_nearly_one_beyond():
    w = nncore.tensor([5.0, -3.0], dtype=nncore.float64)

    def g(x1, x2):
        return F.sigmoid(1.0 + w @ nncore.tensor([x1, x2], dtype=nncore.float64)).item()

    assert g(1, 2) == 0.5           # 1 + 5 - 6 = 0: on the decision boundary
    assert g(2, 2) > 0.99           # 1 + 10 - 6 = 5
    assert g(2, 2) == pytest.approx(1 / (1 + math.exp(-5)))


# --- McCulloch-Pitts ------------------------------------------------------------------------

@pytest.mark.parametrize("gate, table", [
    (McCullochPittsUnit.and_gate(), AND), (McCullochPittsUnit.or_gate(), OR),
    (McCullochPittsUnit.nand_gate(), 1 - AND)])
def test_threshold_units_compute_the_logic_gates(gate, table):
    assert gate(BINARY).tolist() == table.tolist()


def test_threshold_unit_fires_at_its_threshold_and_inverts_with_a_negative_weight():
    unit = McCullochPittsUnit([1, 1, 1], threshold=2)   # majority of three
    assert unit([1, 1, 0]) == 1 and unit([1, 0, 0]) == 0
    assert McCullochPittsUnit.not_gate()([[0], [1]]).tolist() == [1, 0]


def test_three_neuron_network_computes_xor():
    net = XORNetwork()
    assert net.truth_table() == [((0, 0), 0), ((0, 1), 1), ((1, 0), 1), ((1, 1), 0)]
    hidden, output = net.activations(BINARY)
    assert hidden.tolist() == np.stack([OR, 1 - AND], axis=1).tolist()   # OR, NAND
    assert output[:, 0].tolist() == XOR.tolist()
    assert net.predict([1, 0]) == 1


def test_threshold_units_reject_non_binary_or_misshapen_input():
    unit = McCullochPittsUnit.and_gate()
    with pytest.raises(ValueError, match=r"McCullochPittsUnit\(weights=\[1, 1\], "
                                         r"threshold=1.5.*binary.*\[2\].*\(1, 2\)"):
        unit([[0, 2]])
    with pytest.raises(ValueError, match=r"expects 2 inputs per sample.*\(4, 3\)"):
        unit(np.zeros((4, 3), int))
    with pytest.raises(ValueError, match="layer 2 takes 3 inputs, but layer 1 has 2"):
        ThresholdNetwork([[unit, unit], [McCullochPittsUnit.and_gate(3)]])


# --- perceptron ---------------------------------------------------------------------------

@pytest.mark.parametrize("target", [AND, OR], ids=["AND", "OR"])
def test_perceptron_learns_and_or_in_finitely_many_updates(target):
    clf = Perceptron().fit(BINARY, target)
    assert clf.converged_ and clf.n_iter_ <= 10
    assert clf.updates_per_epoch_[-1] == 0 and 0 < clf.n_updates_ <= 20
    assert clf.predict(BINARY).tolist() == target.tolist()
    assert clf.score(BINARY, target) == 1.0
    assert clf.coef_.shape == (1, 2) and clf.intercept_.shape == (1,)


@pytest.mark.parametrize("target", [AND, OR], ids=["AND", "OR"])
def test_hebb_rule_learns_and_or_with_bipolar_labels(target):
    bipolar = 2 * target - 1
    clf = Perceptron(rule="hebb").fit(2 * BINARY - 1, bipolar)
    assert clf.converged_ and clf.n_iter_ <= 10
    assert clf.predict(2 * BINARY - 1).tolist() == bipolar.tolist()
    assert clf.classes_.tolist() == [-1, 1]


def test_perceptron_cannot_separate_xor():
    with pytest.warns(ConvergenceWarning, match=r"max_iter=25.*linearly separable"):
        clf = Perceptron(max_iter=25).fit(BINARY, XOR)
    assert not clf.converged_ and clf.n_iter_ == 25
    assert min(clf.updates_per_epoch_) > 0          # every epoch still had to correct
    assert clf.score(BINARY, XOR) <= 0.75           # no line gets all four right


def test_perceptron_mistakes_stay_within_novikoffs_bound():
    # Separable data with margin gamma around a known unit separator (bias included):
    # the convergence theorem bounds the updates by (R / gamma)^2.
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, size=(400, 2))
    augmented = np.c_[X, np.ones(len(X))]
    separator = np.array([1.0, -2.0, 0.3]) / np.linalg.norm([1.0, -2.0, 0.3])
    margin = augmented @ separator
    keep = np.abs(margin) >= 0.1
    X, y, augmented = X[keep], (margin[keep] > 0).astype(int), augmented[keep]
    gamma = np.abs(augmented @ separator).min()
    radius = np.linalg.norm(augmented, axis=1).max()
    clf = Perceptron(shuffle=True, random_state=0, max_iter=1000).fit(X, y)
    assert clf.converged_ and clf.score(X, y) == 1.0
    assert clf.n_updates_ <= (radius / gamma) ** 2


def test_perceptron_partial_fit_replays_fit_epoch_by_epoch():
    full = Perceptron(max_iter=3)
    with pytest.warns(ConvergenceWarning):
        full.fit(BINARY, AND)
    online = Perceptron()
    for _ in range(3):
        online.partial_fit(BINARY, AND, classes=[0, 1])
    np.testing.assert_array_equal(online.coef_, full.coef_)
    np.testing.assert_array_equal(online.intercept_, full.intercept_)
    assert online.n_iter_ == 3 and online.n_updates_ == full.n_updates_


def test_perceptron_shuffling_is_reproducible_from_random_state():
    X, y = make_gaussian_classes(60, distance=6, random_state=0)
    a = Perceptron(shuffle=True, random_state=7, max_iter=5)
    b = Perceptron(shuffle=True, random_state=7, max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        np.testing.assert_array_equal(a.fit(X, y).coef_, b.fit(X, y).coef_)


# --- a 2-2-1 network learns what the perceptron cannot ------------------------------------

def _train_xor_mlp(seed, restarts=10):
    """A 2-2-1 tanh/sigmoid network trained by backprop (Adam, cross-entropy).

    About four in ten random starts of so small a network settle on a plateau where two
    of the four patterns get 0.5 (PyTorch does the same from the same weights); the
    textbook remedy is to restart from new random weights. Returns (model, attempts)."""
    from nncore import layers, optimizers
    from nncore.models import Sequential
    x = BINARY.astype(np.float32)
    for attempt in range(restarts):
        nncore.manual_seed(seed + 1000 * attempt)
        model = Sequential([layers.Dense(2, activation="tanh", input_shape=(2,)),
                            layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=optimizers.Adam(0.1), loss="binary_crossentropy")
        model.fit(x, XOR[:, None].astype(np.float32), epochs=300, batch_size=4, verbose=0,
                  shuffle=False)
        if ((model.predict(x, verbose=0)[:, 0] >= 0.5) == XOR).all():
            return model, attempt + 1
    return model, restarts + 1


def test_two_layer_network_learns_xor_with_backprop():
    model, attempts = _train_xor_mlp(seed=0)
    assert attempts <= 10
    p = model.predict(BINARY.astype(np.float32), verbose=0)[:, 0]
    assert np.all(p[XOR == 1] > 0.9) and np.all(p[XOR == 0] < 0.1)


# --- Adaline ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def regression_problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 3))
    y = np.where(X @ [1.0, -2.0, 0.5] + 0.3 + 0.7 * rng.standard_normal(80) > 0, 1, -1)
    solution, *_ = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)
    return X, y, solution


def test_adaline_batch_mode_converges_to_least_squares(regression_problem):
    X, y, solution = regression_problem
    clf = Adaline(mode="batch", learning_rate=0.3, tol=1e-12, max_iter=5000).fit(X, y)
    assert clf.converged_
    np.testing.assert_allclose(clf.coef_[0], solution[:3], atol=1e-5)
    np.testing.assert_allclose(clf.intercept_[0], solution[3], atol=1e-5)
    assert np.all(np.diff(clf.loss_curve_) <= 1e-12)   # the full gradient never overshoots


def test_adaline_online_lms_ends_near_least_squares(regression_problem):
    X, y, solution = regression_problem
    # A constant rate leaves the weights hovering within O(rate) of the solution.
    clf = Adaline(mode="online", learning_rate=0.002, tol=1e-9, max_iter=2000,
                  random_state=0).fit(X, y)
    assert clf.converged_
    np.testing.assert_allclose(np.r_[clf.coef_[0], clf.intercept_], solution, atol=5e-3)
    least_squares = np.mean((np.c_[X, np.ones(len(X))] @ solution - y) ** 2)
    assert clf.loss_curve_[-1] == pytest.approx(least_squares, rel=1e-3)
    assert clf.predict(X).tolist() == np.where(clf.decision_function(X) >= 0, 1, -1).tolist()


def test_adaline_partial_fit_continues_where_fit_stopped(regression_problem):
    X, y, _ = regression_problem
    with pytest.warns(ConvergenceWarning):
        full = Adaline(mode="batch", learning_rate=0.1, max_iter=3, tol=None).fit(X, y)
    online = Adaline(mode="batch", learning_rate=0.1)
    for _ in range(3):
        online.partial_fit(X, y)
    np.testing.assert_allclose(online.coef_, full.coef_, rtol=1e-12)
    assert online.loss_curve_ == pytest.approx(full.loss_curve_, rel=1e-12)


def test_adaline_with_too_large_a_rate_reports_divergence():
    X, y = make_gaussian_classes(50, random_state=0)
    with pytest.raises(ValueError, match=r"Adaline\(mode='batch', learning_rate=5\).*diverge"
                                         r".*lower learning_rate"):
        Adaline(mode="batch", learning_rate=5).fit(X * 10, 2 * y - 1)


# --- logistic regression ------------------------------------------------------------------

def test_logistic_regression_on_the_synthetic_set_beats_ninety_percent():
    X, y = make_gaussian_classes(600, distance=4.0, random_state=1)
    clf = LogisticRegression(random_state=0).fit(X[:400], y[:400])
    accuracy = clf.score(X[400:], y[400:])
    assert clf.converged_
    assert accuracy > 0.90 and accuracy > bayes_accuracy(4.0) - 0.04
    proba = clf.predict_proba(X[400:])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.predict(X[400:]).tolist() == (proba[:, 1] >= 0.5).astype(int).tolist()


def test_logistic_regression_one_step_is_the_closed_form_gradient():
    # From zero weights sigmoid(net) = 1/2, so one full-batch gradient step moves w by
    # -lr * X.T @ (1/2 - y) / n: autograd through the cross-entropy gives the textbook rule.
    X, y = make_gaussian_classes(30, n_features=3, random_state=2)
    clf = LogisticRegression(learning_rate=0.5).partial_fit(X, y)
    np.testing.assert_allclose(clf.coef_[0], -0.5 * X.T @ (0.5 - y) / len(y), atol=1e-12)
    np.testing.assert_allclose(clf.intercept_[0], -0.5 * np.mean(0.5 - y), atol=1e-12)


def test_logistic_regression_with_adam_and_mini_batches():
    X, y = make_gaussian_classes(400, n_features=5, distance=3.0, random_state=4)
    clf = LogisticRegression(optimizer="adam", learning_rate=0.05, batch_size=32,
                             random_state=0, max_iter=200).fit(X[:300], y[:300])
    assert clf.score(X[300:], y[300:]) > 0.85
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_an_optimizer_instance_is_a_template_each_fit_copies():
    from nncore import optimizers
    X, y = make_gaussian_classes(100, random_state=0)
    adam = optimizers.Adam(0.05)
    first = LogisticRegression(optimizer=adam).fit(X, y)
    second = LogisticRegression(optimizer=adam).fit(X, y)
    np.testing.assert_array_equal(first.coef_, second.coef_)
    assert adam.iterations == 0


def test_logistic_regression_predicts_tumour_malignancy():
    datasets = pytest.importorskip("sklearn.datasets")
    from nncore.data import train_test_split
    data = datasets.load_breast_cancer()          # 569 tumours, 30 features
    malignant = (data.target == 0).astype(int)    # scikit-learn codes malignant as 0
    (X_train, y_train), (X_test, y_test) = train_test_split(data.data, malignant,
                                                            test_size=0.3, seed=0)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    clf = LogisticRegression(learning_rate=0.5, max_iter=2000, random_state=0)
    clf.fit((X_train - mean) / std, y_train)
    assert clf.score((X_test - mean) / std, y_test) > 0.93


# --- errors and the estimator protocol ----------------------------------------------------

def test_wrong_labels_name_the_estimator_the_rule_and_the_fix():
    with pytest.raises(ValueError, match=r"Perceptron\(\)\.fit: labels must be 0 or 1, got "
                                         r"\[-1\].*rule='hebb' takes -1 or 1"):
        Perceptron().fit(BINARY, 2 * AND - 1)
    with pytest.raises(ValueError, match=r"Perceptron\(rule='hebb'\)\.fit: labels must be "
                                         r"-1 or 1, got \[0\]"):
        Perceptron(rule="hebb").fit(BINARY, AND)
    with pytest.raises(ValueError, match=r"Adaline\(\)\.fit: labels must be -1 or 1"):
        Adaline().fit(BINARY, AND)
    with pytest.raises(ValueError, match=r"LogisticRegression\(\)\.fit: labels must be 0 or "
                                         r"1, got \[0\.5, 2\]"):
        LogisticRegression().fit(BINARY, [0.5, 1, 2, 0])
    with pytest.raises(ValueError, match=r"classes must be a subset of \[0, 1\]"):
        Perceptron().partial_fit(BINARY, AND, classes=[-1, 1])


@pytest.mark.parametrize("estimator", [Perceptron(), Adaline(), LogisticRegression()],
                         ids=lambda e: type(e).__name__)
def test_shape_errors_and_unfitted_use_are_clear(estimator):
    name = type(estimator).__name__
    labels = AND if name != "Adaline" else 2 * AND - 1
    with pytest.raises(ValueError, match=rf"{name}\.fit: X has 4 samples \(shape \(4, 2\)\) "
                                         rf"but y has 3 \(shape \(3,\)\)"):
        estimator.fit(BINARY, labels[:3])
    with pytest.raises(ValueError, match=rf"{name}\.fit: X must be 2-D.*got shape \(4,\).*"
                                         rf"reshape"):
        estimator.fit(AND, labels)
    with pytest.raises(NotFittedError, match=rf"This {name} instance is not fitted yet; "
                                             rf"call fit\(X, y\) before predict"):
        estimator.predict(BINARY)
    assert not hasattr(estimator, "coef_")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(BINARY, labels)
    with pytest.raises(ValueError, match=rf"{name}\.predict: X has 3 features \(shape "
                                         rf"\(1, 3\)\), but this {name} was fitted with 2"):
        estimator.predict([[0, 1, 1]])


def test_bad_hyper_parameters_are_refused_at_fit():
    with pytest.raises(ValueError, match=r"rule must be 'rosenblatt' .* or 'hebb'"):
        Perceptron(rule="widrow").fit(BINARY, AND)
    with pytest.raises(ValueError, match=r"mode must be 'online'.*'batch'"):
        Adaline(mode="minibatch").fit(BINARY, 2 * AND - 1)
    with pytest.raises(ValueError, match="max_iter must be a positive integer, got 0"):
        LogisticRegression(max_iter=0).fit(BINARY, AND)
    with pytest.raises(TypeError, match="optimizer must be a registered name"):
        LogisticRegression(optimizer=3).fit(BINARY, AND)


def test_parameters_follow_the_scikit_learn_protocol():
    clf = Perceptron(rule="hebb", max_iter=5)
    assert clf.get_params() == {"rule": "hebb", "learning_rate": 1.0, "max_iter": 5,
                                "shuffle": False, "random_state": None}
    assert clf.set_params(max_iter=7) is clf and clf.max_iter == 7
    assert repr(clf) == "Perceptron(rule='hebb', max_iter=7)"
    with pytest.raises(ValueError, match="unknown parameter 'epochs'"):
        clf.set_params(epochs=3)
    assert issubclass(ConvergenceWarning, UserWarning)


def test_synthetic_classes_are_balanced_and_reproducible():
    X, y = make_gaussian_classes(101, n_features=4, random_state=5)
    assert X.shape == (101, 4) and X.dtype == np.float64 and np.bincount(y).tolist() == [50, 51]
    np.testing.assert_array_equal(X, make_gaussian_classes(101, n_features=4,
                                                           random_state=5)[0])
    assert bayes_accuracy(4.0) == pytest.approx(0.97725, abs=1e-5)
