"""nncore.data: one-hot labels, splits, mini-batches."""
import numpy as np
import pytest

from nncore.data import (BatchIterator, batches, split_validation, to_categorical,
                         train_test_split)


# --- to_categorical -----------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(7,), (7, 1), (3, 4), (2, 3, 1)])
def test_to_categorical_matches_an_identity_matrix_lookup(shape):
    y = np.random.default_rng(0).integers(0, 5, shape)
    out = to_categorical(y, num_classes=6)
    squeezed = shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape
    assert out.shape == squeezed + (6,) and out.dtype == np.float32
    np.testing.assert_array_equal(out, np.eye(6, dtype=np.float32)[y.reshape(squeezed)])


def test_to_categorical_infers_num_classes_and_takes_a_dtype():
    out = to_categorical([2, 0, 1, 2], dtype="int64")
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    # Whole-valued floats are labels too (e.g. targets stored as float32).
    np.testing.assert_array_equal(to_categorical(np.array([1.0, 0.0])), [[0, 1], [1, 0]])
    assert to_categorical(np.zeros(0, np.int64), num_classes=3).shape == (0, 3)


@pytest.mark.parametrize("labels, num_classes, message", [
    ([0, 1, -1], 3, "label -1"),
    ([0, 3, 1], 3, "label 3 is outside"),
    ([0.5, 1.0], None, "label 0.5 is not a whole number"),
    ([], None, "num_classes is required"),
    (["a"], None, "must be integers"),
])
def test_to_categorical_rejects_bad_labels_naming_them(labels, num_classes, message):
    with pytest.raises(ValueError, match=message):
        to_categorical(labels, num_classes=num_classes)


# --- splits ---------------------------------------------------------------------------------

def test_unshuffled_train_test_split_gives_views_of_the_tail():
    x, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    (x_train, y_train), (x_test, y_test) = train_test_split(x, y, test_size=0.3, shuffle=False)
    assert np.shares_memory(x_train, x) and np.shares_memory(y_test, y)
    np.testing.assert_array_equal(x_test, x[7:])
    np.testing.assert_array_equal(y_train, y[:7])


def test_shuffled_split_keeps_pairs_together_and_covers_every_sample():
    x = np.arange(100) * 10
    y = np.arange(100)
    (x_train, y_train), (x_test, y_test) = train_test_split(x, y, test_size=25, seed=3)
    assert len(x_test) == 25 and len(x_train) == 75
    np.testing.assert_array_equal(x_train, y_train * 10)
    np.testing.assert_array_equal(x_test, y_test * 10)
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_test])), y)
    assert not np.array_equal(y_test, np.arange(75, 100))
    # Same seed, same split; x alone gives the pair (train, test).
    again_train, again_test = train_test_split(x, test_size=25, seed=3)
    np.testing.assert_array_equal(again_test, x_test)


def test_split_errors():
    with pytest.raises(ValueError, match="different numbers of samples"):
        train_test_split(np.zeros(5), np.zeros(4))
    with pytest.raises(ValueError, match="empty part"):
        train_test_split(np.zeros(3), test_size=0.9)
    with pytest.raises(ValueError, match="fraction in"):
        train_test_split(np.zeros(3), test_size=1.5)


@pytest.mark.parametrize("n, fraction", [(10, 0.2), (10, 0.3), (7, 0.5), (60000, 0.1)])
def test_split_validation_takes_the_last_fraction_like_keras(n, fraction):
    x, y = np.arange(n * 3).reshape(n, 3), np.arange(n)
    (x_train, y_train), (x_val, y_val) = split_validation(x, y, fraction)
    split_at = int(np.floor(n * (1.0 - fraction)))  # Keras's fit(validation_split=...)
    assert len(x_train) == split_at and len(y_val) == n - split_at
    np.testing.assert_array_equal(y_val, y[split_at:])
    assert np.shares_memory(x_train, x) and np.shares_memory(x_val, x)


def test_split_validation_splits_lists_of_arrays_alike():
    a, b = np.arange(10), np.arange(10) * 2
    (train, _), (val, _) = split_validation([a, b], None, 0.2)
    assert isinstance(train, list) and len(val) == 2
    np.testing.assert_array_equal(val[1], [16, 18])
    with pytest.raises(ValueError, match="no training"):
        split_validation(np.zeros(3), None, 0.9)


# --- batches --------------------------------------------------------------------------------

def test_unshuffled_batches_are_views_in_order():
    x, y = np.arange(50.0).reshape(25, 2), np.arange(25)
    got = list(batches(x, y, batch_size=10, shuffle=False))
    assert [len(b[0]) for b in got] == [10, 10, 5]
    for xb, yb in got:
        assert np.shares_memory(xb, x) and np.shares_memory(yb, y)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in got]), y)
    assert [len(b[0]) for b in batches(x, y, batch_size=10, shuffle=False,
                                       drop_last=True)] == [10, 10]


def test_each_shuffled_epoch_covers_every_sample_once_in_a_new_order():
    x = np.arange(103)
    it = BatchIterator(x, x * 2, batch_size=16, seed=7)
    assert len(it) == 7
    orders = []
    for _ in range(3):
        seen = [b for b in it]
        assert len(seen) == len(it)
        for xb, yb in seen:
            np.testing.assert_array_equal(yb, xb * 2)  # rows stay paired
        order = np.concatenate([xb for xb, _ in seen])
        np.testing.assert_array_equal(np.sort(order), x)
        orders.append(order)
    assert not np.array_equal(orders[0], orders[1])
    assert not np.array_equal(orders[1], orders[2])
    # The same seed replays the same epochs, and batches() is the first of them.
    replay = BatchIterator(x, x * 2, batch_size=16, seed=7)
    for expected in orders:
        np.testing.assert_array_equal(np.concatenate([xb for xb, _ in replay]), expected)
    np.testing.assert_array_equal(
        np.concatenate([xb for (xb,) in batches(x, batch_size=16, seed=7)]), orders[0])
    # Resuming at an epoch gives that epoch's order.
    resumed = BatchIterator(x, x * 2, batch_size=16, seed=7)
    resumed.epoch = 2
    np.testing.assert_array_equal(np.concatenate([xb for xb, _ in resumed]), orders[2])


def test_drop_last_and_none_pass_through():
    it = BatchIterator(np.arange(10), None, batch_size=4, seed=0, drop_last=True)
    assert len(it) == 2
    got = list(it)
    assert len(got) == 2 and all(b[1] is None and len(b[0]) == 4 for b in got)


def test_reused_buffers_are_contiguous_and_hold_the_right_rows():
    x = np.asfortranarray(np.arange(60.0).reshape(20, 3))
    fresh = [xb.copy() for (xb,) in batches(x, batch_size=8, seed=1)]
    reused = []
    for (xb,) in batches(x, batch_size=8, seed=1, reuse_buffers=True):
        assert xb.flags.c_contiguous
        reused.append((xb, xb.copy()))
    assert np.shares_memory(reused[0][0], reused[1][0])  # one buffer, recycled
    for expected, (_, snapshot) in zip(fresh, reused):
        np.testing.assert_array_equal(snapshot, expected)


def test_batch_iterator_errors():
    with pytest.raises(ValueError, match="different numbers of samples"):
        BatchIterator(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="batch_size"):
        BatchIterator(np.zeros(3), batch_size=0)
    with pytest.raises(ValueError, match="at least one array"):
        BatchIterator()
