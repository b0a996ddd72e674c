"""librosa.util: its ParameterError (librosa.util.exceptions.ParameterError) is melnorm.ParameterError."""
from . import exceptions  # noqa: F401
from .exceptions import ParameterError  # noqa: F401

__all__ = ["ParameterError", "exceptions"]
