"""An example native nncore plugin, with C++ kernels: the squareplus activation and the
ParametricSquareplus layer (squareplus with a learned b per feature).

nncore finds them by name through the entry points in this distribution's pyproject.toml;
importing this package directly is never needed.
"""
from nncore_example_native.parametric_squareplus import (ParametricSquareplus,
                                                         ParametricSquareplusFunction,
                                                         parametric_squareplus)
from nncore_example_native.squareplus import Squareplus, squareplus

__all__ = ["ParametricSquareplus", "ParametricSquareplusFunction", "Squareplus",
           "parametric_squareplus", "squareplus"]
