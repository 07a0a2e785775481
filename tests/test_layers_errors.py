"""Errors a user of nncore.layers hits, and that their messages say what went wrong."""
import numpy as np
import pytest

import nncore
from nncore import layers
from nncore.registry import UnknownComponentError


def ones(*shape):
    return np.ones(shape, np.float32)


def test_dense_with_the_wrong_feature_count_names_layer_and_shapes():
    dense = layers.Dense(2, name="classifier")
    dense(ones(4, 3))
    with pytest.raises(ValueError, match=r"'classifier'.*3 features.*\(batch, 3\).*"
                                         r"got shape \(4, 5\)"):
        dense(ones(4, 5))


def test_declared_input_shape_is_checked_on_first_call():
    dense = layers.Dense(2, input_shape=(3,), name="first")
    with pytest.raises(ValueError, match=r"'first'.*shape \(2, 4\).*expects \(None, 3\)"):
        dense(ones(2, 4))
    assert not dense.built


def test_dense_needs_a_known_last_dimension():
    with pytest.raises(ValueError, match=r"last dimension.*\(None, None\)"):
        layers.Dense(3)(layers.Input(shape=(None,)))


@pytest.mark.parametrize("units", [0, -3])
def test_dense_units_must_be_positive(units):
    with pytest.raises(ValueError, match=rf"units must be a positive integer, got {units}"):
        layers.Dense(units)


def test_unknown_activation_suggests_close_names():
    with pytest.raises(UnknownComponentError, match=r"'relux'.*did you mean 'relu'"):
        layers.Dense(2, activation="relux")
    with pytest.raises(ValueError, match="did you mean 'sigmoid'"):
        layers.Activation("sigmoud")


def test_unexpected_keyword_is_named():
    with pytest.raises(TypeError, match=r"Dense\(\) got unexpected keyword.*'unit'"):
        layers.Dense(2, unit=3)


@pytest.mark.parametrize("bad_id", [5, 17, -1])
def test_embedding_id_out_of_range_names_the_id(bad_id):
    emb = layers.Embedding(5, 2, name="tokens")
    with pytest.raises(IndexError, match=rf"'tokens': id {bad_id} is out of range \[0, 5\)"):
        emb(np.array([[0, bad_id, 1]]))


def test_embedding_rejects_fractional_ids():
    with pytest.raises(TypeError, match="expects integer ids"):
        layers.Embedding(5, 2)(np.array([[0.5, 1.0]]))


def test_reshape_to_an_impossible_shape():
    with pytest.raises(ValueError, match=r"cannot reshape input of shape \(2, 12\) to "
                                         r"\(batch,\) \+ \(5,\)"):
        layers.Reshape((5,))(ones(2, 12))
    with pytest.raises(ValueError, match=r"cannot reshape input of shape \(2, 12\)"):
        layers.Reshape((-1, 5))(ones(2, 12))
    with pytest.raises(ValueError, match="at most one -1"):
        layers.Reshape((-1, -1))


def test_permute_dims_must_be_a_permutation_matching_the_input():
    with pytest.raises(ValueError, match=r"permutation of 1\.\.2, got \(1, 3\)"):
        layers.Permute((1, 3))
    with pytest.raises(ValueError, match=r"permutation of 1\.\.2, got \(0, 1\)"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError, match=r"dims \(2, 1\) need inputs with 3 dims, got shape "
                                         r"\(2, 4\)"):
        layers.Permute((2, 1))(ones(2, 4))


def test_concatenate_with_mismatched_shapes():
    with pytest.raises(ValueError, match=r"\[\(2, 4\), \(3, 4\)\] differ outside axis -1"):
        layers.Concatenate()([ones(2, 4), ones(3, 4)])


def test_merge_layers_with_bad_inputs():
    with pytest.raises(ValueError, match=r"\[\(2, 3\), \(2, 4\)\] cannot be combined"):
        layers.Add()([ones(2, 3), ones(2, 4)])
    with pytest.raises(ValueError, match="takes exactly 2 inputs"):
        layers.Subtract()([ones(2, 3)] * 3)
    with pytest.raises(ValueError, match="list of at least 2 tensors"):
        layers.Add()([ones(2, 3)])


def test_merge_layer_called_on_a_single_tensor():
    # A common slip: forgetting the list. The message should say a list is needed.
    with pytest.raises(ValueError, match="list of at least 2 tensors"):
        layers.Add()(ones(2, 3))


@pytest.mark.parametrize("rate", [1.0, 1.5, -0.1])
def test_dropout_rate_out_of_range(rate):
    with pytest.raises(ValueError, match=rf"rate must be in \[0, 1\), got {rate}"):
        layers.Dropout(rate)


def test_normalization_axis_out_of_range():
    with pytest.raises(ValueError, match="axis 3 is out of range for inputs with 2 dims"):
        layers.BatchNormalization(axis=3)(ones(2, 3))
    with pytest.raises(ValueError, match="axis -4 is out of range for inputs with 3 dims"):
        layers.LayerNormalization(axis=-4)(ones(2, 3, 4))


def test_prelu_shared_axis_out_of_range():
    with pytest.raises(ValueError, match=r"shared axis 3 is out of range.*\(2, 3\)"):
        layers.PReLU(shared_axes=[3])(ones(2, 3))


def test_base_layer_without_call():
    with pytest.raises(NotImplementedError, match="must implement call"):
        layers.Layer()(ones(2))


def test_linear_op_errors_name_shapes_and_dtypes():
    from nncore._core import linear
    with pytest.raises(ValueError, match=r"input of shape \(2, 3\) does not match the kernel "
                                         r"of shape \(4, 5\)"):
        linear(nncore.ones(2, 3), nncore.ones(4, 5))
    with pytest.raises(ValueError, match=r"bias must have shape \(5,\), got \(4,\)"):
        linear(nncore.ones(2, 4), nncore.ones(4, 5), nncore.ones(4))
    with pytest.raises(TypeError, match="float32.*float64"):
        linear(nncore.ones(2, 4), nncore.ones(4, 5, dtype=nncore.float64))
    with pytest.raises(ValueError, match="kernel must be 2-d"):
        linear(nncore.ones(2, 4), nncore.ones(4))
