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
- any component with get_config: a config round trip through from_config (and JSON).
Sparse losses and metrics (name containing "sparse") receive integer class labels.
"""
import json

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

import nncore
from nncore import registry
from nncore.testing.gradcheck import gradcheck
from nncore.testing import strategies as nst

__all__ = ["check_plugin"]


def check_plugin(group, name, *, avoid=(0.0,), max_examples=15, args=(), kwargs=None):
    """Raises AssertionError (or the component's own error) when a property fails.

    A class component is constructed as ``component(*args, **kwargs)`` (its defaults when
    none are given); schedules, whose constructors have required arguments, need them.
    """
    component = registry.get(group, name)
    checks = {"activations": _check_activation, "losses": _check_loss,
              "initializers": _check_initializer, "regularizers": _check_regularizer,
              "metrics": _check_metric, "optimizers": _check_optimizer,
              "schedules": _check_schedule}
    if group not in checks:
        raise ValueError(f"check_plugin: no checks for group {group!r} yet; checks exist for "
                         f"{', '.join(sorted(checks))}")
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
