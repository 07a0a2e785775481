"""Callbacks: hooks into fit, evaluate and predict, with Keras 3's names and behaviour.

    model.fit(x, y, epochs=50, validation_split=0.1, callbacks=[
        nncore.callbacks.EarlyStopping(patience=5, restore_best_weights=True),
        nncore.callbacks.ModelCheckpoint("ckpt/epoch{epoch:02d}-{val_loss:.3f}.nnc",
                                         save_best_only=True),
        nncore.callbacks.CSVLogger("training.csv"),
    ])

Write your own by subclassing Callback (see nncore.callbacks.base for the hooks), or pass
functions to LambdaCallback. ``get("early_stopping")`` finds a callback by its registered
name, including those of plugins (entry-point group ``nncore.callbacks``).
"""
from nncore.callbacks.base import Callback, get
from nncore.callbacks.callback_list import CallbackList
from nncore.callbacks.csv_logger import CSVLogger
from nncore.callbacks.early_stopping import EarlyStopping
from nncore.callbacks.history import History
from nncore.callbacks.lambda_callback import LambdaCallback
from nncore.callbacks.learning_rate_scheduler import LearningRateScheduler
from nncore.callbacks.model_checkpoint import ModelCheckpoint
from nncore.callbacks.progbar import Progbar
from nncore.callbacks.progbar_logger import ProgbarLogger
from nncore.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from nncore.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = ["Callback", "CallbackList", "CSVLogger", "EarlyStopping", "History",
           "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "Progbar",
           "ProgbarLogger", "ReduceLROnPlateau", "TerminateOnNaN", "get"]
