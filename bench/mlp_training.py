"""The MLP training workloads of bench/run.py: the same model, loss and optimizer trained
with nncore's Keras API (model.fit) and with a plain PyTorch loop, on the same data.

    784-256-128-10, ReLU, softmax cross-entropy on logits, Adam(1e-3)  (batch 128)
    784-32-10, sigmoid, mean squared error on one-hot targets, Adam(1e-3)  (the lectures',
    batch 32)
"""
import numpy as np

from nncore import layers, losses, optimizers
from nncore.models import Sequential

CASES = {
    "mlp 784-256-128-10 relu, CE": dict(hidden=(256, 128), activation="relu", loss="ce"),
    "lecture 784-32-10 sigmoid, MSE": dict(hidden=(32,), activation="sigmoid", loss="mse"),
}


def data(samples, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((samples, 784), dtype=np.float32)
    labels = rng.integers(0, 10, samples)
    return x, labels, np.eye(10, dtype=np.float32)[labels]


def nncore_trainer(case, x, labels, onehot, batch_size):
    spec = CASES[case]
    stack = [layers.Dense(spec["hidden"][0], activation=spec["activation"], input_shape=(784,))]
    stack += [layers.Dense(units, activation=spec["activation"]) for units in spec["hidden"][1:]]
    if spec["loss"] == "ce":
        stack.append(layers.Dense(10))
        loss, y = losses.SparseCategoricalCrossentropy(from_logits=True), labels
    else:
        stack.append(layers.Dense(10, activation="sigmoid"))
        loss, y = "mse", onehot
    model = Sequential(stack)
    model.compile(optimizer=optimizers.Adam(1e-3), loss=loss)

    def epoch():
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    return epoch


def torch_trainer(case, x, labels, onehot, batch_size):
    import torch
    spec = CASES[case]
    act = torch.nn.ReLU if spec["activation"] == "relu" else torch.nn.Sigmoid
    sizes = (784,) + spec["hidden"]
    modules = []
    for a, b in zip(sizes, sizes[1:]):
        modules += [torch.nn.Linear(a, b), act()]
    modules.append(torch.nn.Linear(sizes[-1], 10))
    if spec["loss"] == "ce":
        loss_fn, y = torch.nn.CrossEntropyLoss(), torch.from_numpy(labels)
    else:
        modules.append(torch.nn.Sigmoid())
        loss_fn, y = torch.nn.MSELoss(), torch.from_numpy(onehot)
    model = torch.nn.Sequential(*modules)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    xt = torch.from_numpy(x)

    def epoch():
        for start in range(0, len(xt), batch_size):
            optimizer.zero_grad()
            loss = loss_fn(model(xt[start:start + batch_size]), y[start:start + batch_size])
            loss.backward()
            optimizer.step()
    return epoch
