"""The digit recognizer behind ``nncore train / evaluate / predict``.

Models take raw uint8 pixels (a Rescaling layer divides by 255), so a saved model needs no
separate preprocessing step. Data comes from ``nncore.datasets``; when the full set is not
available offline, MNIST falls back to the 10,000-image sample that ships with nncore.
"""
import os

import numpy as np

import nncore
from nncore import layers, optimizers
from nncore.models import Sequential

__all__ = ["MODELS", "build_model", "load_dataset", "confusion_matrix", "format_confusion",
           "train", "evaluate", "predict_images"]

CLASS_NAMES = {"mnist": [str(d) for d in range(10)]}


def _mlp():
    """784-256-128-10 with ReLU (dropout 0.2 after each hidden layer) and softmax
    cross-entropy, trained with Adam."""
    model = Sequential([layers.Rescaling(1 / 255, input_shape=(28, 28)), layers.Flatten(),
                        layers.Dense(256, activation="relu"), layers.Dropout(0.2),
                        layers.Dense(128, activation="relu"), layers.Dropout(0.2),
                        layers.Dense(10, activation="softmax")], name="mlp")
    model.compile(optimizer=optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _seed():
    """The lectures' first network: 784-32-10, sigmoid units, mean squared error."""
    model = Sequential([layers.Rescaling(1 / 255, input_shape=(28, 28)),
                        layers.Flatten(),
                        layers.Dense(32, name="hidden_layer", activation="sigmoid"),
                        layers.Dense(10, name="output_layer", activation="sigmoid")],
                       name="seed")
    model.compile(optimizer=optimizers.Adam(1e-3), loss="mse", metrics=["accuracy"])
    return model


def _lenet():
    """LeNet-5 (LeCun et al.), with ReLU and max pooling: conv 5x5 x6 ('same') - pool -
    conv 5x5 x16 - pool - dense 120 - dense 84 - softmax 10, dropout 0.25 before the
    dense layers, trained with Adam and a learning rate decaying by 0.8 every 1,000 steps
    (what takes it past 99% on MNIST within 10 epochs at batch 64)."""
    from nncore import schedules
    model = Sequential([layers.Rescaling(1 / 255, input_shape=(28, 28)),
                        layers.Reshape((28, 28, 1)),
                        layers.Conv2D(6, 5, padding="same", activation="relu"),
                        layers.MaxPooling2D(2),
                        layers.Conv2D(16, 5, activation="relu"),
                        layers.MaxPooling2D(2),
                        layers.Flatten(),
                        layers.Dropout(0.25),
                        layers.Dense(120, activation="relu"),
                        layers.Dropout(0.25),
                        layers.Dense(84, activation="relu"),
                        layers.Dense(10, activation="softmax")], name="lenet")
    learning_rate = schedules.ExponentialDecay(1e-3, decay_steps=1000, decay_rate=0.8)
    model.compile(optimizer=optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


MODELS = {"mlp": _mlp, "lenet": _lenet, "seed": _seed}
# Each model's batch size unless told otherwise (the lectures' listing uses Keras's 32).
BATCH_SIZES = {"mlp": 128, "lenet": 64, "seed": 32}


def build_model(name):
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {sorted(MODELS)}")
    return MODELS[name]()


def load_dataset(name, data_dir=None, log=print):
    """((x_train, y_train), (x_test, y_test)) and a description of where it came from."""
    from nncore.datasets import fashion_mnist, mnist
    from nncore.datasets import DatasetNotFoundError
    module = {"mnist": mnist, "fashion-mnist": fashion_mnist}.get(name)
    if module is None:
        raise ValueError(f"unknown dataset {name!r}; choose mnist or fashion-mnist")
    try:
        return module.load_data(data_dir), f"{name} (full set)"
    except DatasetNotFoundError as error:
        if name != "mnist":
            raise
        log(f"note: the full MNIST set was not found ({str(error).splitlines()[0]})\n"
            f"      training on the 10,000-image sample that ships with nncore instead; see "
            f"`nncore train --help` for --data-dir")
        return mnist.load_sample(), "mnist (shipped 10k sample: 8,000 train / 2,000 test)"


def targets_for(model, y):
    # The seed model learns one-hot targets with MSE, as in the lectures.
    if model.compiled_loss is not None and "mse" in str(model.compiled_loss.identifier):
        from nncore.data import to_categorical
        return to_categorical(y, 10)
    return y


def confusion_matrix(y_true, y_pred, num_classes=10):
    index = np.asarray(y_true, np.int64) * num_classes + np.asarray(y_pred, np.int64)
    return np.bincount(index, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def format_confusion(matrix, names):
    width = max(5, len(str(int(matrix.max()))) + 1, *(len(n) + 1 for n in names))
    head = "true\\pred".ljust(10) + "".join(n[:width - 1].rjust(width) for n in names)
    rows = [head]
    for name, row in zip(names, matrix):
        rows.append(name[:9].ljust(10) + "".join(str(int(v)).rjust(width) for v in row))
    return "\n".join(rows)


def _names(dataset):
    if dataset == "fashion-mnist":
        from nncore.datasets.fashion_mnist import CLASS_NAMES as names
        return list(names)
    return CLASS_NAMES["mnist"]


def train(model_name="mlp", dataset="mnist", data_dir=None, epochs=10, batch_size=None,
          threads=None, seed=0, out="nncore-run", verbose=1, log=print):
    """Trains, reports test accuracy and the confusion matrix, saves model and curves.
    Returns (model, test_accuracy)."""
    if threads:
        nncore.set_num_threads(int(threads))
    nncore.manual_seed(int(seed))
    ((x_train, y_train), (x_test, y_test)), source = load_dataset(dataset, data_dir, log)
    model = build_model(model_name)
    batch_size = batch_size or BATCH_SIZES[model_name]
    log(f"model {model_name} on {source}: {len(x_train):,} training and {len(x_test):,} test "
        f"images, {epochs} epochs, batch {batch_size}, {nncore.get_num_threads()} thread(s)")
    if verbose:
        model.summary(print_fn=log)
    history = model.fit(x_train, targets_for(model, y_train), batch_size=batch_size,
                        epochs=epochs, validation_split=0.1, verbose=verbose)
    probabilities = model.predict(x_test, batch_size=1024, verbose=0)
    predicted = probabilities.argmax(-1)
    accuracy = float((predicted == y_test).mean())
    log(f"test accuracy: {accuracy:.4f} ({int((predicted == y_test).sum()):,} of "
        f"{len(y_test):,})")
    log("confusion matrix (rows: true class, columns: predicted):")
    log(format_confusion(confusion_matrix(y_test, predicted), _names(dataset)))
    os.makedirs(out, exist_ok=True)
    model_path = os.path.join(out, f"{model_name}-{dataset}.nncore")
    model.save(model_path)
    log(f"saved the model to {model_path}")
    try:
        curves = os.path.join(out, "training-curves.png")
        history.plot(curves)
        log(f"saved the training curves to {curves}")
    except ImportError:
        log("matplotlib is not installed, so no training-curve plot was drawn "
            "(pip install 'nncore[plot]')")
    return model, accuracy


def evaluate(model_path, dataset="mnist", data_dir=None, log=print):
    from nncore.models import load_model
    model = load_model(model_path)
    (_, _), (x_test, y_test) = load_dataset(dataset, data_dir, log)[0]
    predicted = model.predict(x_test, batch_size=1024, verbose=0).argmax(-1)
    accuracy = float((predicted == y_test).mean())
    log(f"test accuracy: {accuracy:.4f} ({int((predicted == y_test).sum()):,} of "
        f"{len(y_test):,})")
    log(format_confusion(confusion_matrix(y_test, predicted), _names(dataset)))
    return accuracy


def predict_images(model_path, image_paths, log=print):
    """Reads each image (PNG or PGM), prepares it like MNIST and prints the class and the
    probabilities. Returns a list of (path, class, probabilities)."""
    from nncore.images import read_image, to_mnist
    from nncore.models import load_model
    model = load_model(model_path, compile=False)
    batch = np.stack([to_mnist(read_image(p)) for p in image_paths])
    probabilities = model.predict(batch, verbose=0)
    results = []
    for path, p in zip(image_paths, probabilities):
        label = int(p.argmax())
        ranked = ", ".join(f"{d}: {p[d]:.3f}" for d in np.argsort(-p)[:3])
        log(f"{path}: {label}  (top 3: {ranked})")
        results.append((path, label, p))
    return results

