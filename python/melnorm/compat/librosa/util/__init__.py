"""librosa.util: normalize, fix_length, frame, pad_center (librosa 0.10/1.0's formulas in NumPy) and
ParameterError (librosa.util.exceptions.ParameterError is melnorm.ParameterError, a ValueError)."""
import numbers

import numpy as np

from .. import _missing
from . import exceptions  # noqa: F401
from .exceptions import ParameterError

__all__ = ["ParameterError", "exceptions", "normalize", "fix_length", "frame", "pad_center", "tiny", "valid_audio"]


def tiny(x):
    """librosa.util.tiny: the smallest positive normal number of x's floating dtype (float32 for others)."""
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.complexfloating):
        dtype = x.dtype
    else:
        dtype = np.dtype(np.float32)
    return np.finfo(dtype).tiny


def valid_audio(y, *, mono=False):
    """librosa.util.valid_audio: an ndarray of floats, at least 1-D, finite everywhere (``mono=True``: 1-D)."""
    if not isinstance(y, np.ndarray):
        raise ParameterError("Audio data must be of type numpy.ndarray")
    if not np.issubdtype(y.dtype, np.floating):
        raise ParameterError("Audio data must be floating-point")
    if y.ndim == 0:
        raise ParameterError(f"Audio data must be at least one-dimensional, given y.shape={y.shape}")
    if mono and y.ndim != 1:
        raise ParameterError(f"Invalid shape for monophonic audio: ndim={y.ndim:d}, shape={y.shape}")
    if not np.isfinite(y).all():
        raise ParameterError("Audio buffer is not finite everywhere")
    return True


def normalize(S, *, norm=np.inf, axis=0, threshold=None, fill=None):
    """librosa.util.normalize: S divided by its ``norm`` (``np.inf``: max, ``-np.inf``: min, ``0``: count of
    non-zeros, ``p > 0``: the Lp norm, ``None``: unchanged) along ``axis``; slices whose norm is below
    ``threshold`` (default ``tiny(S)``) are left as they are (``fill=None``), set to 0 (``False``) or filled so
    their norm is 1 (``True``)."""
    S = np.asarray(S)
    if threshold is None:
        threshold = tiny(S)
    elif threshold <= 0:
        raise ParameterError(f"threshold={threshold} must be strictly positive")
    if fill not in [None, False, True]:
        raise ParameterError(f"fill={fill} must be None or boolean")
    if not np.all(np.isfinite(S)):
        raise ParameterError("Input must be finite")
    mag = np.abs(S).astype(float)
    fill_norm = 1
    if norm is None:
        return S
    if isinstance(norm, bool) or not isinstance(norm, (numbers.Real, np.number)):
        raise ParameterError(f"Unsupported norm: {norm!r}")
    if norm == np.inf:
        length = np.max(mag, axis=axis, keepdims=True)
    elif norm == -np.inf:
        length = np.min(mag, axis=axis, keepdims=True)
    elif norm == 0:
        if fill is True:
            raise ParameterError("Cannot normalize with norm=0 and fill=True")
        length = np.sum(mag > 0, axis=axis, keepdims=True, dtype=mag.dtype)
    elif norm > 0:
        length = np.sum(mag ** norm, axis=axis, keepdims=True) ** (1.0 / norm)
        fill_norm = (mag.size if axis is None else mag.shape[axis]) ** (-1.0 / norm)
    else:
        raise ParameterError(f"Unsupported norm: {norm!r}")
    small = length < threshold
    Snorm = np.empty_like(S)
    with np.errstate(invalid="ignore"):
        if fill is None:
            length[small] = 1.0
            Snorm[:] = S / length
        elif fill:
            length[small] = np.nan
            Snorm[:] = S / length
            Snorm[np.isnan(Snorm)] = fill_norm
        else:
            length[small] = np.inf
            Snorm[:] = S / length
    return Snorm


def _check_size(size, name="size"):
    if isinstance(size, bool) or not isinstance(size, (numbers.Integral, np.integer)) or size < 0:
        raise ParameterError(f"{name}={size!r} must be a non-negative integer")
    return int(size)


def fix_length(data, *, size, axis=-1, **kwargs):
    """librosa.util.fix_length: ``data`` cut or padded (``numpy.pad``, ``mode="constant"`` by default) to ``size``
    along ``axis``."""
    size = _check_size(size)
    kwargs.setdefault("mode", "constant")
    data = np.asarray(data)
    n = data.shape[axis]
    if n > size:
        slices = [slice(None)] * data.ndim
        slices[axis] = slice(0, size)
        return data[tuple(slices)]
    if n < size:
        lengths = [(0, 0)] * data.ndim
        lengths[axis] = (0, size - n)
        return np.pad(data, lengths, **kwargs)
    return data


def pad_center(data, *, size, axis=-1, **kwargs):
    """librosa.util.pad_center: ``data`` padded on both sides (the left gets ``(size - n) // 2``) to ``size``."""
    size = _check_size(size)
    kwargs.setdefault("mode", "constant")
    data = np.asarray(data)
    n = data.shape[axis]
    lpad = int((size - n) // 2)
    if lpad < 0:
        raise ParameterError(f"Target size ({size:d}) must be at least input size ({n:d})")
    lengths = [(0, 0)] * data.ndim
    lengths[axis] = (lpad, int(size - n - lpad))
    return np.pad(data, lengths, **kwargs)


def frame(x, *, frame_length, hop_length, axis=-1, writeable=False, subok=False):
    """librosa.util.frame: a strided view of overlapping frames: along ``axis`` of length n, a new frame axis of
    ``frame_length`` before it (``axis=-1``) or after it (``axis=0``) and ``1 + (n - frame_length) // hop_length``
    frames. Read-only unless ``writeable=True`` (then frames share memory, as librosa's)."""
    x = np.array(x, copy=False, subok=subok)
    integer = (numbers.Integral, np.integer)
    if isinstance(frame_length, bool) or not isinstance(frame_length, integer) or frame_length < 1:
        raise ParameterError(f"Invalid frame_length: {frame_length!r}")
    if isinstance(hop_length, bool) or not isinstance(hop_length, (numbers.Integral, np.integer)) or hop_length < 1:
        raise ParameterError(f"Invalid hop_length: {hop_length!r}")
    if x.ndim == 0 or not -x.ndim <= axis < x.ndim:
        raise ParameterError(f"axis={axis} is out of range for a {x.ndim}-D input")
    if x.shape[axis] < frame_length:
        raise ParameterError(f"Input is too short (n={x.shape[axis]:d}) for frame_length={frame_length:d}")
    out_strides = x.strides + (x.strides[axis],)
    shape = list(x.shape)
    shape[axis] -= frame_length - 1
    xw = np.lib.stride_tricks.as_strided(x, strides=out_strides, shape=tuple(shape) + (frame_length,), subok=subok,
                                         writeable=writeable)
    target = axis - 1 if axis < 0 else axis + 1
    xw = np.moveaxis(xw, -1, target)
    slices = [slice(None)] * xw.ndim
    slices[axis] = slice(0, None, hop_length)
    return xw[tuple(slices)]


__getattr__ = _missing.module_getattr(__name__, __all__)
