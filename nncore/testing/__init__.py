"""Testing helpers for nncore and for plugin authors.

    from nncore.testing import gradcheck
    from nncore.testing import strategies   # needs hypothesis
    from nncore.testing import check_plugin # needs hypothesis
"""
from nncore.testing.gradcheck import GradcheckError, gradcheck

__all__ = ["gradcheck", "GradcheckError", "strategies", "check_plugin"]


def __getattr__(name):
    # hypothesis is a test dependency, not a runtime one: import it only when asked for.
    import importlib
    if name == "strategies":
        return importlib.import_module("nncore.testing.strategies")
    if name == "check_plugin":
        return importlib.import_module("nncore.testing.plugins").check_plugin
    raise AttributeError(f"module 'nncore.testing' has no attribute {name!r}")
