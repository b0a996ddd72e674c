"""librosa.feature on melnorm: melspectrogram, mfcc and delta (melnorm's core), rms, zero_crossing_rate and
spectral_centroid (librosa's formulas; the STFT of spectral_centroid in melnorm's core)."""
import math

import numpy as np

from ..._librosa import ParameterError, delta, melspectrogram, mfcc, stft  # noqa: F401
from . import _missing
from . import util as _util

__all__ = ["melspectrogram", "mfcc", "delta", "rms", "zero_crossing_rate", "spectral_centroid"]


def _pad_last(y, left, right, mode):
    pad = [(0, 0)] * (y.ndim - 1) + [(left, right)]
    return np.pad(y, pad, mode=mode)


def _frame_energy(y, frame_length, hop_length, center=True, pad_mode="constant"):
    """mean(|frame|**2) of every frame of y [..., n] as [..., frames] (float64): what librosa gets from
    util.frame and a mean, from sums of squares over blocks of gcd(frame_length, hop_length) samples (each
    sample squared once, no frame copied); centre padding with zeros is whole blocks of zeros."""
    for name, v in (("frame_length", frame_length), ("hop_length", hop_length)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ParameterError(f"{name}={v!r} must be a positive integer")
    frame_length, hop_length = int(frame_length), int(hop_length)
    g = math.gcd(frame_length, hop_length)
    half = frame_length // 2
    pre = 0
    if center:
        if pad_mode == "constant" and half % g == 0:
            pre = half // g
        else:
            y = _pad_last(y, half, half, pad_mode)
    n_y = y.shape[-1]
    n = n_y + 2 * pre * g
    if n < frame_length:
        raise ParameterError(f"Input is too short (n={n:d}) for frame_length={frame_length:d}")
    n_frames = 1 + (n - frame_length) // hop_length
    total = ((n_frames - 1) * hop_length + frame_length) // g  # blocks the frames cover, padding included
    nb = min(-(-n_y // g), total - pre)  # blocks holding samples of y
    nfull = min(n_y // g, nb)
    lead = y.shape[:-1]
    blocks = np.zeros(lead + (total,), np.float64)
    if y.dtype.kind == "c":
        y = np.abs(y)
    if y.size <= 1 << 16 and nb:  # short: the fewest NumPy calls (squares in float64, summed per block)
        x = y[..., :nb * g] if nb * g < n_y else y
        blocks[..., pre:pre + nb] = np.add.reduceat(np.square(x, dtype=np.float64), np.arange(0, nb * g, g), axis=-1)
    else:  # long: float32 dot products per block, no float64 copy of the signal
        if nfull:
            x = y[..., :nfull * g].reshape(lead + (nfull, g))
            blocks[..., pre:pre + nfull] = np.einsum("...i,...i->...", x, x)
        if nb > nfull:
            tail = y[..., nfull * g:nfull * g + g]
            blocks[..., pre + nfull] = np.einsum("...i,...i->...", tail, tail)
    L, H = frame_length // g, hop_length // g
    if L <= 16:
        span = H * (n_frames - 1) + 1
        sums = blocks[..., 0:span:H].copy()
        for j in range(1, L):
            sums += blocks[..., j:j + span:H]
    else:
        c = np.concatenate([np.zeros(lead + (1,)), np.cumsum(blocks, axis=-1)], axis=-1)
        starts = np.arange(n_frames) * H
        sums = c[..., starts + L] - c[..., starts]
    sums /= frame_length
    return sums


def rms(*, y=None, S=None, frame_length=2048, hop_length=512, center=True, pad_mode="constant", dtype=np.float32):
    """librosa.feature.rms: ``sqrt(mean(frame**2))`` per frame of ``y`` (``center`` pads ``frame_length // 2``
    with ``pad_mode``), or from a magnitude spectrogram ``S`` (Parseval: ``sqrt(2 sum |S|**2 / frame_length**2)``
    with the DC and Nyquist bins halved). Returns ``[..., 1, frames]`` in ``dtype``."""
    if y is not None:
        y = np.asarray(y)
        if y.ndim == 0:
            raise ParameterError("y must have a samples axis [..., n], got a 0-D array")
        power = _frame_energy(y, frame_length, hop_length, center, pad_mode)[..., None, :]
    elif S is not None:
        S = np.asarray(S)
        if S.ndim < 2:
            raise ParameterError(f"S must be a spectrogram [..., 1 + n_fft/2, frames], got a {S.ndim}-D array")
        if S.shape[-2] != frame_length // 2 + 1:
            raise ParameterError(f"Since S.shape[-2] is {S.shape[-2]}, frame_length is expected to be "
                                 f"{S.shape[-2] * 2 - 2} or {S.shape[-2] * 2 - 1}; found {frame_length}")
        x = (np.abs(S) ** 2).astype(dtype)
        x[..., 0, :] *= 0.5
        if frame_length % 2 == 0:
            x[..., -1, :] *= 0.5
        power = 2 * np.sum(x, axis=-2, keepdims=True) / frame_length ** 2
    else:
        raise ParameterError("Either `y` or `S` must be input.")
    return np.sqrt(power).astype(dtype, copy=False)


def _zero_crossings(y, *, threshold=1e-10, ref_magnitude=None, pad=True, zero_pos=True, axis=-1):
    """librosa.zero_crossings: a sign change between a sample and the one before (values within threshold of
    0 count as 0; ``zero_pos``: 0 is positive), ``pad`` for the first."""
    if threshold is None:
        threshold = 0.0
    if callable(ref_magnitude):
        threshold = threshold * ref_magnitude(np.abs(y))
    elif ref_magnitude is not None:
        threshold = threshold * ref_magnitude
    if threshold > 0:
        y = y.copy()
        y[np.abs(y) <= threshold] = 0
    y_sign = np.signbit(y) if zero_pos else np.sign(y)
    pre = [slice(None)] * y.ndim
    pre[axis] = slice(1, None)
    post = [slice(None)] * y.ndim
    post[axis] = slice(-1)
    padding = [(0, 0)] * y.ndim
    padding[axis] = (1, 0)
    return np.pad(y_sign[tuple(post)] != y_sign[tuple(pre)], padding, mode="constant", constant_values=pad)


def zero_crossing_rate(y, *, frame_length=2048, hop_length=512, center=True, **kwargs):
    """librosa.feature.zero_crossing_rate: the fraction of each frame's samples where the sign changes
    (``center`` pads ``frame_length // 2`` by repeating the edge samples; ``kwargs``: ``threshold``,
    ``ref_magnitude``, ``zero_pos``, ``pad`` of librosa.zero_crossings). Returns ``[..., 1, frames]``."""
    y = np.asarray(y)
    _util.valid_audio(y, mono=False)
    if center:
        y = _pad_last(y, int(frame_length // 2), int(frame_length // 2), "edge")
    y_framed = _util.frame(y, frame_length=frame_length, hop_length=hop_length)
    kwargs["axis"] = -2
    kwargs.setdefault("pad", False)
    crossings = _zero_crossings(y_framed, **kwargs)
    return np.mean(crossings, axis=-2, keepdims=True)


def spectral_centroid(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, freq=None, win_length=None,
                      window="hann", center=True, pad_mode="constant"):
    """librosa.feature.spectral_centroid: ``sum(freq * S) / sum(S)`` per frame of the magnitude spectrogram ``S``
    (default ``|stft(y)|``, melnorm's STFT), ``freq`` the bin frequencies (``fft_frequencies``) or given per bin.
    Returns ``[..., 1, frames]``."""
    if S is None:
        if y is None:
            raise ParameterError("Input signal must be provided")
        S = np.abs(stft(y, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center,
                        pad_mode=pad_mode))
    else:
        S = np.asarray(S)
        if S.ndim < 2:
            raise ParameterError(f"S must be a spectrogram [..., 1 + n_fft/2, frames], got a {S.ndim}-D array")
        if n_fft // 2 + 1 != S.shape[-2]:
            n_fft = 2 * (S.shape[-2] - 1)
    if not np.isrealobj(S):
        raise ParameterError("Spectral centroid is only defined with real-valued input")
    if np.any(S < 0):
        raise ParameterError("Spectral centroid is only defined with non-negative energies")
    if freq is None:
        freq = np.fft.rfftfreq(n=n_fft, d=1.0 / sr)
    freq = np.asarray(freq)
    if freq.ndim == 1:
        freq = freq.reshape((-1, 1))
    return np.sum(freq * _util.normalize(S, norm=1, axis=-2), axis=-2, keepdims=True)


__getattr__ = _missing.module_getattr(__name__, __all__)
