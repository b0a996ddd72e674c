"""librosa.effects: trim and split (leading/trailing silence, non-silent intervals) by frame RMS in dB."""
import math

import numpy as np

from . import _missing
from . import util as _util
from .core import amplitude_to_db, frames_to_samples
from .feature import _frame_energy, rms

__all__ = ["trim", "split"]


def _signal_to_frame_nonsilent(y, frame_length, hop_length, top_db, ref, aggregate):
    y = np.asarray(y)
    if y.dtype.kind != "f" or y.ndim == 0:
        _util.valid_audio(y, mono=False)  # raises librosa's message
    if (ref is np.max or ref is np.amax) and (aggregate is np.max or aggregate is np.amax):
        # amplitude_to_db(rms, ref=np.max) > -top_db, compared as energies: max(amin**2, e) >
        # max(amin**2, max(e)) * 10**(-top_db / 10) (the same test, without a logarithm per frame)
        e = _frame_energy(y, frame_length, hop_length)
        if e.ndim > 1:
            e = e.max(axis=tuple(range(e.ndim - 1)))
        peak = float(e.max())
        if not math.isfinite(peak):
            _util.valid_audio(y, mono=False)  # a NaN or inf sample: librosa's ParameterError
        floor = 1e-10  # amin=1e-5, squared
        threshold = max(floor, peak) * 10.0 ** (-float(top_db) / 10.0)
        if floor > threshold:
            return np.ones(e.shape, bool)
        return e > threshold
    _util.valid_audio(y, mono=False)
    mse = rms(y=y, frame_length=frame_length, hop_length=hop_length)
    db = amplitude_to_db(mse[..., 0, :], ref=ref, top_db=None)
    if db.ndim > 1:
        db = aggregate(db, axis=tuple(range(db.ndim - 1)))
    return db > -top_db


def trim(y, *, top_db=60, ref=np.max, frame_length=2048, hop_length=512, aggregate=np.max):
    """librosa.effects.trim: ``y`` without the leading and trailing frames whose RMS is more than ``top_db``
    below ``ref`` (an amplitude, or a callable of the frames' RMS: ``np.max`` by default), and
    ``[start, end]`` in samples. Frames are centred (``frame_length``, ``hop_length``); channels are
    combined by ``aggregate``. All silent: an empty ``y`` and ``[0, 0]``."""
    non_silent = _signal_to_frame_nonsilent(y, frame_length, hop_length, top_db, ref, aggregate)
    nonzero = np.flatnonzero(non_silent)
    y = np.asarray(y)
    if nonzero.size > 0:
        start = int(nonzero[0]) * hop_length  # frames_to_samples
        end = min(y.shape[-1], (int(nonzero[-1]) + 1) * hop_length)
    else:
        start, end = 0, 0
    return y[..., start:end], np.asarray([start, end])


def split(y, *, top_db=60, ref=np.max, frame_length=2048, hop_length=512, aggregate=np.max):
    """librosa.effects.split: the non-silent intervals ``[[start, end], ...]`` (samples, end exclusive) of ``y``,
    by the rule of :func:`trim`."""
    non_silent = _signal_to_frame_nonsilent(y, frame_length, hop_length, top_db, ref, aggregate)
    edges = np.flatnonzero(np.diff(non_silent.astype(int)))
    edges = [edges + 1]
    if non_silent[0]:
        edges.insert(0, [0])
    if non_silent[-1]:
        edges.append([len(non_silent)])
    edges = frames_to_samples(np.concatenate(edges), hop_length=hop_length)
    edges = np.minimum(edges, np.asarray(y).shape[-1])
    return edges.reshape((-1, 2))


__getattr__ = _missing.module_getattr(__name__, __all__)
