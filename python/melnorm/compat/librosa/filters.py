"""librosa.filters: mel, on melnorm."""
from ..._librosa import mel  # noqa: F401

__all__ = ["mel"]
