"""An example nncore plugin in pure Python: one activation, one loss and one layer.

nncore finds them by name through the entry points in this distribution's pyproject.toml;
importing this package directly is never needed.
"""
from nncore_example_python.activations import bent_identity
from nncore_example_python.layers import ResidualDense
from nncore_example_python.losses import log_cosh

__all__ = ["ResidualDense", "bent_identity", "log_cosh"]
