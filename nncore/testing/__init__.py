"""Testing helpers for nncore and for plugin authors.

    from nncore.testing import gradcheck
    from nncore.testing import strategies   # needs hypothesis
"""
from nncore.testing.gradcheck import GradcheckError, gradcheck

__all__ = ["gradcheck", "GradcheckError", "strategies"]


def __getattr__(name):
    # hypothesis is a test dependency, not a runtime one: import it only when asked for.
    if name == "strategies":
        import importlib
        return importlib.import_module("nncore.testing.strategies")
    raise AttributeError(f"module 'nncore.testing' has no attribute {name!r}")
