"""Weight regularizers with Keras's names: ``reg(weights)`` -> a scalar penalty tensor,
differentiable, added to the loss."""
import nncore

__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2"]


class Regularizer:
    _config_keys = ()

    def get_config(self):
        return {k: float(getattr(self, k)) for k in self._config_keys}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """l1 * sum(|w|) + l2 * sum(w^2)."""

    _config_keys = ("l1", "l2")

    def __init__(self, l1=0.0, l2=0.0):
        for name, value in (("l1", l1), ("l2", l2)):
            if value < 0:
                raise ValueError(f"{type(self).__name__}: {name} must be >= 0, got {value}")
        self.l1, self.l2 = l1, l2

    def __call__(self, x):
        penalty = nncore.zeros((), dtype=x.dtype)
        if self.l1:
            penalty = penalty + nncore.abs(x).sum() * self.l1
        if self.l2:
            penalty = penalty + (x * x).sum() * self.l2
        return penalty


class L1(L1L2):
    _config_keys = ("l1",)

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)


class L2(L1L2):
    _config_keys = ("l2",)

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)


l1, l2, l1_l2 = L1, L2, L1L2
