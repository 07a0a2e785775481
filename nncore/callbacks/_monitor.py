"""What "better" means for a monitored quantity: shared by the callbacks that watch one
(EarlyStopping, ModelCheckpoint, ReduceLROnPlateau)."""
import warnings

# Quantities whose name contains one of these grow as the model improves ('accuracy',
# 'val_sparse_categorical_accuracy', 'auc', ...); anything else (losses, errors) shrinks.
_GROWING = ("acc", "auc", "precision", "recall")


def resolve_mode(caller, monitor, mode):
    """'min' or 'max' for `monitor`; mode 'auto' guesses from the name, as Keras does."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{caller}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        name = monitor.lower()
        mode = "max" if any(hint in name for hint in _GROWING) else "min"
    return mode


def monitored_value(caller, monitor, logs):
    """The monitored value as a float, or None (with a warning) when the logs lack it."""
    logs = logs or {}
    value = logs.get(monitor)
    if value is None:
        available = ", ".join(sorted(logs)) or "none"
        warnings.warn(f"{caller} is conditioned on {monitor!r}, which is not in the logs "
                      f"(available: {available}); skipping", stacklevel=3)
        return None
    return float(value)
