"""The lectures' MNIST listing, with only its imports changed, on the real MNIST files.

Skipped where the shared data folder is absent (a user's clone): nothing is downloaded."""
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
pytestmark = pytest.mark.skipif(not (DATA / "train-images-idx3-ubyte.gz").exists(),
                                reason="the real MNIST files are not available")


@pytest.fixture(scope="module")
def mnist_data():
    from nncore.datasets import mnist
    return mnist.load_data(str(DATA))


def test_the_listing_runs_as_written(mnist_data, capsys):
    # --- the lecture's code; only the imports differ from the Keras original ---
    from nncore.models import Sequential
    from nncore.layers import Flatten, Dense
    from nncore.optimizers import Adam
    from nncore.data import to_categorical

    (x_train, y_train), _ = mnist_data
    X = x_train[:6000] / 255.0            # float64, as NumPy makes it
    y = to_categorical(y_train[:6000])

    model = Sequential([Flatten(input_shape=(28, 28)),
                        Dense(32, name='hidden_layer', activation='sigmoid'),
                        Dense(10, name='output_layer', activation='sigmoid')])
    model.compile(loss='mse', optimizer=Adam(learning_rate=1e-5))
    history = model.fit(X, y, epochs=3, verbose=1, validation_split=0.2)
    index = 7
    prediction = model.predict(np.expand_dims(X[index], axis=0), verbose=0)
    # --- end of the listing ---

    out = capsys.readouterr().out
    assert out.count("Epoch ") == 3 and "150/150" in out and "val_loss" in out
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_loss"][-1] < history.history["val_loss"][0]
    assert prediction.shape == (1, 10) and ((prediction > 0) & (prediction < 1)).all()


def test_the_same_network_learns_digits_with_a_larger_rate(mnist_data):
    import nncore
    from nncore.models import Sequential
    from nncore.layers import Flatten, Dense
    from nncore.optimizers import Adam
    from nncore.data import to_categorical

    (x_train, y_train), (x_test, y_test) = mnist_data
    nncore.manual_seed(0)
    model = Sequential([Flatten(input_shape=(28, 28)),
                        Dense(32, name='hidden_layer', activation='sigmoid'),
                        Dense(10, name='output_layer', activation='sigmoid')])
    model.compile(loss='mse', optimizer=Adam(learning_rate=1e-3), metrics=['accuracy'])
    model.fit(x_train[:20000] / 255.0, to_categorical(y_train[:20000]), epochs=2, verbose=0)
    loss, accuracy = model.evaluate(x_test / 255.0, to_categorical(y_test), verbose=0)
    assert accuracy > 0.85
    assert np.mean(model.predict(x_test / 255.0, verbose=0).argmax(1) == y_test) == \
        pytest.approx(accuracy, abs=1e-6)
