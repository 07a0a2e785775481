"""Saving and loading whole models, on top of the file container in nncore/saving.py.

A model file holds: the architecture (each layer as its registry name plus its
get_config()), the compile arguments, the training counters (epochs seen, shuffle seed),
the weights by name, and the optimizer state. Loading looks each layer class up in the
``layers`` registry group, so plugin layers load like built-ins; nothing in the file is
executed.
"""
import numpy as np

import nncore
from nncore import registry, saving

__all__ = ["serialize_layer", "deserialize_layer", "save_model", "load_model",
           "save_weights", "load_weights"]

FORMAT = "nncore.model"


def serialize_layer(layer):
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def _layer_class(class_name, custom_objects):
    if custom_objects and class_name in custom_objects:
        return custom_objects[class_name]
    from nncore.models.model import Model
    from nncore.models.sequential import Sequential
    builtin_models = {"Model": Model, "Functional": Model, "Sequential": Sequential}
    if class_name in builtin_models:
        return builtin_models[class_name]
    return registry.get("layers", class_name)


def deserialize_layer(spec, custom_objects=None):
    cls = _layer_class(spec["class_name"], custom_objects)
    config = dict(spec.get("config", {}))
    if _takes_custom_objects(cls):
        return cls.from_config(config, custom_objects=custom_objects)
    return cls.from_config(config)


def _takes_custom_objects(cls):
    import inspect
    try:
        return "custom_objects" in inspect.signature(cls.from_config).parameters
    except (TypeError, ValueError):
        return False


def _named_weights(model):
    return list(zip(model.weight_names(), model.get_weights()))


def _optimizer_state(model):
    """The optimizer's state keyed by each parameter's position in model.weights (the
    optimizer numbers them in the order it first saw them, which depends on history)."""
    opt = model.optimizer
    if opt is None or not hasattr(opt, "get_state"):
        return None
    position = {id(w): j for j, w in enumerate(model.weights)}
    seen = list(getattr(opt, "_params", []))
    state = {}
    for key, value in opt.get_state().items():
        index, slash, slot = str(key).partition("/")
        if slash and index.isdigit():
            param = seen[int(index)]
            if id(param) not in position:
                continue    # state of a tensor that is not one of this model's weights
            key = f"{position[id(param)]}/{slot}"
        state[key] = value
    return state


def _restore_optimizer_state(model, state):
    weights = model.weights
    used = sorted({int(str(k).partition("/")[0]) for k in state
                   if "/" in str(k) and str(k).partition("/")[0].isdigit()})
    if used and used[-1] >= len(weights):
        raise ValueError(f"the optimizer state refers to weight {used[-1]}, but the model has "
                         f"{len(weights)} weights")
    order = {j: i for i, j in enumerate(used)}
    renumbered = {}
    for key, value in state.items():
        index, slash, slot = str(key).partition("/")
        renumbered[f"{order[int(index)]}/{slot}" if slash and index.isdigit() else key] = value
    model.optimizer.set_state(renumbered, params=[weights[j] for j in used])


def _serialize_compile(args):
    """compile()'s arguments as JSON: names stay names; objects become {"class_name",
    "config"}; functions are saved by name (load them with custom_objects)."""
    if args is None:
        return None

    def one(obj, what):
        if obj is None or isinstance(obj, (str, dict)):
            return obj
        if hasattr(obj, "get_config"):
            return {"class_name": type(obj).__name__, "config": obj.get_config()}
        name = getattr(obj, "__name__", None)
        if name is None or name == "<lambda>":
            raise ValueError(f"cannot save the compiled {what} {obj!r}: use a registered "
                             f"name, a Loss/Metric object, or a named function (loaded "
                             f"again with custom_objects)")
        return name
    return {"optimizer": one(args["optimizer"], "optimizer"),
            "loss": one(args["loss"], "loss"),
            "metrics": [one(m, "metric") for m in args.get("metrics") or []],
            "weighted_metrics": [one(m, "metric") for m in args.get("weighted_metrics") or []]}


def _custom(identifier, custom_objects):
    """Resolves names and {"class_name"} dicts found in custom_objects; else unchanged."""
    if not custom_objects:
        return identifier
    if isinstance(identifier, str) and identifier in custom_objects:
        found = custom_objects[identifier]
        return found() if isinstance(found, type) else found
    if isinstance(identifier, dict) and identifier.get("class_name") in custom_objects:
        return custom_objects[identifier["class_name"]].from_config(
            identifier.get("config", {}))
    return identifier


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    config = {"format": FORMAT, "nncore_version": nncore.__version__,
              "model": serialize_layer(model),
              "compile_config": _serialize_compile(getattr(model, "_compile_args", None))
              if getattr(model, "compiled", False) else None,
              "training_state": {"epochs_seen": int(getattr(model, "_epochs_seen", 0) or 0),
                                 "shuffle_seed": getattr(model, "_shuffle_seed", None)}}
    state = _optimizer_state(model) if include_optimizer else None
    saving.write_model_file(str(filepath), config, _named_weights(model), state,
                            overwrite=overwrite)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Rebuilds a model saved with ``model.save``: architecture, weights, and (when it was
    compiled) the optimizer with its state, ready to resume training."""
    content = saving.read_model_file(str(filepath))
    config = content.config
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise saving.ModelFileError(f"{filepath}: the file holds no nncore model architecture "
                                    f"(saved with save_weights? use model.load_weights)")
    model = deserialize_layer(config["model"], custom_objects)
    _assign(model, content.weights, filepath)
    training = config.get("training_state") or {}
    model._epochs_seen = int(training.get("epochs_seen", 0))
    model._shuffle_seed = training.get("shuffle_seed")
    compile_config = config.get("compile_config")
    if compile and compile_config:
        def custom(item):
            return _custom(item, custom_objects)
        model.compile(optimizer=custom(compile_config["optimizer"]),
                      loss=custom(compile_config["loss"]),
                      metrics=[custom(m) for m in compile_config.get("metrics") or []] or None,
                      weighted_metrics=[custom(m) for m in
                                        compile_config.get("weighted_metrics") or []] or None)
        if content.optimizer_state is not None:
            _restore_optimizer_state(model, content.optimizer_state)
    return model


def _assign(model, named, filepath):
    names = model.weight_names()
    stored = [name for name, _ in named]
    if len(stored) != len(names):
        raise ValueError(f"{filepath}: the file has {len(stored)} weights, the model has "
                         f"{len(names)} ({names})")
    try:
        model.set_weights([np.asarray(array) for _, array in named])
    except ValueError as error:
        raise ValueError(f"{filepath}: {error}") from None


def save_weights(model, filepath, overwrite=True):
    saving.write_weights_file(str(filepath), _named_weights(model), overwrite=overwrite)


def load_weights(model, filepath):
    """Sets the model's weights from a weights file (or a whole-model file)."""
    named = saving.read_weights_file(str(filepath))
    if hasattr(named, "weights"):
        named = named.weights
    if not model.built:
        raise ValueError(f"{model.name}.load_weights: build the model first (call it on data "
                         f"or give its input shape)")
    _assign(model, named, filepath)
