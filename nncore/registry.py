"""Finding components by name: nncore's plugin registry.

Layers, activations, losses, optimizers and the rest are found through Python entry points
in the groups ``nncore.<group>`` -- nncore's own built-ins are declared the same way in its
pyproject.toml, so a third-party package is a pip install away from ``get("losses", "mine")``.

- Discovery is lazy: a group's entry points are listed on first use, and a component's
  module is imported only when that component is asked for.
- Names are forgiving, as in Keras: an exact match wins; otherwise case and underscores
  are ignored ("ReLU", "relu"; "MeanSquaredError", "mean_squared_error").
- A plugin that fails to import produces a warning naming its distribution and entry point;
  the rest keep working. Two distributions claiming one name is an error naming both. An
  unknown name is an error listing the closest names.
- ``register(group, name)`` adds a component in-process, without packaging.
- ``NNCORE_DISABLE_PLUGIN_AUTOLOAD=1`` restricts discovery to nncore's own entry points.
"""
import difflib
import importlib.metadata
import os
import threading
import warnings

GROUPS = ("layers", "activations", "losses", "optimizers", "initializers", "metrics",
          "callbacks", "regularizers", "schedules")
_BUILTIN_DIST = "nncore"
_IN_PROCESS = "<registered in-process>"

__all__ = ["GROUPS", "get", "list", "register", "refresh", "source", "PluginWarning",
           "PluginClashError", "UnknownComponentError"]


class PluginWarning(UserWarning):
    """A plugin could not be loaded; it is skipped."""


class PluginClashError(RuntimeError):
    """Two sources claim the same name in one group."""


class UnknownComponentError(LookupError, ValueError):
    """No component of that name in the group."""


class _Entry:
    __slots__ = ("name", "dist", "entry_point", "obj", "loaded", "override")

    def __init__(self, name, dist, entry_point=None, obj=None, override=False):
        self.name, self.dist, self.entry_point = name, dist, entry_point
        self.obj, self.loaded, self.override = obj, entry_point is None, override


_lock = threading.RLock()
_discovered = {}   # group -> {name: _Entry} from entry points
_registered = {g: {} for g in GROUPS}  # group -> {name: _Entry} from register()


def _check_group(group):
    if group not in GROUPS:
        raise ValueError(f"unknown registry group {group!r}; groups are {', '.join(GROUPS)}")


def _normalize(name):
    return name.replace("_", "").replace("-", "").lower()


def _dist_name(entry_point):
    dist = getattr(entry_point, "dist", None)
    return dist.metadata["Name"] if dist is not None else "<unknown distribution>"


def _discover(group):
    """name -> _Entry for the group's entry points (listed once, imported later)."""
    with _lock:
        if group in _discovered:
            return _discovered[group]
        only_builtin = os.environ.get("NNCORE_DISABLE_PLUGIN_AUTOLOAD", "") not in ("", "0")
        entries = {}
        for ep in importlib.metadata.entry_points(group=f"nncore.{group}"):
            dist = _dist_name(ep)
            if only_builtin and dist != _BUILTIN_DIST:
                continue
            previous = entries.get(ep.name)
            if previous is not None and previous.dist != dist:
                raise PluginClashError(
                    f"nncore.{group}: the name {ep.name!r} is claimed by two distributions: "
                    f"{previous.dist} ({previous.entry_point.value}) and {dist} ({ep.value})")
            entries[ep.name] = _Entry(ep.name, dist, entry_point=ep)
        _discovered[group] = entries
        return entries


def _load(group, entry):
    if not entry.loaded:
        try:
            entry.obj = entry.entry_point.load()
        except Exception as error:  # a broken plugin must not break the others
            warnings.warn(
                f'Error importing plugin "{entry.name}" (nncore.{group} entry point '
                f'{entry.entry_point.value}) from distribution {entry.dist}: '
                f'{type(error).__name__}: {error}', PluginWarning, stacklevel=3)
            entry.obj = None
        entry.loaded = True
    return entry.obj


def _all_entries(group):
    _check_group(group)
    entries = dict(_discover(group))
    for name, entry in _registered[group].items():
        if name in entries and not entry.override:
            raise PluginClashError(
                f"nncore.{group}: the name {name!r} is registered in-process and also "
                f"provided by distribution {entries[name].dist}")
        entries[name] = entry
    return entries


def list(group):  # noqa: A001 - the registry's verb, as in the issue's API
    """Names available in a group, sorted (plugins are not imported)."""
    return sorted(_all_entries(group))


def source(group, name):
    """The distribution that provides `name` (or '<registered in-process>')."""
    return _find(group, name).dist


def _find(group, name):
    entries = _all_entries(group)
    if name in entries:
        return entries[name]
    wanted = _normalize(name)
    matches = [e for n, e in sorted(entries.items()) if _normalize(n) == wanted]
    if matches:
        return matches[0]
    close = difflib.get_close_matches(name, sorted(entries), n=5, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownComponentError(f"nncore.{group}: no component named {name!r}{hint} "
                                f"(available: {', '.join(sorted(entries)) or 'none'})")


def get(group, name):
    """The component registered under `name` in `group` (a class or a function)."""
    if not isinstance(name, str):
        raise TypeError(f"registry.get: name must be a string, got {type(name).__name__}")
    with _lock:
        entry = _find(group, name)
        obj = _load(group, entry)
    if obj is None:
        raise UnknownComponentError(f"nncore.{group}: {name!r} from distribution "
                                    f"{entry.dist} failed to import (see the warning above)")
    return obj


def register(group, name=None, *, override=False):
    """Decorator registering a component in-process: ``@register("losses", "my_loss")``."""
    _check_group(group)

    def decorate(obj):
        key = name or getattr(obj, "__name__", None)
        if not key:
            raise ValueError("register: give a name for objects without __name__")
        with _lock:
            if not override and (key in _registered[group] or key in _discover(group)):
                holder = (_IN_PROCESS if key in _registered[group]
                          else _discover(group)[key].dist)
                raise PluginClashError(f"nncore.{group}: {key!r} is already provided by "
                                       f"{holder}; pass override=True to replace it")
            _registered[group][key] = _Entry(key, _IN_PROCESS, obj=obj, override=override)
        return obj

    return decorate


def refresh():
    """Forgets what was discovered, so newly installed distributions are seen."""
    with _lock:
        _discovered.clear()
        importlib.invalidate_caches()
