"""librosa.feature: melspectrogram, mfcc and delta, on melnorm."""
from ..._librosa import delta, melspectrogram, mfcc  # noqa: F401

__all__ = ["melspectrogram", "mfcc", "delta"]
