"""The Callback base class: hooks that fit, evaluate and predict call at fixed points.

Every hook is a no-op here, so a callback overrides only what it needs. The hooks and their
order follow Keras 3:

    on_train_begin(logs)
        on_epoch_begin(epoch, logs)
            on_train_batch_begin(batch, logs) / on_train_batch_end(batch, logs)
            [validation: on_test_begin, on_test_batch_begin/end, on_test_end]
        on_epoch_end(epoch, logs)        # logs hold 'val_*' entries when validation ran
    on_train_end(logs)

Batch logs hold running averages over the epoch so far ({'loss': 0.31, 'accuracy': 0.9}).
Epochs and batches count from 0. A callback stops training by setting
``self.model.stop_training = True``; fit checks it after every batch and epoch.
"""

__all__ = ["Callback", "get"]


class Callback:
    """Base class of all callbacks; see the module docstring for the hooks' order."""

    _model = None  # a subclass that forgets super().__init__() still has no model

    def __init__(self):
        self.params = {}
        self._model = None

    def set_params(self, params):
        """Receives the run's parameters: {'verbose': 1, 'epochs': 10, 'steps': 469, ...}."""
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        """The model being trained, evaluated or used for prediction."""
        return self._model

    # ----------------------------------------------------------------- training

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        # Keras 1/2 callbacks override on_batch_begin; keep them working.
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch, logs=None):
        """Alias kept from Keras 1/2: called for training batches."""

    def on_batch_end(self, batch, logs=None):
        """Alias kept from Keras 1/2: called for training batches."""

    # ----------------------------------------------------------------- evaluate

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    # ----------------------------------------------------------------- predict

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass


def get(identifier):
    """A callback instance from an instance, a class, a registered name ('early_stopping',
    'EarlyStopping') or a Keras-style dict {'class_name': ..., 'config': {...}}."""
    if isinstance(identifier, Callback):
        return identifier
    config = {}
    if isinstance(identifier, dict):
        if "class_name" not in identifier:
            raise ValueError(f"callbacks.get: a dict identifier needs a 'class_name' key, "
                             f"got {sorted(identifier)}")
        config = dict(identifier.get("config") or {})
        identifier = identifier["class_name"]
    if isinstance(identifier, str):
        from nncore import registry  # deferred: the registry scans entry points on use
        identifier = registry.get("callbacks", identifier)
    if isinstance(identifier, type) and issubclass(identifier, Callback):
        return identifier(**config)
    raise ValueError(f"cannot interpret {identifier!r} as a callback")
