"""An example native nncore plugin: the squareplus activation, with C++ kernels.

nncore finds it by name through the entry point in this distribution's pyproject.toml.
"""
from nncore_example_native.squareplus import Squareplus, squareplus

__all__ = ["Squareplus", "squareplus"]
