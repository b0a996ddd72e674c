"""librosa's layout over melnorm: ``import melnorm.compat.librosa as librosa``.

What classification scripts call, with librosa's signatures and semantics (librosa 1.0 where it changed what
melnorm implements: ``power_to_db``/``amplitude_to_db`` take the reference per channel, ``axes="auto"``;
``axes=None`` is librosa 0.10's): ``load``, ``stft``, ``istft``, ``magphase``, ``resample``, the dB conversions,
``pcen``, ``to_mono``, ``get_duration``, ``get_samplerate``, the time/frequency conversions,
``feature.{melspectrogram, mfcc, delta, rms, zero_crossing_rate, spectral_centroid}``, ``filters.mel``,
``effects.{trim, split}``, ``util.{normalize, fix_length, frame, pad_center}``, ``display.{specshow, waveshow}``
(with matplotlib) and ``ParameterError``. Any other librosa name raises AttributeError naming what is provided
(docs/coming-from-librosa.md), never running something else.

>>> import melnorm.compat.librosa as librosa
>>> librosa.feature.melspectrogram(y=np.zeros(22050, np.float32), sr=22050).shape
(128, 44)
"""
import importlib

from ..._librosa import ParameterError, load, pcen, stft  # noqa: F401
from . import _missing, core, effects, feature, filters, util  # noqa: F401
from .core import (amplitude_to_db, db_to_amplitude, db_to_power, fft_frequencies, frames_to_samples,  # noqa: F401
                   frames_to_time, get_duration, get_samplerate, hz_to_mel, istft, magphase, mel_frequencies,
                   mel_to_hz, power_to_db, resample, samples_to_frames, samples_to_time, time_to_frames,
                   time_to_samples, to_mono)

__all__ = ["ParameterError", "load", "stft", "istft", "magphase", "resample", "power_to_db", "amplitude_to_db",
           "db_to_power", "db_to_amplitude", "pcen", "to_mono", "get_duration", "get_samplerate",
           "frames_to_samples", "samples_to_frames", "frames_to_time", "time_to_frames", "samples_to_time",
           "time_to_samples", "hz_to_mel", "mel_to_hz", "mel_frequencies", "fft_frequencies", "core", "feature",
           "filters", "effects", "util", "display"]

_missing_getattr = _missing.module_getattr(__name__, __all__)


def __getattr__(name):
    if name == "display":  # as librosa's lazy loader: imported on first use (it needs matplotlib)
        return importlib.import_module(".display", __name__)
    return _missing_getattr(name)
