"""compile / fit / evaluate / predict, as a mixin of Model (Keras 3 semantics).

One training step: forward with training=True, the compiled loss plus the layers'
regularization terms, backward through the C++ graph, one fused optimizer update per
weight. Batches are views of the caller's arrays when not shuffled; a shuffled batch is
one NumPy gather. The shuffling order of epoch e comes from a seed drawn once per model and
the number of epochs the model has trained, so a run resumed from a saved model shuffles
exactly as an uninterrupted one.
"""
import math

import numpy as np

import nncore
from nncore.models import compile_utils
from nncore.models.data_adapter import (as_arrays, batch_slices, class_weights_to_sample,
                                        num_samples, take, to_tensor, validation_tail)

__all__ = ["TrainingMixin"]


def _verbosity(verbose):
    return 1 if verbose == "auto" else int(verbose)


class TrainingMixin:
    """compile/fit/evaluate/predict for a model whose __call__ maps inputs to outputs."""

    optimizer = None
    compiled_loss = None
    stop_training = False
    history = None

    # ---------------------------------------------------------------- compile

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=None, steps_per_execution=1,
                jit_compile=None, auto_scale_loss=None):
        """Sets the optimizer, loss and metrics; names go through the registry."""
        if loss_weights is not None:
            raise NotImplementedError("compile: loss_weights (several outputs) is not supported")
        self.optimizer = compile_utils.get_optimizer(optimizer)
        self.compiled_loss = None if loss is None else compile_utils.CompiledLoss(loss)
        if isinstance(metrics, (str, dict)) or callable(metrics):
            metrics = [metrics]
        self._metric_ids = list(metrics or [])
        self.compiled_metrics = [compile_utils.get_metric(m, self.compiled_loss)
                                 for m in self._metric_ids]
        self._weighted_metrics = [compile_utils.get_metric(m, self.compiled_loss)
                                  for m in (weighted_metrics or [])]
        # Kept as given; model files serialize them when saving (model_io.py).
        self._compile_args = {"optimizer": self.optimizer, "loss": loss,
                              "metrics": self._metric_ids,
                              "weighted_metrics": list(weighted_metrics or [])}
        self.compiled = True

    def _check_compiled(self, what):
        if not getattr(self, "compiled", False) or self.compiled_loss is None:
            raise RuntimeError(f"{what}: compile the model with a loss first, e.g. "
                               f"model.compile(optimizer='adam', loss='mse')")

    @property
    def metrics_names(self):
        return ["loss"] + [m.name for m in self.compiled_metrics + self._weighted_metrics]

    def reset_metrics(self):
        for m in self.compiled_metrics + self._weighted_metrics:
            m.reset_state()

    # ---------------------------------------------------------------- steps

    def _loss_value(self, y, y_pred, sample_weight, layers=None):
        if isinstance(y_pred, (list, tuple)):
            raise NotImplementedError(f"{self.name}: training a model with several outputs "
                                      f"is not supported yet (one loss, one output)")
        loss = self.compiled_loss(y, y_pred, sample_weight)
        extra = self.losses if layers is None else self._losses_of(layers)
        for term in extra:
            loss = loss + term
        return loss

    def _update_metrics(self, y, y_pred, sample_weight):
        for m in self.compiled_metrics:
            m.update_state(y, y_pred)
        for m in self._weighted_metrics:
            m.update_state(y, y_pred, sample_weight)

    def _train_step(self, x, y, sample_weight):
        y_pred = self(x, training=True)
        if not isinstance(y_pred, (list, tuple)):
            y = self.compiled_loss.align(y, y_pred)
        # Read after the call: a model is built (its weights created) on its first call.
        # One walk of the layer tree serves the weights and the regularization terms.
        layers = self._flatten_layers()
        params = self._collect(self._trainable_of, layers)
        for p in params:
            p.grad = None
        loss = self._loss_value(y, y_pred, sample_weight, layers)
        if params:  # with everything frozen there is nothing to update, as in Keras
            loss.backward()
            self.optimizer.apply_gradients([(p.grad, p) for p in params])
        with nncore.no_grad():
            self._update_metrics(y, y_pred.detach(), sample_weight)
        return float(loss.item())

    def _test_step(self, x, y, sample_weight):
        with nncore.no_grad():
            y_pred = self(x, training=False)
            if not isinstance(y_pred, (list, tuple)):
                y = self.compiled_loss.align(y, y_pred)
            loss = self._loss_value(y, y_pred, sample_weight)
            self._update_metrics(y, y_pred, sample_weight)
        return float(loss.item())

    def _metric_logs(self):
        return {m.name: float(m.result().item())
                for m in self.compiled_metrics + self._weighted_metrics}

    def _prepare_targets(self, y):
        return compile_utils.labels_for_loss(y, self.compiled_loss)

    # ---------------------------------------------------------------- fit

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None,
            validation_steps=None, validation_batch_size=None, validation_freq=1):
        """Trains for `epochs` epochs; returns the History callback (``.history`` holds
        the loss and metrics per epoch, with ``val_`` entries when validating)."""
        from nncore import callbacks as callbacks_module
        self._check_compiled("fit")
        verbose = _verbosity(verbose)
        batch_size = int(batch_size or 32)
        if batch_size <= 0:
            raise ValueError(f"fit: batch_size must be positive, got {batch_size}")
        x, y, sample_weight = as_arrays(x, "x"), as_arrays(y, "y"), as_arrays(sample_weight,
                                                                               "sample_weight")
        if y is None:
            raise ValueError("fit: y (the targets) is required")
        if isinstance(y, list):
            raise NotImplementedError("fit: a list of targets (several outputs) is not "
                                      "supported yet")
        if validation_data is None and validation_split:
            (x, y, sample_weight), validation_data = validation_tail(
                (x, y, sample_weight), validation_split)
        n = num_samples(x, y, sample_weight, "fit")
        y = self._prepare_targets(y)
        if class_weight is not None:
            weights = class_weights_to_sample(y, class_weight)
            sample_weight = weights if sample_weight is None else (
                np.asarray(sample_weight).reshape(len(weights)) * weights)
        if steps_per_epoch is not None:
            raise NotImplementedError("fit: steps_per_epoch is not supported with arrays")
        steps = max(1, math.ceil(n / batch_size))
        self._ensure_training_state()
        cbs = callbacks_module.CallbackList(callbacks, add_history=True,
                                            add_progbar=verbose != 0, model=self,
                                            verbose=verbose, epochs=epochs, steps=steps,
                                            batch_size=batch_size, samples=n)
        self.stop_training = False
        self._build_on(x)
        # Optimizer state in trainable-weight order, so saved state maps back by position.
        if hasattr(self.optimizer, "build"):
            self.optimizer.build(self.trainable_weights)
        self.train(True)
        logs = {}
        cbs.on_train_begin(logs)
        try:
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                cbs.on_epoch_begin(epoch, {})
                order = self._epoch_order(n) if shuffle else None
                total, seen = 0.0, 0
                logs = {}
                for step, rows in enumerate(batch_slices(n, batch_size, order)):
                    cbs.on_train_batch_begin(step, {})
                    xb, yb, wb = (take(a, rows) for a in (x, y, sample_weight))
                    count = num_samples(xb, yb, None, "fit")
                    loss = self._train_step(to_tensor(xb), to_tensor(yb),
                                            None if wb is None else to_tensor(wb))
                    total += loss * count
                    seen += count
                    logs = {"loss": total / seen, **self._metric_logs()}
                    cbs.on_train_batch_end(step, logs)
                    if self.stop_training:
                        break
                self._epochs_seen += 1
                epoch_logs = dict(logs)
                if validation_data is not None and (epoch + 1) % validation_freq == 0:
                    self.train(False)
                    val_x, val_y, *val_w = _validation_tuple(validation_data)
                    val = self.evaluate(val_x, val_y, sample_weight=val_w[0] if val_w else None,
                                        batch_size=validation_batch_size or batch_size,
                                        verbose=0, return_dict=True)
                    self.train(True)
                    epoch_logs.update({f"val_{k}": v for k, v in val.items()})
                    # evaluate() reset the metrics; training values are already in the logs.
                cbs.on_epoch_end(epoch, epoch_logs)
                logs = epoch_logs
                if self.stop_training:
                    break
        finally:
            self.train(False)
        cbs.on_train_end(logs)
        return self.history

    def _build_on(self, x):
        """Creates the weights (a model is built on its first call) from one sample."""
        if not self.built or not self.weights:
            with nncore.no_grad():
                self(to_tensor(take(x, slice(0, 1))), training=False)

    def _ensure_training_state(self):
        if getattr(self, "_shuffle_seed", None) is None:
            # Drawn from nncore's generator, so nncore.manual_seed makes fit repeatable.
            self._shuffle_seed = int(nncore.rand(1, dtype=nncore.float64).item() * 2 ** 53)
            self._epochs_seen = 0

    def _epoch_order(self, n):
        rng = np.random.default_rng([self._shuffle_seed, self._epochs_seen])
        return rng.permutation(n)

    # ---------------------------------------------------------------- evaluate / predict

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """The loss (and compiled metrics) over the data: a float, or [loss, *metrics]
        when metrics were compiled, or a dict with return_dict=True."""
        from nncore import callbacks as callbacks_module
        self._check_compiled("evaluate")
        verbose = _verbosity(verbose)
        batch_size = int(batch_size or 32)
        x, y, sample_weight = as_arrays(x, "x"), as_arrays(y, "y"), as_arrays(sample_weight,
                                                                               "sample_weight")
        if y is None:
            raise ValueError("evaluate: y (the targets) is required")
        n = num_samples(x, y, sample_weight, "evaluate")
        y = self._prepare_targets(y)
        steps = max(1, math.ceil(n / batch_size))
        cbs = callbacks_module.CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                            verbose=verbose, epochs=1, steps=steps,
                                            batch_size=batch_size, samples=n)
        self.reset_metrics()
        total, seen = 0.0, 0
        logs = {}
        cbs.on_test_begin(logs)
        for step, rows in enumerate(batch_slices(n, batch_size, None)):
            cbs.on_test_batch_begin(step, {})
            xb, yb, wb = (take(a, rows) for a in (x, y, sample_weight))
            count = num_samples(xb, yb, None, "evaluate")
            total += self._test_step(to_tensor(xb), to_tensor(yb),
                                     None if wb is None else to_tensor(wb)) * count
            seen += count
            logs = {"loss": total / max(seen, 1), **self._metric_logs()}
            cbs.on_test_batch_end(step, logs)
        cbs.on_test_end(logs)
        if return_dict:
            return dict(logs)
        values = [logs.get(name, 0.0) for name in self.metrics_names]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs for every sample, as a NumPy array, computed in batches without
        recording a graph."""
        from nncore import callbacks as callbacks_module
        verbose = _verbosity(verbose)
        batch_size = int(batch_size or 32)
        x = as_arrays(x, "x")
        n = num_samples(x, None, None, "predict")
        steps = max(1, math.ceil(n / batch_size))
        cbs = callbacks_module.CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                            verbose=verbose, epochs=1, steps=steps,
                                            batch_size=batch_size, samples=n)
        out = None
        cbs.on_predict_begin({})
        with nncore.no_grad():
            for step, rows in enumerate(batch_slices(n, batch_size, None)):
                cbs.on_predict_batch_begin(step, {})
                y = self(to_tensor(take(x, rows)), training=False)
                out = _store_outputs(out, y, rows, n)
                cbs.on_predict_batch_end(step, {"outputs": None})
        cbs.on_predict_end({})
        if out is None:
            return np.zeros((0,), np.float32)
        return out

    # ---------------------------------------------------------------- single batches

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        self._check_compiled("train_on_batch")
        if y is None:
            raise ValueError("train_on_batch: y (the targets) is required")
        x, y, sw = as_arrays(x, "x"), self._prepare_targets(as_arrays(y, "y")), as_arrays(
            sample_weight, "sample_weight")
        self._build_on(x)
        if hasattr(self.optimizer, "build") and not getattr(self.optimizer, "_params", None):
            self.optimizer.build(self.trainable_weights)
        if class_weight is not None:
            weights = class_weights_to_sample(y, class_weight)
            sw = weights if sw is None else sw * weights
        self.reset_metrics()
        self.train(True)
        try:
            loss = self._train_step(to_tensor(x), to_tensor(y),
                                    None if sw is None else to_tensor(sw))
        finally:
            self.train(False)
        return self._batch_result(loss, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._check_compiled("test_on_batch")
        if y is None:
            raise ValueError("test_on_batch: y (the targets) is required")
        x, y, sw = as_arrays(x, "x"), self._prepare_targets(as_arrays(y, "y")), as_arrays(
            sample_weight, "sample_weight")
        self.reset_metrics()
        loss = self._test_step(to_tensor(x), to_tensor(y), None if sw is None else to_tensor(sw))
        return self._batch_result(loss, return_dict)

    def predict_on_batch(self, x):
        with nncore.no_grad():
            y = self(to_tensor(as_arrays(x, "x")), training=False)
        return [t.numpy() for t in y] if isinstance(y, (list, tuple)) else y.numpy()

    def _batch_result(self, loss, return_dict):
        logs = {"loss": loss, **self._metric_logs()}
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names]
        return values[0] if len(values) == 1 else values


def _validation_tuple(data):
    if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
        raise ValueError("fit: validation_data must be a tuple (x_val, y_val) or "
                         "(x_val, y_val, val_sample_weight)")
    return tuple(data)


def _store_outputs(out, y, rows, n):
    ys = list(y) if isinstance(y, (list, tuple)) else [y]
    if out is None:
        out = [np.empty((n,) + tuple(t.shape[1:]), dtype=t.dtype.numpy_dtype) for t in ys]
        out = out if isinstance(y, (list, tuple)) else out[0]
    targets = out if isinstance(out, list) else [out]
    for target, t in zip(targets, ys):
        target[rows] = t.numpy()
    return out
