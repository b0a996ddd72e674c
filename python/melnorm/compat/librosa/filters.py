"""librosa.filters: mel, on melnorm."""
from ..._librosa import mel  # noqa: F401
from . import _missing

__all__ = ["mel"]

__getattr__ = _missing.module_getattr(__name__, __all__)
