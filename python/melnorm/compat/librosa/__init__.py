"""librosa 0.10's layout over melnorm's functions: ``import melnorm.compat.librosa as librosa``.

``librosa.load``, ``librosa.stft``, ``librosa.power_to_db`` (and ``amplitude_to_db``, ``db_to_power``,
``db_to_amplitude``), ``librosa.pcen``, ``librosa.feature.melspectrogram``, ``librosa.feature.mfcc``,
``librosa.feature.delta``, ``librosa.filters.mel``, ``librosa.core.*`` and ``librosa.ParameterError``
(``librosa.util.exceptions.ParameterError``) have librosa's signatures and semantics. Only these: any other
librosa name raises AttributeError rather than running something else.

>>> import melnorm.compat.librosa as librosa
>>> librosa.feature.melspectrogram(y=np.zeros(22050, np.float32), sr=22050).shape
(128, 44)
"""
from ..._librosa import (ParameterError, amplitude_to_db, db_to_amplitude, db_to_power, load, pcen,  # noqa: F401
                         power_to_db, stft)
from . import core, feature, filters, util  # noqa: F401

__all__ = ["ParameterError", "load", "stft", "power_to_db", "amplitude_to_db", "db_to_power", "db_to_amplitude",
           "pcen", "core", "feature", "filters", "util"]
