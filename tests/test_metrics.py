"""Metrics and regularizers against their formulas."""
import numpy as np
import pytest

import nncore
from nncore import metrics, regularizers


def test_accuracy_functions():
    y_pred = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [0.3, 0.3, 0.4]],
                      np.float32)
    labels = np.array([1, 1, 2, 0])
    onehot = np.eye(3, dtype=np.float32)[labels]
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(labels, y_pred).numpy(),
                                  [1, 0, 1, 0])
    np.testing.assert_array_equal(metrics.categorical_accuracy(onehot, y_pred).numpy(),
                                  [1, 0, 1, 0])
    np.testing.assert_array_equal(metrics.top_k_categorical_accuracy(onehot, y_pred, k=2)
                                  .numpy(), [1, 1, 1, 1])
    np.testing.assert_array_equal(
        metrics.sparse_top_k_categorical_accuracy(labels, y_pred, k=1).numpy(), [1, 0, 1, 0])
    np.testing.assert_array_equal(
        metrics.binary_accuracy([[1.0, 0.0], [0.0, 0.0]], [[0.7, 0.6], [0.2, 0.4]]).numpy(),
        [0.5, 1.0])
    np.testing.assert_array_equal(metrics.accuracy([1, 2, 3], [1, 0, 3]).numpy(), [1, 0, 1])
    np.testing.assert_allclose(metrics.mean_squared_error([[1.0, 2.0]], [[2.0, 4.0]]).numpy(),
                               [2.5])


def test_stateful_metrics_accumulate_weighted_means():
    m = metrics.SparseCategoricalAccuracy()
    m.update_state([1, 0], [[0.1, 0.9], [0.2, 0.8]])
    m.update_state([1], [[0.0, 1.0]], sample_weight=[2.0])
    assert m.result().item() == pytest.approx(3 / 4)
    m.reset_state()
    assert m.result().item() == 0.0
    mean = metrics.Mean()
    mean(nncore.tensor([1.0, 2.0, 3.0]))
    mean(nncore.tensor([10.0]), sample_weight=nncore.tensor([3.0]))
    assert mean.result().item() == pytest.approx((6 + 30) / 6)
    assert metrics.TopKCategoricalAccuracy(k=3).get_config()["k"] == 3
    with pytest.raises(ValueError, match="sample weights"):
        m.update_state([1, 0], [[0.1, 0.9], [0.2, 0.8]], sample_weight=[1.0, 2.0, 3.0])


def test_regularizers_values_gradients_and_configs():
    w = nncore.tensor([[1.0, -2.0], [0.5, 0.0]], requires_grad=True)
    penalty = regularizers.L1L2(l1=0.1, l2=0.01)(w)
    assert penalty.item() == pytest.approx(0.1 * 3.5 + 0.01 * 5.25)
    penalty.backward()
    expected = 0.1 * np.sign(w.detach().numpy()) + 0.02 * w.detach().numpy()
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-6)
    assert regularizers.L2()(w).item() == pytest.approx(0.01 * 5.25)
    assert regularizers.L1.from_config(regularizers.L1(0.3).get_config()).l1 == 0.3
    with pytest.raises(ValueError, match="l2 must be >= 0"):
        regularizers.L2(-1.0)
