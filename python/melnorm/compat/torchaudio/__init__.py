"""torchaudio's names, answered by melnorm: ``import melnorm.compat.torchaudio as torchaudio``.

This module provides ``compliance.kaldi`` (``fbank``, ``mfcc``, ``spectrogram``)
with torchaudio 0.13-2.11's signatures, defaults, tensors in and out, and
refusals. torchaudio's other names are not here yet: asking for one raises
``AttributeError`` saying what is offered and where the rest lives.
"""
from . import compliance  # noqa: F401

__all__ = ["compliance"]

_ELSEWHERE = {
    "transforms": "melnorm.torch (MelSpectrogram, Normalize, KaldiFbank, WhisperLogMel)",
    "functional": "melnorm.torch and melnorm (melspectrogram, power_to_db)",
    "load": "melnorm.load (libsndfile; returns (y, sr) like librosa)",
    "info": "melnorm info (CLI)",
}


def __getattr__(name):
    where = _ELSEWHERE.get(name, "melnorm's own API (docs/python.md)")
    raise AttributeError(
        f"melnorm.compat.torchaudio has no {name!r}; it offers compliance.kaldi (fbank, mfcc, spectrogram). "
        f"For {name!r} see {where}")
