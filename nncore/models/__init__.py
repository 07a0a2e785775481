"""Models: ``Sequential``, ``Model`` (functional or subclassed) and ``load_model``."""
from nncore.models.model import Model
from nncore.models.sequential import Sequential
from nncore.models.model_io import load_model

__all__ = ["Model", "Sequential", "load_model"]
