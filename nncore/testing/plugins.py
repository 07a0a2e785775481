"""check_plugin: the properties every registered component must have.

    from nncore.testing import check_plugin
    check_plugin("activations", "my_activation")

Runs, for the component registered under `name` in `group`:
- activations: output shape and dtype equal the input's (float32 and float64, several
  shapes including non-contiguous views), and gradcheck in float64 on inputs kept away from
  the kinks in `avoid`;
- losses: a finite result for float32 and float64 predictions, a scalar from the class
  form, and gradcheck with respect to the predictions (float64);
- initializers: the requested shape and dtype, finite values;
- regularizers: a finite, non-negative scalar penalty and gradcheck;
- metrics: finite values (per sample for functions; a scalar result for classes);
- optimizers (constructed with their defaults): 50 steps lower a quadratic, and
  get_state/set_state restores the state exactly;
- layers (see _check_layer): built on hypothesis inputs of `input_shape`, outputs (in
  training and inference mode, in float32 and float64, for the given batch size and for
  a batch of one) agreeing with compute_output_shape and the layer's dtype, finite
  outputs, gradcheck in float64 with
  respect to the input and every trainable weight, get_weights/set_weights and
  get_config/from_config round trips that give identical outputs, and the class found in
  the registry under its own name (which is how saved models find it again);
- callbacks: every hook of nncore.callbacks.Callback present, and (when the callback can
  be constructed) a short fit, evaluate and predict with it;
- any component with get_config: a config round trip through from_config (and JSON).
Sparse losses and metrics (name containing "sparse") receive integer class labels.
"""
import json

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import nncore
from nncore import registry
from nncore.testing.gradcheck import gradcheck
from nncore.testing import strategies as nst

__all__ = ["check_plugin"]


def check_plugin(group, name, *, avoid=(0.0,), max_examples=15, args=(), kwargs=None,
                 input_shape=None, input_dtype=None, input_range=None, distinct_inputs=False):
    """Raises AssertionError (or the component's own error) when a property fails.

    A class component is constructed as ``component(*args, **kwargs)`` (its defaults when
    none are given); schedules, and layers such as Dense(units), need them. For layers the
    check sets ``dtype`` itself (float32, then float64 for gradcheck).

    Layers only: ``input_shape`` is the batch-including shape of the input, (3, 4) by
    default, or a list of shapes for layers called on a list (Add, Concatenate);
    ``input_dtype`` is None for float inputs in the layer's dtype, or an integer dtype
    ("int64") for layers that take ids (Embedding); ``input_range`` is (low, high) for the
    values drawn, (-3, 3) by default for floats, integers are drawn from [low, high).
    ``avoid`` keeps float inputs away from kinks, as for activations;
    ``distinct_inputs=True`` spreads float inputs apart so no two are equal, for layers
    whose gradient is undefined at ties (max pooling).
    """
    component = registry.get(group, name)
    layer_input = (input_shape, input_dtype, input_range)
    if distinct_inputs and group != "layers":
        raise TypeError("check_plugin: distinct_inputs is for layers")
    if group != "layers" and any(v is not None for v in layer_input):
        raise TypeError("check_plugin: input_shape, input_dtype and input_range are for "
                        "layers")
    if group == "layers":
        _check_layer(name, component, args, kwargs or {}, avoid, max_examples,
                     _LayerInputs(*layer_input, distinct=distinct_inputs))
        return True
    if group == "callbacks":
        _check_callback(name, component, args, kwargs or {})
        return True
    checks = {"activations": _check_activation, "losses": _check_loss,
              "initializers": _check_initializer, "regularizers": _check_regularizer,
              "metrics": _check_metric, "optimizers": _check_optimizer,
              "schedules": _check_schedule}
    if group not in checks:
        raise ValueError(f"check_plugin: no checks for group {group!r} yet; checks exist for "
                         f"{', '.join(sorted(list(checks) + ['callbacks', 'layers']))}")
    if isinstance(component, type) and (args or kwargs):
        cls = component
        component = _Constructed(cls, args, kwargs or {})
    checks[group](name, component, avoid, max_examples)
    _check_config(name, component)
    return True


class _Constructed:
    """A class with the constructor arguments check_plugin was given."""

    def __init__(self, cls, args, kwargs):
        self.cls, self.args, self.kwargs = cls, args, kwargs

    def __call__(self):
        return self.cls(*self.args, **self.kwargs)


def _is_class(component):
    return isinstance(component, (type, _Constructed))


def _settings(max_examples):
    return settings(max_examples=max_examples, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def _callable(component):
    # A class is instantiated (Keras-style objects); functions are used as they are.
    return component() if _is_class(component) else component


def _check_activation(name, component, avoid, max_examples):
    fn = _callable(component)

    @_settings(max_examples)
    @given(data=st.data())
    def properties(data):
        shape = data.draw(nst.shapes(min_dims=1, max_dims=3, max_side=4))
        for dtype in (np.float32, np.float64):
            x = data.draw(nst.tensors(shape, dtype=dtype, avoid=avoid))
            y = fn(x)
            assert y.shape == x.shape, f"{name}: output shape {y.shape} for input {x.shape}"
            assert y.dtype == x.dtype, f"{name}: {y.dtype.name} output for {x.dtype.name} input"
            assert np.isfinite(y.numpy()).all(), f"{name}: non-finite output for finite input"
        x = data.draw(nst.tensors(shape, avoid=avoid, requires_grad=True))
        gradcheck(fn, (x,))

    properties()


def _check_loss(name, component, avoid, max_examples):
    fn = _callable(component)
    sparse = "sparse" in name.lower()
    if _takes_triplets(fn):
        return _check_triplet_loss(name, fn, max_examples)

    @_settings(max_examples)
    @given(data=st.data())
    def properties(data):
        batch, classes = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 4))
        for dtype in (np.float32, np.float64):
            y_pred = _probabilities(data, batch, classes, dtype)
            y_true = _targets(data, batch, classes, dtype, sparse)
            value = fn(y_true, y_pred)
            assert np.isfinite(value.numpy()).all(), f"{name}: non-finite loss"
            if _is_class(component):
                assert value.shape == (), f"{name}: the class form gave shape {value.shape}"
        y_pred = _probabilities(data, batch, classes, np.float64).requires_grad_()
        y_true = _targets(data, batch, classes, np.float64, sparse)
        gradcheck(lambda p: fn(y_true, p), (y_pred,))

    properties()


def _takes_triplets(fn):
    import inspect
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return False
    return params[:3] == ["anchor", "positive", "negative"]


def _check_triplet_loss(name, fn, max_examples):
    """Losses over (anchor, positive, negative) embeddings: a finite scalar, and gradcheck
    in all three."""

    @_settings(max_examples)
    @given(data=st.data())
    def properties(data):
        batch, dim = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
        embeddings = [data.draw(nst.tensors((batch, dim), requires_grad=True))
                      for _ in range(3)]
        value = fn(*embeddings)
        assert value.shape == () and np.isfinite(value.item()), f"{name}: bad loss {value}"
        # The hinge at 0 has no derivative: check only where every margin is clearly away.
        with nncore.no_grad():
            a, p, n = embeddings
            margins = ((a - p) ** 2).sum(-1) - ((a - n) ** 2).sum(-1)
        if np.abs(margins.numpy() + 0.2).min() > 1e-3:
            gradcheck(fn, embeddings)

    properties()


def _probabilities(data, batch, classes, dtype):
    raw = data.draw(nst.arrays((batch, classes), dtype=dtype, min_value=0.1, max_value=1.0,
                               noncontiguous=False))
    return nncore.tensor(raw / raw.sum(-1, keepdims=True), dtype=dtype)


def _targets(data, batch, classes, dtype, sparse):
    labels = data.draw(st.lists(st.integers(0, classes - 1), min_size=batch, max_size=batch))
    if sparse:
        return nncore.tensor(labels)
    return nncore.tensor(np.eye(classes)[labels], dtype=dtype)


def _check_initializer(name, component, avoid, max_examples):
    init = _callable(component)
    for shape in [(3, 4), (2, 3, 5), (5, 2)]:  # 2-d and up: orthogonal needs a matrix
        for dtype in (nncore.float32, nncore.float64):
            w = init(shape, dtype=dtype)
            assert w.shape == shape, f"{name}: shape {w.shape} for requested {shape}"
            assert w.dtype == dtype, f"{name}: {w.dtype.name} for requested {dtype.name}"
            assert np.isfinite(w.numpy()).all(), f"{name}: non-finite values"


def _check_regularizer(name, component, avoid, max_examples):
    reg = _callable(component)

    @_settings(max_examples)
    @given(data=st.data())
    def properties(data):
        w = data.draw(nst.tensors(nst.shapes(min_dims=1, max_dims=3), avoid=avoid,
                                  requires_grad=True))
        penalty = reg(w)
        assert penalty.shape == (), f"{name}: penalty of shape {penalty.shape}"
        assert penalty.item() >= 0 and np.isfinite(penalty.item()), f"{name}: bad penalty"
        gradcheck(reg, (w,))

    properties()


def _check_metric(name, component, avoid, max_examples):
    sparse = "sparse" in name.lower()

    @_settings(max_examples)
    @given(data=st.data())
    def properties(data):
        batch, classes = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 4))
        y_pred = _probabilities(data, batch, classes, np.float32)
        y_true = _targets(data, batch, classes, np.float32, sparse)
        if _is_class(component):
            metric = component()
            if type(metric).__name__ == "Mean":  # a mean of values, not of (y_true, y_pred)
                metric.update_state(y_pred)
            else:
                metric.update_state(y_true, y_pred)
            value = metric.result()
            assert value.shape == (), f"{name}: result of shape {value.shape}"
        else:
            value = component(y_true, y_pred)
        assert np.isfinite(value.numpy()).all(), f"{name}: non-finite metric"

    properties()


def _check_optimizer(name, component, avoid, max_examples):
    opt = _callable(component)
    target = nncore.tensor([1.0, -2.0, 3.0], dtype=nncore.float64)
    w = nncore.zeros(3, dtype=nncore.float64, requires_grad=True)

    def loss():
        return ((w - target) ** 2).sum()

    start = loss().item()
    for _ in range(50):
        w.grad = None
        loss().backward()
        opt.step([w])
    assert loss().item() < start, f"{name}: 50 steps did not lower a quadratic"
    state = opt.get_state()
    rebuilt = type(opt).from_config(opt.get_config())
    rebuilt.set_state(state, params=[w])
    restored = rebuilt.get_state()
    for key, value in state.items():
        assert np.array_equal(np.asarray(restored[key]), np.asarray(value)), \
            f"{name}: state {key!r} changed in a get_state/set_state round trip"


def _check_schedule(name, component, avoid, max_examples):
    schedule = _callable(component)
    values = [float(schedule(step)) for step in range(0, 200, 7)]
    assert all(np.isfinite(v) and v >= 0 for v in values), f"{name}: bad rates {values}"
    assert float(schedule(5)) == float(schedule(5)), f"{name}: not a function of the step"


def _check_config(name, component):
    obj = component() if _is_class(component) else component
    if not hasattr(obj, "get_config"):
        return
    config = obj.get_config()
    json.dumps(config)  # must be JSON-serialisable
    rebuilt = type(obj).from_config(config)
    assert rebuilt.get_config() == config, f"{name}: config changed in a from_config round trip"


# ------------------------------------------------------------------------------- layers

class _LayerInputs:
    """What a layer is called on: one shape or a list of shapes, float or integer values."""

    def __init__(self, shape, dtype, value_range, distinct=False):
        self.distinct = distinct
        shape = (3, 4) if shape is None else shape
        self.as_list = isinstance(shape, list)
        self.shapes = [tuple(s) for s in shape] if self.as_list else [tuple(shape)]
        self.integer = dtype is not None and np.dtype(dtype).kind in "iu"
        if dtype is not None and not self.integer and np.dtype(dtype).kind != "f":
            raise TypeError(f"check_plugin: input_dtype must be None or an integer dtype, got "
                            f"{dtype!r}")
        self.dtype = np.dtype(dtype) if self.integer else None
        self.low, self.high = value_range or ((0, 2) if self.integer else (-3.0, 3.0))

    def shape_arg(self, batch="keep"):
        """The shapes as compute_output_shape takes them; `batch` replaces the batch size
        (None: unknown) unless it is "keep"."""
        shapes = self.shapes if batch == "keep" else [(batch,) + s[1:] for s in self.shapes]
        return shapes if self.as_list else shapes[0]

    def draw(self, data, avoid):
        if self.integer:
            return [data.draw(hnp.arrays(self.dtype, shape,
                                         elements=st.integers(self.low, self.high - 1)))
                    for shape in self.shapes]
        arrays = [data.draw(nst.arrays(shape, np.float64, self.low, self.high, avoid))
                  for shape in self.shapes]
        if self.distinct:
            # A ramp 0.01 apart separates equal values by far more than gradcheck's step.
            arrays = [a + 0.01 * np.arange(a.size).reshape(a.shape) for a in arrays]
        return arrays

    def tensors(self, arrays, dtype):
        """Tensors viewing the arrays (float64 keeps their strides) in the given float
        dtype; integer arrays stay integers."""
        if self.integer or dtype == nncore.float64:
            return [nncore.from_numpy(a) for a in arrays]
        return [nncore.from_numpy(a.astype(dtype.numpy_dtype)) for a in arrays]

    def call_arg(self, tensors):
        return list(tensors) if self.as_list else tensors[0]


def _numpy(outputs):
    if isinstance(outputs, (list, tuple)):
        return [o.detach().numpy() for o in outputs]
    return [outputs.detach().numpy()]


def _same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def _json(value):
    return json.loads(json.dumps(value))  # as a config comes back from a file


def _check_layer(name, cls, args, kwargs, avoid, max_examples, inputs):
    from nncore.layers import Layer
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise AssertionError(f"{name}: a layer must be a subclass of nncore.layers.Layer "
                             f"(Sequential, Model and load_model rely on it), got {cls!r}")
    _check_found_by_class_name(name, cls)

    def make(dtype):
        return cls(*args, **{**kwargs, "dtype": dtype})

    @_settings(max_examples)
    @given(data=st.data())
    def properties(data):
        arrays = inputs.draw(data, avoid)
        layer32 = make("float32")
        y32 = layer32(inputs.call_arg(inputs.tensors(arrays, nncore.float32)))
        _check_layer_output(name, layer32, inputs, y32, nncore.float32)

        layer = make("float64")
        x = inputs.tensors(arrays, nncore.float64)
        # Training mode first (it may update state such as moving averages); only the
        # shape is checked, since it may be random (dropout).
        _check_layer_output(name, layer, inputs, layer(inputs.call_arg(x), training=True),
                            nncore.float64)
        y = layer(inputs.call_arg(x), training=False)
        _check_layer_output(name, layer, inputs, y, nncore.float64)
        reference = _numpy(y)
        assert all(np.isfinite(r).all() for r in reference), \
            f"{name}: non-finite output for finite input"
        batch_of_one = layer(inputs.call_arg([t[:1] for t in x]), training=False)
        _check_layer_output(name, layer, inputs, batch_of_one, nncore.float64, batch=1)

        _gradcheck_layer(layer, inputs, x)
        _check_weights_round_trip(name, layer, inputs, x, reference)
        _check_layer_config(name, layer, inputs, x, reference)

    properties()


def _check_found_by_class_name(name, cls):
    # Model files record a layer by its class name and load it through the registry.
    try:
        found = registry.get("layers", cls.__name__)
    except registry.UnknownComponentError:
        found = None
    assert found is cls, (f"{name}: registry.get('layers', {cls.__name__!r}) does not give "
                          f"this class, so saved models containing it cannot be loaded; "
                          f"register a layer under its class name")


def _check_layer_output(name, layer, inputs, y, dtype, batch="keep"):
    outputs = list(y) if isinstance(y, (list, tuple)) else [y]
    for out in outputs:
        assert out.dtype == dtype, (f"{name}: {out.dtype.name} output from a {dtype.name} "
                                    f"layer")
    expected = layer.compute_output_shape(inputs.shape_arg(batch))
    expected = expected if isinstance(expected, list) else [expected]
    actual = [tuple(out.shape) for out in outputs]
    assert [tuple(e) for e in expected] == actual, (
        f"{name}: output shape {actual if len(actual) > 1 else actual[0]} for input "
        f"{inputs.shape_arg(batch)}, but compute_output_shape gives "
        f"{expected if len(expected) > 1 else expected[0]}")
    unknown = layer.compute_output_shape(inputs.shape_arg(None))
    unknown = unknown if isinstance(unknown, list) else [unknown]
    for known, maybe in zip(actual, unknown):
        assert len(known) == len(maybe) and all(
                m is None or m == k for k, m in zip(known[1:], maybe[1:])), (
            f"{name}: compute_output_shape gives {tuple(maybe)} for an unknown batch size "
            f"but the output has shape {known}")


def _gradcheck_layer(layer, inputs, x):
    weights = layer.trainable_weights
    if not inputs.integer:
        x = [t.requires_grad_() for t in x]
    if inputs.integer and not weights:
        return  # nothing differentiable

    def forward(*tensors):
        return layer(inputs.call_arg(tensors[:len(x)]), training=False)

    gradcheck(forward, (*x, *weights))


def _check_weights_round_trip(name, layer, inputs, x, reference):
    values = layer.get_weights()
    assert len(values) == len(layer.weights), \
        f"{name}: get_weights gave {len(values)} arrays for {len(layer.weights)} weights"
    saved = [v.copy() for v in values]
    for v in values:
        v += 1
    assert _same(layer.get_weights(), saved), \
        f"{name}: get_weights returned arrays that share memory with the weights"
    layer.set_weights(values)
    assert _same(layer.get_weights(), values), \
        f"{name}: get_weights did not return what set_weights was given"
    layer.set_weights(saved)
    assert _same(_numpy(layer(inputs.call_arg(x), training=False)), reference), \
        f"{name}: different outputs after a get_weights/set_weights round trip"


def _check_layer_config(name, layer, inputs, x, reference):
    config = layer.get_config()
    try:
        stored = _json(config)
    except TypeError as error:
        raise AssertionError(f"{name}: get_config() is not JSON-serialisable: {error}") \
            from None
    clone = type(layer).from_config(stored)
    assert _json(clone.get_config()) == stored, \
        f"{name}: config changed in a from_config round trip"
    clone(inputs.call_arg(x), training=False)  # builds the clone's weights
    clone.set_weights(layer.get_weights())
    assert _same(_numpy(clone(inputs.call_arg(x), training=False)), reference), \
        f"{name}: a layer rebuilt from its config, given the same weights, computes " \
        f"different outputs (does get_config miss an argument?)"


# ---------------------------------------------------------------------------- callbacks

def _check_callback(name, cls, args, kwargs):
    from nncore.callbacks import Callback
    hooks = sorted(h for h in vars(Callback) if h.startswith("on_")) + ["set_model",
                                                                          "set_params"]
    if not isinstance(cls, type):
        raise AssertionError(f"{name}: a callback must be a class, got {cls!r}")
    missing = [h for h in hooks if not callable(getattr(cls, h, None))]
    assert not missing, (f"{name}: missing the hook(s) {', '.join(missing)} (subclass "
                         f"nncore.callbacks.Callback, whose hooks do nothing)")
    if not (args or kwargs) and _required_parameters(cls):
        return  # needs arguments the check cannot invent: the class checks must do
    callback = cls(*args, **kwargs)
    missing = [h for h in hooks if not callable(getattr(callback, h, None))]
    assert not missing, f"{name}: the instance lacks the hook(s) {', '.join(missing)}"
    _run_callback(name, callback)
    if hasattr(callback, "get_config"):
        config = callback.get_config()
        stored = _json(config)
        rebuild = getattr(cls, "from_config", None)
        clone = rebuild(stored) if rebuild else cls(**stored)
        assert _json(clone.get_config()) == stored, \
            f"{name}: config changed in a from_config round trip"


def _required_parameters(cls):
    import inspect
    try:
        parameters = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in parameters if p.default is p.empty
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _run_callback(name, callback):
    """Every hook, called by fit (with validation), evaluate and predict on a tiny model."""
    x = np.linspace(-1, 1, 16, dtype=np.float32).reshape(8, 2)
    y = x.sum(-1, keepdims=True)
    model = nncore.Sequential([nncore.layers.Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=2, validation_data=(x, y), verbose=0,
                        callbacks=[callback])
    assert history.history["loss"], f"{name}: no epoch completed"
    model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[callback])
    model.predict(x, batch_size=4, verbose=0, callbacks=[callback])
