"""The recurrent training workloads of bench/run.py: LSTM(128) and GRU(128) over 28-step
sequences of 28 features (MNIST read row by row), then Dense(10), trained with nncore's
Keras API (model.fit) and with a plain PyTorch loop (torch.nn.LSTM / GRU, batch_first, and
Linear), the same optimizer (Adam 1e-3) and loss (softmax cross-entropy on logits), batch 64.
"""
import numpy as np

from nncore import layers, losses, optimizers
from nncore.models import Sequential

CASES = {"lstm(128) 28x28, CE": "LSTM", "gru(128) 28x28, CE": "GRU"}
TIME, FEATURES, UNITS, CLASSES = 28, 28, 128, 10


def data(samples, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((samples, TIME, FEATURES), dtype=np.float32)
    return x, rng.integers(0, CLASSES, samples)


def nncore_trainer(case, x, labels, batch_size):
    recurrent = getattr(layers, CASES[case])(UNITS, input_shape=(TIME, FEATURES))
    model = Sequential([recurrent, layers.Dense(CLASSES)])
    model.compile(optimizer=optimizers.Adam(1e-3),
                  loss=losses.SparseCategoricalCrossentropy(from_logits=True))

    def epoch():
        model.fit(x, labels, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    return epoch


def torch_trainer(case, x, labels, batch_size):
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = getattr(torch.nn, CASES[case])(FEATURES, UNITS, batch_first=True)
            self.head = torch.nn.Linear(UNITS, CLASSES)

        def forward(self, inputs):
            out, _ = self.rnn(inputs)
            return self.head(out[:, -1])

    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(labels)

    def epoch():
        for start in range(0, len(xt), batch_size):
            optimizer.zero_grad()
            loss = loss_fn(model(xt[start:start + batch_size]), yt[start:start + batch_size])
            loss.backward()
            optimizer.step()
    return epoch
