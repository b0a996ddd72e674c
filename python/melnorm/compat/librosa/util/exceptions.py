"""librosa.util.exceptions: ParameterError is melnorm.ParameterError (a ValueError)."""
from ...._librosa import ParameterError  # noqa: F401

__all__ = ["ParameterError"]
