"""CallbackList: the single object fit, evaluate and predict talk to."""
from nncore.callbacks.base import Callback, get
from nncore.callbacks.history import History
from nncore.callbacks.progbar_logger import ProgbarLogger

__all__ = ["CallbackList"]


def _hook(name):
    def dispatch(self, logs=None):
        # One dict for everyone: a callback may add entries ('learning_rate') that the
        # History and the progress bar, which come last, then record and show.
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            getattr(callback, name)(logs)
    dispatch.__name__ = dispatch.__qualname__ = name
    return dispatch


def _indexed_hook(name):
    def dispatch(self, index, logs=None):
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            getattr(callback, name)(index, logs)
    dispatch.__name__ = dispatch.__qualname__ = name
    return dispatch


class CallbackList(Callback):
    """Calls each hook on every callback, in order.

    ``CallbackList(callbacks, add_history=True, add_progbar=True, model=model, verbose=1,
    epochs=10, steps=469)``: a History and (when asked and the user gave none) a
    ProgbarLogger are appended after the user's callbacks; the keyword arguments become
    every callback's ``params``. Items may also be names resolved by ``callbacks.get``.
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        super().__init__()
        if callbacks is None:
            callbacks = []
        elif isinstance(callbacks, (Callback, str, dict)):
            callbacks = [callbacks]
        self.callbacks = [get(callback) for callback in callbacks]
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if add_history and self._history is None:
            self._history = History()
            self.callbacks.append(self._history)
        if add_progbar and self._progbar is None:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback):
        callback = get(callback)
        self.callbacks.append(callback)
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)

    def set_params(self, params):
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model):
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    on_train_begin = _hook("on_train_begin")
    on_train_end = _hook("on_train_end")
    on_epoch_begin = _indexed_hook("on_epoch_begin")
    on_epoch_end = _indexed_hook("on_epoch_end")
    on_train_batch_begin = _indexed_hook("on_train_batch_begin")
    on_train_batch_end = _indexed_hook("on_train_batch_end")
    on_batch_begin = _indexed_hook("on_batch_begin")
    on_batch_end = _indexed_hook("on_batch_end")
    on_test_begin = _hook("on_test_begin")
    on_test_end = _hook("on_test_end")
    on_test_batch_begin = _indexed_hook("on_test_batch_begin")
    on_test_batch_end = _indexed_hook("on_test_batch_end")
    on_predict_begin = _hook("on_predict_begin")
    on_predict_end = _hook("on_predict_end")
    on_predict_batch_begin = _indexed_hook("on_predict_batch_begin")
    on_predict_batch_end = _indexed_hook("on_predict_batch_end")
