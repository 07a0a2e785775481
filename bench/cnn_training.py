"""The CNN workloads of bench/run.py: LeNet-5 trained with nncore's Keras API (model.fit,
channels-last) and with a plain PyTorch loop (NCHW), and single conv2d forward+backward
passes, on the same data.

LeNet-5 as in the digit recognizer: conv 5x5 (6, 'same') - maxpool 2 - conv 5x5 (16) -
maxpool 2 - dense 120 - dense 84 - dense 10, ReLU, softmax cross-entropy on logits, Adam.
"""
import numpy as np

from nncore import layers, losses, optimizers
from nncore.models import Sequential

# Conv cases: (label, batch, height, width, in channels, out channels, kernel, padding).
CONV_CASES = [
    ("lenet conv1 5x5 1->6 28x28 pad 2", 64, 28, 28, 1, 6, 5, 2),
    ("lenet conv2 5x5 6->16 14x14", 64, 14, 14, 6, 16, 5, 0),
    ("3x3 64->64 32x32 pad 1", 32, 32, 32, 64, 64, 3, 1),
]


def lenet_data(samples, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((samples, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, samples)


def nncore_lenet():
    model = Sequential([
        layers.Conv2D(6, 5, padding="same", activation="relu", input_shape=(28, 28, 1)),
        layers.MaxPooling2D(2),
        layers.Conv2D(16, 5, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(120, activation="relu"),
        layers.Dense(84, activation="relu"),
        layers.Dense(10)])
    model.compile(optimizer=optimizers.Adam(1e-3),
                  loss=losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def nncore_trainer(x, labels, batch_size):
    model = nncore_lenet()

    def epoch():
        model.fit(x, labels, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    return epoch


def torch_trainer(x, labels, batch_size):
    import torch
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                          nn.Linear(84, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    yt = torch.from_numpy(labels)

    def epoch():
        for start in range(0, len(xt), batch_size):
            optimizer.zero_grad()
            loss = loss_fn(model(xt[start:start + batch_size]), yt[start:start + batch_size])
            loss.backward()
            optimizer.step()
    return epoch


def conv_pair(case, seed=0):
    """Forward + backward of one conv2d in nncore (NHWC, Keras kernel) and torch (NCHW)."""
    import torch
    import nncore
    import nncore.functional as F
    _, n, h, w, cin, cout, k, pad = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, h, w, cin), dtype=np.float32)
    kernel = rng.standard_normal((k, k, cin, cout), dtype=np.float32) * 0.1
    bias = np.zeros(cout, np.float32)
    nx = nncore.tensor(x, requires_grad=True)
    nk = nncore.tensor(kernel, requires_grad=True)
    nb = nncore.tensor(bias, requires_grad=True)
    tx = torch.tensor(x.transpose(0, 3, 1, 2).copy(), requires_grad=True)
    tk = torch.tensor(kernel.transpose(3, 2, 0, 1).copy(), requires_grad=True)
    tb = torch.tensor(bias, requires_grad=True)

    def ours():
        F.conv2d_nhwc(nx, nk, nb, padding=(pad, pad, pad, pad)).sum().backward()

    def theirs():
        torch.nn.functional.conv2d(tx, tk, tb, padding=pad).sum().backward()
    return ours, theirs
