"""What compile() turns its arguments into: an optimizer, a loss, and metric trackers.

Names go through the registry, so ``compile(optimizer='adam', loss='mse',
metrics=['accuracy'])`` finds plugins the same way it finds built-ins.
"""
import numpy as np

from nncore import metrics as metrics_module
from nncore import registry

__all__ = ["get_optimizer", "CompiledLoss", "get_metric", "serialize"]


def serialize(obj):
    """{"class_name", "config"} for an object with get_config, or the string itself."""
    if obj is None or isinstance(obj, str):
        return obj
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    name = getattr(obj, "__name__", None)
    if name is None:
        raise ValueError(f"{obj!r} has no name or config, so it cannot be saved")
    return name


def get_optimizer(identifier):
    if isinstance(identifier, str):
        return registry.get("optimizers", identifier)()
    if isinstance(identifier, dict):
        cls = registry.get("optimizers", identifier["class_name"])
        return cls.from_config(identifier.get("config", {}))
    if hasattr(identifier, "apply_gradients"):
        return identifier
    raise ValueError(f"compile: cannot interpret optimizer {identifier!r} (give a name such "
                     f"as 'adam' or an optimizer object)")


def _resolve_loss(identifier):
    if isinstance(identifier, str):
        found = registry.get("losses", identifier)
        return found() if isinstance(found, type) else found
    if isinstance(identifier, dict):
        cls = registry.get("losses", identifier["class_name"])
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"compile: cannot interpret loss {identifier!r} (give a name such as "
                     f"'mse' or a loss object)")


class CompiledLoss:
    """The training loss: the compiled loss (sample weights applied, averaged over the
    batch as Keras's 'sum_over_batch_size') plus any regularization terms."""

    def __init__(self, identifier):
        self.identifier = identifier
        self.fn = _resolve_loss(identifier)
        from nncore.losses import Loss
        self._is_loss_object = isinstance(self.fn, Loss)
        name = getattr(self.fn, "name", None) or getattr(self.fn, "__name__", "")
        self.sparse = "sparse" in str(name).lower() or "sparse" in str(identifier).lower()

    def align(self, y_true, y_pred):
        """Targets shaped for the outputs (Keras's rank rule), or a clear error naming the
        loss and both shapes."""
        from nncore.losses import same_rank
        if self.sparse:
            if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
                y_true = y_true.squeeze(-1)
            if y_true.ndim != y_pred.ndim - 1 or tuple(y_true.shape) != tuple(
                    y_pred.shape[:-1]):
                raise ValueError(
                    f"loss {self.name}: expects integer class labels of shape "
                    f"{tuple(y_pred.shape[:-1])} for outputs of shape {tuple(y_pred.shape)}, "
                    f"got targets of shape {tuple(y_true.shape)} (for one-hot targets use "
                    f"categorical_crossentropy)")
            return y_true
        y_true = same_rank(y_true, y_pred)
        if tuple(y_true.shape) != tuple(y_pred.shape):
            raise ValueError(f"loss {self.name}: targets of shape {tuple(y_true.shape)} do not "
                             f"match the model's outputs of shape {tuple(y_pred.shape)}")
        return y_true

    @property
    def name(self):
        return (self.identifier if isinstance(self.identifier, str)
                else getattr(self.fn, "name", None) or getattr(self.fn, "__name__",
                                                                type(self.fn).__name__))

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self._is_loss_object:
            return self.fn(y_true, y_pred, sample_weight)
        values = self.fn(y_true, y_pred)
        if values.ndim == 0:
            return values
        count = values.numel()
        if sample_weight is not None:
            w = sample_weight if sample_weight.dtype == values.dtype else sample_weight.to(
                values.dtype)
            while w.ndim > values.ndim and w.shape[-1] == 1:
                w = w.squeeze(-1)
            values = values * w
        return values.sum() * (1.0 / max(count, 1))

    def get_config(self):
        return serialize(self.fn) if not isinstance(self.identifier, str) else self.identifier


class _FunctionMetric(metrics_module.Metric):
    """A metric given as a plain function of (y_true, y_pred): its running mean."""

    def __init__(self, fn, name):
        self._fn = fn
        super().__init__(name=name)

    def _values(self, y_true, y_pred):
        return self._fn(y_true, y_pred)


class _MatchingAccuracy(metrics_module.Metric):
    """'accuracy' in compile(): which accuracy depends on the shapes, as in Keras: one
    output column -> binary (threshold 0.5); labels with one dim fewer (or a trailing 1)
    than the predictions -> sparse categorical; otherwise categorical (argmax vs argmax)."""

    def __init__(self, name="accuracy"):
        super().__init__(name=name)

    def _values(self, y_true, y_pred):
        if y_pred.shape[-1] == 1:
            return metrics_module.binary_accuracy(y_true, y_pred)
        if y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1:
            return metrics_module.sparse_categorical_accuracy(y_true, y_pred)
        return metrics_module.categorical_accuracy(y_true, y_pred)


def get_metric(identifier, loss=None):
    """A stateful metric object for one compile() metrics entry."""
    if isinstance(identifier, metrics_module.Metric):
        return identifier
    if isinstance(identifier, dict):
        cls = registry.get("metrics", identifier["class_name"])
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, str):
        name = identifier
        if identifier.lower() in ("accuracy", "acc"):
            return _MatchingAccuracy(name)
        found = registry.get("metrics", identifier)
        if isinstance(found, type):
            metric = found()
            metric.name = name
            return metric
        return _FunctionMetric(found, name)
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return _FunctionMetric(identifier, getattr(identifier, "__name__", "metric"))
    raise ValueError(f"compile: cannot interpret metric {identifier!r}")


def labels_for_loss(y, loss):
    """Targets as the loss wants them: integer labels for sparse losses, float otherwise."""
    y = np.asarray(y)
    if loss is not None and loss.sparse:
        return y if y.dtype == np.int64 else y.astype(np.int64)
    return y if y.dtype in (np.float32, np.float64) else y.astype(np.float32)

