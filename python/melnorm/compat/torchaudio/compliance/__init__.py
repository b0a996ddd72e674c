"""torchaudio.compliance: ``kaldi`` (fbank, mfcc, spectrogram) on melnorm's C++ Kaldi front end."""
from . import kaldi  # noqa: F401

__all__ = ["kaldi"]
