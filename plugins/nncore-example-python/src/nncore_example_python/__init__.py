"""An example nncore plugin in pure Python: one activation and one loss.

nncore finds them by name through the entry points in this distribution's pyproject.toml;
importing this package directly is never needed.
"""
from nncore_example_python.activations import bent_identity
from nncore_example_python.losses import log_cosh

__all__ = ["bent_identity", "log_cosh"]
