"""The plugin registry, with real throwaway distributions put on sys.path."""
import sys
import textwrap

import pytest

from nncore import registry


@pytest.fixture
def site(tmp_path, monkeypatch):
    """Installs throwaway distributions: site(dist_name, {group: {name: "mod:attr"}},
    {module_name: source})."""
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.refresh()

    def install(dist, entry_points, modules):
        info = tmp_path / f"{dist}-0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
        lines = []
        for group, names in entry_points.items():
            lines.append(f"[nncore.{group}]")
            lines += [f"{name} = {target}" for name, target in names.items()]
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
        for module, source in modules.items():
            (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
        registry.refresh()

    yield install
    registry.refresh()
    for module in [m for m in sys.modules if m.startswith("fakeplug")]:
        del sys.modules[module]


def test_plugins_are_found_by_name_and_imported_lazily(site):
    site("fake-losses", {"losses": {"twice_mse": "fakeplug_a:twice_mse"}},
         {"fakeplug_a": "def twice_mse(y, p):\n    return 2 * ((y - p) ** 2).mean()\n"})
    assert "twice_mse" in registry.list("losses")
    assert "fakeplug_a" not in sys.modules  # listing does not import
    fn = registry.get("losses", "twice_mse")
    assert fn.__name__ == "twice_mse" and "fakeplug_a" in sys.modules
    assert registry.source("losses", "twice_mse") == "fake-losses"


def test_names_are_forgiving_and_unknown_names_suggest_close_ones(site):
    site("fake-acts", {"activations": {"MyReLU": "fakeplug_b:f", "soft_thing": "fakeplug_b:g"}},
         {"fakeplug_b": "def f(x): return x\ndef g(x): return x\n"})
    assert registry.get("activations", "myrelu") is registry.get("activations", "MyReLU")
    assert registry.get("activations", "SoftThing").__name__ == "g"
    with pytest.raises(LookupError, match=r"no component named 'soft_thin'; did you mean "
                                          r"'soft_thing'"):
        registry.get("activations", "soft_thin")
    with pytest.raises(ValueError, match="unknown registry group"):
        registry.get("activation", "relu")


def test_a_broken_plugin_warns_with_its_distribution_and_the_rest_work(site):
    site("broken-dist", {"losses": {"broken": "fakeplug_c:missing"}},
         {"fakeplug_c": "raise ImportError('no such thing')\n"})
    site("good-dist", {"losses": {"good": "fakeplug_d:good"}},
         {"fakeplug_d": "def good(y, p):\n    return y\n"})
    with pytest.warns(registry.PluginWarning, match=r'"broken".*from distribution broken-dist'):
        with pytest.raises(LookupError, match="failed to import"):
            registry.get("losses", "broken")
    assert registry.get("losses", "good").__name__ == "good"


def test_two_distributions_claiming_one_name_is_an_error_naming_both(site):
    site("first-dist", {"metrics": {"score": "fakeplug_e:score"}},
         {"fakeplug_e": "def score(y, p): return y\n"})
    site("second-dist", {"metrics": {"score": "fakeplug_f:score"}},
         {"fakeplug_f": "def score(y, p): return p\n"})
    with pytest.raises(registry.PluginClashError, match=r"first-dist.*second-dist|second-dist.*first-dist"):
        registry.get("metrics", "score")


def test_in_process_registration(site):
    @registry.register("callbacks", "my_callback_for_test")
    class MyCallback:
        pass

    try:
        assert registry.get("callbacks", "my_callback_for_test") is MyCallback
        assert registry.source("callbacks", "my_callback_for_test") == "<registered in-process>"
        with pytest.raises(registry.PluginClashError, match="already provided"):
            registry.register("callbacks", "my_callback_for_test")(object)
    finally:
        registry._registered["callbacks"].pop("my_callback_for_test", None)


def test_autoload_can_be_disabled(site, monkeypatch):
    site("other-dist", {"schedules": {"zigzag": "fakeplug_g:zigzag"}},
         {"fakeplug_g": "def zigzag(step): return 1.0\n"})
    monkeypatch.setenv("NNCORE_DISABLE_PLUGIN_AUTOLOAD", "1")
    registry.refresh()
    assert "zigzag" not in registry.list("schedules")


def test_builtin_losses_come_through_nncores_own_entry_points():
    from nncore import losses
    assert registry.get("losses", "mse") is losses.mean_squared_error
    assert registry.get("losses", "MeanSquaredError") is losses.MeanSquaredError
    assert registry.get("losses", "sparse_categorical_crossentropy") is \
        losses.sparse_categorical_crossentropy
    assert registry.source("losses", "mse") == "nncore"
    for name in registry.list("losses"):
        assert callable(registry.get("losses", name)), name


def test_builtin_activations_optimizers_and_schedules_are_registered():
    from nncore import functional, optimizers, schedules
    assert registry.get("activations", "relu") is functional.relu
    assert registry.get("activations", "ReLU") is functional.relu  # forgiving names
    assert registry.get("optimizers", "adam") is optimizers.Adam
    assert registry.get("optimizers", "Adam") is optimizers.Adam
    assert registry.get("schedules", "ExponentialDecay") is schedules.ExponentialDecay
    assert {"sigmoid", "tanh", "softmax", "gaussian", "asinh"} <= set(registry.list("activations"))
    assert {"SGD", "RMSprop", "Adadelta", "Nadam"} <= set(registry.list("optimizers"))
