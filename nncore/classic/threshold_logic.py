"""McCulloch-Pitts threshold units and networks wired by hand (no learning)."""
import numpy as np

import nncore
import nncore.functional as F

__all__ = ["McCullochPittsUnit", "ThresholdNetwork", "XORNetwork"]


class McCullochPittsUnit:
    """A McCulloch-Pitts neuron: binary inputs, fixed weights and a threshold; it fires
    (outputs 1) when ``sum(w_i * x_i) >= threshold`` and stays at 0 otherwise.

        >>> McCullochPittsUnit([1, 1], threshold=2)([[0, 0], [0, 1], [1, 0], [1, 1]])  # AND
        array([0, 0, 0, 1])

    Negative weights act as inhibitory inputs. ``and_gate``, ``or_gate``, ``nand_gate``
    and ``not_gate`` build the logic gates with thresholds halfway between the largest
    sum that must not fire and the smallest that must (AND of two: 1.5, OR: 0.5), so each
    gate's line keeps the widest margin; the classic integer thresholds (AND: 2, OR: 1)
    compute the same gates on binary inputs. The sum and the step are nncore ops.
    """

    def __init__(self, weights, threshold, name=None):
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim != 1 or len(w) == 0 or not np.isfinite(w).all():
            raise ValueError(f"McCullochPittsUnit: weights must be a non-empty 1-D list of "
                             f"finite numbers, got shape {w.shape}")
        if not np.isfinite(threshold):
            raise ValueError(f"McCullochPittsUnit: threshold must be finite, got {threshold}")
        self.weights = w
        self.threshold = float(threshold)
        self.name = name

    @classmethod
    def and_gate(cls, n_inputs=2):
        return cls(np.ones(n_inputs), n_inputs - 0.5, name="AND")

    @classmethod
    def or_gate(cls, n_inputs=2):
        return cls(np.ones(n_inputs), 0.5, name="OR")

    @classmethod
    def nand_gate(cls, n_inputs=2):
        # Fires unless every input is on: -sum(x) >= -(n - 1/2).
        return cls(-np.ones(n_inputs), -(n_inputs - 0.5), name="NAND")

    @classmethod
    def not_gate(cls):
        return cls([-1.0], -0.5, name="NOT")

    @property
    def n_inputs(self):
        return len(self.weights)

    def __repr__(self):
        name = f", name={self.name!r}" if self.name else ""
        weights = [int(v) if v.is_integer() else float(v) for v in self.weights]
        threshold = int(self.threshold) if self.threshold.is_integer() else self.threshold
        return f"McCullochPittsUnit(weights={weights}, threshold={threshold}{name})"

    def __call__(self, X):
        """Outputs 0/1: shape (n_samples,) for X of shape (n_samples, n_inputs), a plain
        int for one sample of shape (n_inputs,)."""
        X = np.asarray(X)
        single = X.ndim == 1
        X2 = X.reshape(1, -1) if single else X
        if X2.ndim != 2 or X2.shape[1] != self.n_inputs:
            raise ValueError(f"{self!r}: expects {self.n_inputs} inputs per sample, got X "
                             f"of shape {X.shape}")
        if not np.isin(X2, (0, 1)).all():
            bad = np.unique(X2[~np.isin(X2, (0, 1))])[:6].tolist()
            raise ValueError(f"{self!r}: inputs must be binary (0 or 1), got values {bad} "
                             f"(X shape {X.shape})")
        inputs = nncore.tensor(X2.astype(np.float64))
        weights = nncore.tensor(self.weights)
        fired = F.step(inputs @ weights - self.threshold)  # step(0) = 1: ">= threshold"
        out = fired.numpy().astype(np.int64)
        return int(out[0]) if single else out

    predict = __call__


class ThresholdNetwork:
    """Layers of McCulloch-Pitts units: each layer's outputs are the next layer's inputs.

    ``layers`` is a list of lists of units. ``activations(X)`` returns every layer's
    outputs, ``predict(X)`` the last layer's (one column per unit, or a vector when the
    last layer has one unit).
    """

    def __init__(self, layers):
        self.layers = [list(layer) for layer in layers]
        if not self.layers or not all(self.layers):
            raise ValueError("ThresholdNetwork: give a non-empty list of non-empty layers")
        for depth, (below, above) in enumerate(zip(self.layers, self.layers[1:]), 1):
            for unit in above:
                if unit.n_inputs != len(below):
                    raise ValueError(f"ThresholdNetwork: {unit!r} in layer {depth + 1} "
                                     f"takes {unit.n_inputs} inputs, but layer {depth} has "
                                     f"{len(below)} units")

    def activations(self, X):
        X = np.asarray(X)
        out = [X.reshape(1, -1) if X.ndim == 1 else X]
        for layer in self.layers:
            out.append(np.stack([unit(out[-1]) for unit in layer], axis=1))
        return out[1:]

    def predict(self, X):
        last = self.activations(X)[-1]
        last = last[:, 0] if last.shape[1] == 1 else last
        return last[0] if np.asarray(X).ndim == 1 else last

    __call__ = predict

    def truth_table(self):
        """[(inputs, output), ...] for every binary input pattern, in counting order."""
        n = self.layers[0][0].n_inputs
        patterns = np.array([[(k >> (n - 1 - j)) & 1 for j in range(n)]
                             for k in range(2 ** n)])
        outputs = self.predict(patterns)
        return [(tuple(int(v) for v in p), o.tolist() if np.ndim(o) else int(o))
                for p, o in zip(patterns, outputs)]


class XORNetwork(ThresholdNetwork):
    """The lecture's three-neuron XOR: hidden units OR and NAND, combined by AND.
    x1 XOR x2 = (x1 OR x2) AND NOT (x1 AND x2) -- no single threshold unit computes it,
    because its two classes are not linearly separable, but two layers do."""

    def __init__(self):
        unit = McCullochPittsUnit
        super().__init__([[unit.or_gate(), unit.nand_gate()], [unit.and_gate()]])
