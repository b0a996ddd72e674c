"""librosa 0.10's signatures and semantics for the functions melnorm offers under librosa's names.

The numbers come from melnorm's C++ core (STFT, mel filterbank, mel spectrogram, dB, PCEN, decoding and
resampling); NumPy does the glue librosa does with NumPy/SciPy: N-D reshaping, ``np.einsum`` of a
filterbank with a given spectrogram, the max filter of PCEN, the DCT of ``mfcc`` and the Savitzky-Golay
filter of ``delta``. Bad arguments raise :class:`melnorm.ParameterError` (a ``ValueError``) where librosa
raises its ``ParameterError``, naming the value and what is allowed.

Exported from ``melnorm`` itself and, in librosa's module layout, from :mod:`melnorm.compat.librosa`.
"""
import math
import numbers
import os
import warnings

import numpy as np

from . import _melnorm

ParameterError = _melnorm.ParameterError

__all__ = ["ParameterError", "load", "stft", "melspectrogram", "mel", "power_to_db", "amplitude_to_db",
           "db_to_power", "db_to_amplitude", "pcen", "mfcc", "delta"]

# np.pad modes librosa.stft refuses for its centre padding (librosa 0.10).
_STFT_REFUSED_PAD = ("wrap", "maximum", "mean", "median", "minimum")
_NP_PAD_MODES = ("constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum", "reflect", "symmetric",
                 "wrap", "empty")
# librosa.feature.melspectrogram's own keywords, and those it passes to filters.mel.
_STFT_KEYS = ("n_fft", "hop_length", "win_length", "window", "center", "pad_mode", "power")
_MEL_KEYS = ("n_mels", "fmin", "fmax", "htk", "norm", "dtype")


def _is_positive_int(x):
    return isinstance(x, (numbers.Integral, np.integer)) and not isinstance(x, bool) and x > 0


def _array(x, name):
    """NumPy view of an array-like or a CPU torch tensor without grad (as melnorm's other front ends)."""
    from . import _to_numpy
    return np.asarray(_to_numpy(x, name)[0])


def _real_audio(y, name="y"):
    y = _array(y, name)
    if not np.issubdtype(y.dtype, np.floating):
        raise ParameterError(f"{name} has dtype {y.dtype}; audio data must be floating-point (librosa.util.valid_audio)")
    if y.ndim == 0:
        raise ParameterError(f"{name} must have a samples axis [..., n], got a 0-D array")
    return y


# --- load -------------------------------------------------------------------------------------------------

def load(path, *, sr=22050, mono=True, offset=0.0, duration=None, dtype=np.float32, res_type="soxr_hq"):
    """librosa.load: decode (WAV, FLAC, OGG/Vorbis, MP3, ... via libsndfile), mix to mono, resample.

    ``sr=22050`` by default, as librosa (``sr=None`` keeps the file's rate); ``offset``/``duration`` in
    seconds are seeked, not decoded, where the format allows (``int(offset * sr_native)`` frames are
    skipped and ``int(duration * sr_native)`` read, as librosa; a window past the end gives an empty
    array). ``path`` may be a file-like object (read whole). Resampling is libsoxr's high quality, librosa's
    default ``res_type="soxr_hq"``, in the core; librosa's other ``res_type`` values resample the decoded audio
    with :func:`melnorm.compat.librosa.resample` (the other soxr qualities, ``fft``, ``polyphase``; resampy's
    and libsamplerate's names map to a soxr quality with a warning saying so).
    Returns ``(y, sr)``: ``y`` ``[n]`` or ``[channels, n]`` (``mono=False``) in ``dtype``.

    >>> y, sr = melnorm.load("data/samples/7/7_lucas_12.wav", sr=None, offset=0.1, duration=0.2)  # doctest: +SKIP
    """
    other_resampler = res_type not in ("soxr_hq", None)
    if other_resampler:  # decoded at the file's rate, then librosa.resample's engine for res_type
        from .compat.librosa import _resample
        if res_type not in _resample.ALLOWED:
            raise ParameterError(f"res_type={res_type!r} is not supported; allowed: {', '.join(_resample.ALLOWED)} "
                                 f"(librosa's default, 'soxr_hq', is melnorm's own)")
    if sr is not None:
        if isinstance(sr, bool) or not isinstance(sr, numbers.Real) or sr <= 0 or float(sr) != int(sr):
            raise ParameterError(f"sr={sr!r} must be a positive integer rate in Hz or None (the file's rate)")
        sr = int(sr)
    offset = 0.0 if offset is None else float(offset)
    duration = None if duration is None else float(duration)
    target_sr = sr
    if other_resampler:
        sr = None
    if hasattr(path, "read") and not isinstance(path, (str, bytes, os.PathLike)):
        import tempfile
        data = path.read()
        suffix = os.path.splitext(str(getattr(path, "name", "")))[1]
        with tempfile.NamedTemporaryFile(suffix=suffix) as f:
            f.write(data)
            f.flush()
            y, rate = _melnorm.load_window(f.name, sr, bool(mono), offset, duration)
    else:
        y, rate = _melnorm.load_window(os.fspath(path), sr, bool(mono), offset, duration)
    if other_resampler and target_sr is not None and target_sr != rate:
        from .compat.librosa.core import resample
        y = resample(np.asarray(y, dtype=np.float32), orig_sr=rate, target_sr=target_sr, res_type=res_type)
        rate = target_sr
    return y.astype(dtype, copy=False), rate


# --- stft ---------------------------------------------------------------------------------------------------

def _stft_frames(y, n_fft, hop_length, win_length, window, center, pad_mode):
    """Complex128 [..., 1 + n_fft/2, frames] from the core; y real [..., n]."""
    if not _is_positive_int(n_fft):
        raise ParameterError(f"n_fft={n_fft!r} must be a positive integer")
    if win_length is None:
        win_length = n_fft
    if not _is_positive_int(win_length) or win_length > n_fft:
        raise ParameterError(f"win_length={win_length!r} must be a positive integer <= n_fft={n_fft}")
    if hop_length is None:
        hop_length = int(win_length // 4)
    if not _is_positive_int(hop_length):
        raise ParameterError(f"hop_length={hop_length!r} must be a positive integer")
    if not isinstance(window, str):
        raise ParameterError(f"window={window!r}: melnorm takes a window by name: 'hann', 'hamming', 'blackman' "
                             f"or 'boxcar' (arrays, tuples and callables are not supported)")
    window = {"boxcar": "rect", "ones": "rect", "rectangular": "rect", "hanning": "hann"}.get(window, window)
    if not np.all(np.isfinite(y)):
        raise ParameterError("Audio buffer is not finite everywhere")
    n = y.shape[-1]
    if center:
        if pad_mode in _STFT_REFUSED_PAD:
            raise ParameterError(f"pad_mode='{pad_mode}' is not supported; allowed: constant, edge, linear_ramp, "
                                 f"reflect, symmetric, empty (librosa refuses wrap, maximum, mean, median, minimum)")
        if pad_mode not in _NP_PAD_MODES:
            raise ParameterError(f"pad_mode={pad_mode!r} is not a numpy.pad mode; allowed: constant, edge, "
                                 f"linear_ramp, reflect, symmetric, empty")
        if n_fft > n:
            warnings.warn(f"n_fft={n_fft} is too large for input signal of length={n}", UserWarning, stacklevel=3)
        if pad_mode not in ("constant", "reflect"):  # the core pads with these two; numpy.pad does the others
            pad = [(0, 0)] * (y.ndim - 1) + [(n_fft // 2, n_fft // 2)]
            y = np.pad(y, pad, mode="constant" if pad_mode == "empty" else pad_mode)
            center, pad_mode = False, "constant"
    elif n_fft > n:
        raise ParameterError(f"n_fft={n_fft} is too large for uncentered analysis of input signal of length={n}")
    lead = y.shape[:-1]
    D = _melnorm.stft(np.ascontiguousarray(y.reshape(-1, y.shape[-1]), dtype=np.float64), int(n_fft),
                      int(hop_length), int(win_length), window, bool(center), pad_mode)
    return D.reshape(lead + D.shape[1:])


def stft(y, *, n_fft=2048, hop_length=None, win_length=None, window="hann", center=True, dtype=None,
         pad_mode="constant", out=None):
    """librosa.stft: complex ``[..., 1 + n_fft/2, frames]`` of real ``y`` ``[..., n]``.

    ``hop_length`` defaults to ``win_length // 4``, ``win_length`` to ``n_fft``; ``window`` by name
    (``"hann"``, ``"hamming"``, ``"blackman"``, ``"boxcar"``); ``pad_mode`` any ``numpy.pad`` mode librosa
    allows. ``dtype`` defaults to complex64 for float32 input, complex128 for float64, as librosa. The FFT
    runs in double precision in melnorm's core. ``np.abs(melnorm.stft(y))`` is the magnitude.

    >>> np.abs(melnorm.stft(np.ones(4096, np.float32), n_fft=512)).shape
    (257, 33)
    """
    y = _real_audio(y)
    D = _stft_frames(y, n_fft, hop_length, win_length, window, center, pad_mode)
    if dtype is None:
        dtype = np.complex64 if y.dtype.itemsize <= 4 else np.complex128
    if out is not None:
        if out.shape != D.shape:
            raise ParameterError(f"Shape mismatch for provided output array out.shape={out.shape} and "
                                 f"stft_matrix.shape={D.shape}")
        out[...] = D
        return out
    return D.astype(dtype)


# --- filters.mel ----------------------------------------------------------------------------------------------

def _normalize_rows(S, norm):
    """librosa.util.normalize(S, norm=norm, axis=-1) with its default fill=None (threshold tiny(S))."""
    mag = np.abs(S).astype(float)
    if norm == np.inf:
        length = np.max(mag, axis=-1, keepdims=True)
    elif norm == -np.inf:
        length = np.min(mag, axis=-1, keepdims=True)
    elif norm == 0:
        length = np.sum(mag > 0, axis=-1, keepdims=True, dtype=mag.dtype)
    elif isinstance(norm, (numbers.Real, np.number)) and not isinstance(norm, bool) and norm > 0:
        length = np.sum(mag ** norm, axis=-1, keepdims=True) ** (1.0 / norm)
    else:
        raise ParameterError(f"Unsupported norm: {norm!r}; allowed: 'slaney', None, or a number (np.inf, -np.inf, "
                             f"0, or > 0) for librosa.util.normalize")
    length[length < np.finfo(S.dtype).tiny] = 1.0
    out = np.empty_like(S)
    out[:] = S / length
    return out


def mel(*, sr, n_fft, n_mels=128, fmin=0.0, fmax=None, htk=False, norm="slaney", dtype=np.float32):
    """librosa.filters.mel: the mel filterbank ``[n_mels, 1 + n_fft/2]``.

    ``norm``: ``"slaney"`` (area normalization), ``None`` (peak 1) or a number (each filter divided by its
    Lp norm, as ``librosa.util.normalize``). Built by melnorm's core (the filterbank melnorm applies);
    ``fmax`` above ``sr/2`` is refused (librosa makes empty filters there).

    >>> melnorm.filters_mel(sr=16000, n_fft=512, n_mels=40).shape
    (40, 257)
    """
    if isinstance(norm, str):
        if norm != "slaney":
            raise ParameterError(f"Unsupported norm={norm}; allowed: 'slaney', None or a number")
        core_norm = "slaney"
    elif norm is None:
        core_norm = "none"
    else:
        core_norm = "none"
        _normalize_rows(np.ones((1, 1), np.float32), norm)  # refuses a bad number before any work
    if not _is_positive_int(n_fft):
        raise ParameterError(f"n_fft={n_fft!r} must be a positive integer")
    if isinstance(n_mels, bool) or int(n_mels) != n_mels:
        raise ParameterError(f"n_mels={n_mels!r} must be a positive integer")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        weights = _melnorm.mel_filters(float(sr), int(n_fft), int(n_mels), float(fmin),
                                       None if fmax is None else float(fmax), "htk" if htk else "slaney", core_norm)
    for w in caught:  # librosa's wording first (its tests match on it), then the core's detail
        text = str(w.message)
        if "empty filters" in text:
            text = ("Empty filters detected in mel frequency basis. Some channels will produce empty responses. "
                    "Try increasing your sampling rate (and fmax) or reducing n_mels. (" + text + ")")
        warnings.warn(text, w.category, stacklevel=2)
    if core_norm == "none" and norm is not None:
        weights = _normalize_rows(weights, norm)
    return weights.astype(dtype, copy=False)


# --- melspectrogram ---------------------------------------------------------------------------------------------

def melspectrogram(y=None, sr=22050, *, S=None, n_threads=1, **options):
    """librosa.feature.melspectrogram, with melnorm's options on top.

    From a waveform ``y`` ``[..., n]`` (any rank: every leading axis is a batch, computed on ``n_threads``
    threads) or from a spectrogram ``S`` ``[..., 1 + n_fft/2, frames]`` (``|stft|**power``, as librosa:
    ``n_fft`` is inferred from it and only the filterbank's keywords apply). Keywords are librosa's
    (``n_fft``, ``hop_length``, ``win_length``, ``window``, ``center``, ``pad_mode``, ``power``, ``n_mels``,
    ``fmin``, ``fmax``, ``htk``, ``norm``) and melnorm's feature options (:func:`melnorm.options`: ``preset``,
    ``db``, ``normalize``...), all parsed by the library's one option schema. librosa values the feature
    pipeline has no spelling for (``power`` other than 1 or 2, a numeric ``norm``, ``numpy.pad`` modes other
    than constant/reflect) are computed as librosa does: ``np.abs(stft)**power`` through :func:`mel`.
    Returns float32 ``[..., n_mels, frames]``.

    >>> melnorm.melspectrogram(y=np.zeros(16000, np.float32), sr=16000, n_mels=40).shape
    (40, 32)
    """
    from . import MelSpectrogram
    out_dtype = None
    if "dtype" in options and not isinstance(options["dtype"], str):  # filters.mel's dtype (np.float32...)
        out_dtype = np.dtype(options.pop("dtype"))
    if S is not None:
        if y is not None:
            raise ParameterError("give y (a waveform) or S (a spectrogram), not both")
        S = _array(S, "S")
        if S.ndim < 2:
            raise ParameterError(f"S must be a spectrogram [..., 1 + n_fft/2, frames], got a {S.ndim}-D array")
        other = sorted(set(options) - set(_STFT_KEYS) - set(_MEL_KEYS))
        if other:
            raise TypeError(f"melspectrogram(S=...) takes the filterbank's keywords ({', '.join(_MEL_KEYS)}) and "
                            f"ignores the STFT's, as librosa; {', '.join(other)} only apply to a waveform y")
        mel_kw = {k: options[k] for k in _MEL_KEYS if k in options}
        basis = mel(sr=sr, n_fft=2 * (S.shape[-2] - 1), **mel_kw)
        out = np.einsum("...ft,mf->...mt", S, basis, optimize=True)
        return out.astype(out_dtype or np.float32, copy=False)
    if y is None:
        raise ParameterError("melspectrogram needs y (a waveform) or S (a spectrogram)")
    if "hop_length" in options and options["hop_length"] is None and "preset" not in options:
        # librosa's stft default: a quarter of the window
        options["hop_length"] = int((options.get("win_length") or options.get("n_fft", 2048)) // 4)
    from . import _to_numpy
    y_arr, torch = _to_numpy(y)
    y_arr = np.asarray(y_arr)
    if y_arr.ndim == 0:
        raise ParameterError("y must have a samples axis [..., n], got a 0-D array")
    power = options.get("power", 2.0)
    norm = options.get("norm", "slaney")
    pad_mode = options.get("pad_mode", "constant")
    librosa_only = (not isinstance(power, str) and power not in (1, 2)) or \
        (norm is not None and not isinstance(norm, str)) or (isinstance(pad_mode, str) and pad_mode not in ("constant", "reflect"))
    if librosa_only:
        other = sorted(set(options) - set(_STFT_KEYS) - set(_MEL_KEYS))
        if other:
            raise ParameterError(f"power={power!r}, norm={norm!r}, pad_mode={pad_mode!r} are librosa values the "
                                 f"feature pipeline has no spelling for; they cannot be combined with {', '.join(other)}")
        y_arr = _real_audio(y_arr)
        if power is None or float(power) <= 0:
            raise ParameterError(f"power={power!r} must be > 0")
        D = _stft_frames(y_arr, options.get("n_fft", 2048), options.get("hop_length", 512), options.get("win_length"),
                         options.get("window", "hann"), options.get("center", True), pad_mode)
        P = (np.abs(D) ** float(power)).astype(np.float32)
        basis = mel(sr=sr, n_fft=options.get("n_fft", 2048), **{k: options[k] for k in _MEL_KEYS if k in options})
        out = np.einsum("...ft,mf->...mt", P, basis, optimize=True).astype(out_dtype or np.float32, copy=False)
        return torch.from_numpy(out) if torch is not None else out
    lead = y_arr.shape[:-1]
    out = MelSpectrogram(sr, n_threads=n_threads, **options)(y_arr.reshape(-1, y_arr.shape[-1]))
    out = out.reshape(lead + out.shape[1:])
    if out_dtype is not None:
        out = out.astype(out_dtype, copy=False)
    return torch.from_numpy(out) if torch is not None else out


# --- dB ---------------------------------------------------------------------------------------------------------

def _magnitude(S, what, suggestion):
    S = _array(S, "S")
    if np.iscomplexobj(S):
        warnings.warn(f"{what} was called on complex input so phase information will be discarded. To suppress "
                      f"this warning, call {suggestion} instead.", UserWarning, stacklevel=3)
        return np.abs(S)
    return S


def _ref_value(magnitude, ref):
    if ref is np.max or ref is np.amax:
        return "max"  # the core takes the maximum itself
    if isinstance(ref, str):
        return ref  # "max" or "p99.5": checked by the core
    if callable(ref):
        return float(ref(magnitude))
    return float(abs(ref))


def _check_db(amin, top_db):
    if not amin > 0:
        raise ParameterError(f"amin={amin!r} must be strictly positive")
    if top_db is not None and not top_db >= 0:
        raise ParameterError(f"top_db={top_db!r} must be non-negative")


def power_to_db(S, *, ref=1.0, amin=1e-10, top_db=80.0, floor="absolute"):
    """librosa.power_to_db: ``10 log10(max(amin, S)) - 10 log10(max(amin, ref))``,
    floored at ``max - top_db`` over the whole array (``top_db=None``: no floor). ``ref`` is a
    number, ``np.max`` (or ``"max"``), ``"p99.5"`` (the 99.5th percentile of
    S: one click cannot set the 0 dB level) or a callable. Complex ``S``: its magnitude, with librosa's
    ``UserWarning``. ``floor="relative"`` floors at ``amin * ref`` instead of ``amin``: with ``ref=np.max``
    or a percentile the result does not change when S is scaled (a gain-invariant log-mel).
    ``floor="noise"`` (per band: the mean of the clip's quietest 20 % of frames) or
    ``"noise_percentile"`` (the 20th percentile of all values) follows the clip's own noise, never
    below the relative floor; they take one spectrogram ``[n_mels, frames]`` (or 1-D). Any shape
    otherwise; returns float32.

    >>> melnorm.power_to_db(np.array([1.0, 10.0, 100.0]), top_db=None)
    array([ 0., 10., 20.], dtype=float32)
    """
    _check_db(amin, top_db)
    M = _magnitude(S, "power_to_db", "power_to_db(np.abs(D)**2)")
    return _melnorm.db(M, False, _ref_value(M, ref), float(amin), top_db, floor)


def amplitude_to_db(S, *, ref=1.0, amin=1e-5, top_db=80.0, floor="absolute"):
    """librosa.amplitude_to_db: ``power_to_db(|S|**2, ref=ref**2, amin=amin**2)``. Returns float32.

    >>> melnorm.amplitude_to_db(np.array([1.0, 10.0]), top_db=None)
    array([ 0., 20.], dtype=float32)
    """
    _check_db(amin, top_db)
    M = _magnitude(S, "amplitude_to_db", "amplitude_to_db(np.abs(S))")
    return _melnorm.db(M, True, _ref_value(np.abs(M), ref), float(amin), top_db, floor)


def db_to_power(S_db, *, ref=1.0):
    """librosa.db_to_power: ``ref * 10**(S_db / 10)``, in S_db's dtype.

    >>> melnorm.db_to_power(np.array([0.0, 10.0]))
    array([ 1., 10.])
    """
    S_db = _array(S_db, "S_db")
    return ref * np.power(10.0, 0.1 * S_db)


def db_to_amplitude(S_db, *, ref=1.0):
    """librosa.db_to_amplitude: ``db_to_power(S_db, ref=ref**2) ** 0.5``.

    >>> melnorm.db_to_amplitude(np.array([0.0, 20.0]))
    array([ 1., 10.])
    """
    return db_to_power(S_db, ref=ref ** 2) ** 0.5


# --- pcen ---------------------------------------------------------------------------------------------------------

def _maximum_filter1d(S, size, axis):
    """scipy.ndimage.maximum_filter1d(S, size, axis=axis) with its default mode='reflect' (half-sample
    symmetric: numpy.pad's 'symmetric') and origin 0: the window [i - size//2, i - size//2 + size - 1]."""
    left = size // 2
    pad = [(0, 0)] * S.ndim
    pad[axis] = (left, size - 1 - left)
    padded = np.pad(S, pad, mode="symmetric")
    return np.lib.stride_tricks.sliding_window_view(padded, size, axis=axis).max(axis=-1)


def pcen(S, *, sr=22050, hop_length=512, gain=0.98, bias=2.0, power=0.5, time_constant=0.4, eps=1e-6, b=None,
         max_size=1, ref=None, axis=-1, max_axis=None, zi=None, return_zf=False):
    """librosa.pcen: per-channel energy normalization of a magnitude spectrogram, along ``axis`` (time).

    Every keyword of librosa 0.10: ``b`` (the smoothing coefficient, instead of ``time_constant``),
    ``power=0`` (log compression ``log1p(S * smooth)``), ``max_size > 1`` (the smoothing runs on a
    max-filtered copy along ``max_axis``, frequency by default for 2-D input), ``ref`` (a given smoothing
    input), N-D and 1-D ``S``, ``zi``/``return_zf`` (the filter state, shaped as librosa's: ``S``'s shape
    with ``axis`` of length 1; processing in chunks equals one call). The filter runs in melnorm's core.
    Returns float32.

    >>> M = np.ones((2, 4), np.float32)
    >>> out, zf = melnorm.pcen(M, return_zf=True)
    >>> out.shape, zf.shape
    ((2, 4), (2, 1))
    """
    if power < 0:
        raise ParameterError(f"power={power} must be nonnegative")
    if gain < 0:
        raise ParameterError(f"gain={gain} must be non-negative")
    if bias < 0:
        raise ParameterError(f"bias={bias} must be non-negative")
    if eps <= 0:
        raise ParameterError(f"eps={eps} must be strictly positive")
    if time_constant <= 0:
        raise ParameterError(f"time_constant={time_constant} must be strictly positive")
    if not _is_positive_int(max_size):
        raise ParameterError(f"max_size={max_size} must be a positive integer")
    if b is not None and not 0 <= b <= 1:
        raise ParameterError(f"b={b} must be between 0 and 1")
    if b is None:
        t_frames = time_constant * sr / float(hop_length)
        b_value = (math.sqrt(1 + 4 * t_frames ** 2) - 1) / (2 * t_frames ** 2)
        if not 0 <= b_value <= 1:
            raise ParameterError(f"b={b_value} must be between 0 and 1")
    S = _array(S, "S")
    if np.iscomplexobj(S):
        warnings.warn("pcen was called on complex input so phase information will be discarded. To suppress this "
                      "warning, call pcen(np.abs(D)) instead.", UserWarning, stacklevel=2)
        S = np.abs(S)
    if S.ndim == 0:
        raise ParameterError("S must have a time axis, got a 0-D array")
    axis = int(axis)
    if not -S.ndim <= axis < S.ndim:
        raise ParameterError(f"axis={axis} is out of range for a {S.ndim}-D S")
    if ref is None:
        if max_size == 1:
            ref = None
        elif S.ndim == 1:
            raise ParameterError("Max-filtering cannot be applied to 1-dimensional input")
        else:
            if max_axis is None:
                if S.ndim != 2:
                    raise ParameterError(f"Max-filtering a {S.ndim:d}-dimensional spectrogram requires you to "
                                         f"specify max_axis")
                max_axis = int(np.mod(1 - axis, 2))
            ref = _maximum_filter1d(S, max_size, max_axis)
    else:
        ref = _array(ref, "ref")
        if ref.shape != S.shape:
            raise ParameterError(f"ref.shape={ref.shape} must equal S.shape={S.shape}")
    # [..., T] along axis -> rows [R, T] for the core
    St = np.moveaxis(S, axis, -1)
    rows_shape = St.shape[:-1]
    T = St.shape[-1]
    R = int(np.prod(rows_shape, dtype=np.int64))
    S2 = np.ascontiguousarray(St.reshape(R, T), dtype=np.float32)
    ref2 = None if ref is None else np.ascontiguousarray(np.moveaxis(ref, axis, -1).reshape(R, T), dtype=np.float32)
    zi_rows = None
    state_shape = list(S.shape)
    state_shape[axis] = 1
    if zi is not None:
        zi = np.asarray(zi, dtype=np.float64)
        if zi.ndim == 1 and S.ndim == 2 and axis in (-1, 1) and zi.shape[0] == S.shape[0] and S.shape[0] != 1:
            zi = zi.reshape(-1, 1)  # melnorm's earlier per-band list
        try:
            zi_full = np.broadcast_to(zi, state_shape)
        except ValueError:
            raise ParameterError(f"zi.shape={zi.shape} does not broadcast to {tuple(state_shape)} (S's shape with "
                                 f"axis {axis} of length 1)") from None
        zi_rows = [float(v) for v in np.moveaxis(zi_full, axis, -1).reshape(R)]
    out, zf = _melnorm.pcen_ref(S2, ref2, float(sr), int(hop_length), float(gain), float(bias), float(power),
                                float(time_constant), float(eps), None if b is None else float(b), zi_rows)
    out = np.moveaxis(out.reshape(St.shape), -1, axis)
    if return_zf:
        zf = np.moveaxis(np.asarray(zf, dtype=np.float64).reshape(rows_shape + (1,)), -1, axis)
        return out, zf
    return out


# --- mfcc -------------------------------------------------------------------------------------------------------------

def _dct_matrix(N, dct_type, norm):
    """The matrix of scipy.fftpack.dct(x, type=dct_type, norm=norm) along an axis of length N."""
    n = np.arange(N)
    k = n[:, None]
    if dct_type == 2:
        C = 2.0 * np.cos(np.pi * k * (2 * n + 1) / (2.0 * N))
        if norm == "ortho":
            C[0] *= math.sqrt(1.0 / (4 * N))
            C[1:] *= math.sqrt(1.0 / (2 * N))
    elif dct_type == 3:
        C = 2.0 * np.cos(np.pi * n * (2 * k + 1) / (2.0 * N))
        C[:, 0] = 1.0
        if norm == "ortho":
            C[:, 0] = 1.0 / math.sqrt(N)
            C[:, 1:] *= 1.0 / math.sqrt(2.0 * N)
    elif dct_type == 4:
        C = 2.0 * np.cos(np.pi * (2 * n + 1) * (2 * k + 1) / (4.0 * N))
        if norm == "ortho":
            C *= math.sqrt(1.0 / (2 * N))
    elif dct_type == 1:
        if N < 2:
            raise ParameterError(f"dct_type=1 needs at least 2 mel bands, got {N}")
        C = 2.0 * np.cos(np.pi * k * n / (N - 1.0))
        if norm == "ortho":
            w = np.ones(N)
            w[0] = w[-1] = 1 / math.sqrt(2)
            C = math.sqrt(2.0 / (N - 1)) * np.cos(np.pi * k * n / (N - 1.0)) * w[None, :] * w[:, None]
        else:
            C[:, 0] = 1.0
            C[:, -1] = (-1.0) ** np.arange(N)
    else:
        raise ParameterError(f"dct_type={dct_type!r} is not supported; allowed: 1, 2, 3, 4")
    return C


def mfcc(y=None, sr=22050, *, S=None, n_mfcc=20, dct_type=2, norm="ortho", lifter=0, **kwargs):
    """librosa.feature.mfcc: ``dct(S, axis=-2, type=dct_type, norm=norm)[..., :n_mfcc, :]`` of the log-power mel
    spectrogram ``S`` (default: ``power_to_db(melspectrogram(y=y, sr=sr, **kwargs))``), with librosa's
    sinusoidal ``lifter``. Any leading axes. Returns float32.

    >>> melnorm.mfcc(y=np.random.default_rng(0).standard_normal(8000).astype(np.float32), sr=8000, n_mfcc=13).shape
    (13, 16)
    """
    if norm not in (None, "ortho"):
        raise ParameterError(f"norm={norm!r} is not supported; allowed: None, 'ortho'")
    if not lifter >= 0:
        raise ParameterError(f"MFCC lifter={lifter} must be a non-negative number")
    if not _is_positive_int(n_mfcc):
        raise ParameterError(f"n_mfcc={n_mfcc!r} must be a positive integer")
    if S is None:
        S = power_to_db(melspectrogram(y=y, sr=sr, **kwargs))
    else:
        S = _array(S, "S")
        if S.ndim < 2:
            raise ParameterError(f"S must be a log-power mel spectrogram [..., n_mels, frames], got a {S.ndim}-D array")
    C = _dct_matrix(S.shape[-2], dct_type, norm)[:n_mfcc]
    M = np.einsum("kf,...ft->...kt", C, S.astype(np.float64, copy=False))
    if lifter > 0:
        LI = np.sin(np.pi * np.arange(1, 1 + M.shape[-2], dtype=np.float64) / lifter)
        M *= (1 + (lifter / 2) * LI)[:, None]
    return M.astype(np.float32 if S.dtype.itemsize <= 4 else S.dtype, copy=False)


# --- delta --------------------------------------------------------------------------------------------------------------

def _savgol_edges(x, W, polyorder, deriv, delta, axis, y):
    """scipy.signal.savgol_filter's mode='interp' edges: a polynomial fitted to the first and last W samples,
    its deriv-th derivative evaluated at the first and last W//2 positions."""
    h = W // 2
    j = np.arange(W, dtype=float)
    V = j[:, None] ** np.arange(polyorder + 1)[None, :]  # [W, P+1]
    fit = np.linalg.pinv(V)  # [P+1, W]: polynomial coefficients from a window
    p = np.arange(polyorder + 1)
    fall = np.array([math.prod(range(q - deriv + 1, q + 1)) if q >= deriv else 0 for q in p], dtype=float)

    def at(positions):
        pos = np.asarray(positions, dtype=float)[:, None]
        return (fall[None, :] * np.where(p >= deriv, pos ** np.maximum(p - deriv, 0), 0.0)) @ fit / delta ** deriv

    xs = np.moveaxis(x, axis, -1)
    ys = np.moveaxis(y, axis, -1)
    n = xs.shape[-1]
    ys[..., :h] = xs[..., :W] @ at(range(h)).T
    ys[..., n - h:] = xs[..., n - W:] @ at(range(W - h, W)).T


def delta(data, *, width=9, order=1, axis=-1, mode="interp", **kwargs):
    """librosa.feature.delta: the order-th derivative along ``axis`` by a Savitzky-Golay filter of ``width``
    (odd, >= 3), ``scipy.signal.savgol_filter(data, width, deriv=order, axis=axis, mode=mode, polyorder=order)``;
    ``mode``: ``"interp"`` (polynomial fit at the edges; needs ``width <= data.shape[axis]``), ``"nearest"``,
    ``"mirror"``, ``"constant"`` (``cval=``), ``"wrap"``. Returns data's float dtype.

    >>> melnorm.delta(np.arange(10.0)[None, :], width=3)
    array([[1., 1., 1., 1., 1., 1., 1., 1., 1., 1.]])
    """
    data = np.atleast_1d(_array(data, "data"))
    axis = int(axis)
    if not -data.ndim <= axis < data.ndim:
        raise ParameterError(f"axis={axis} is out of range for {data.ndim}-D data")
    if mode == "interp" and width > data.shape[axis]:
        raise ParameterError(f"when mode='interp', width={width} cannot exceed data.shape[axis]={data.shape[axis]}")
    if not isinstance(width, (numbers.Integral, np.integer)) or width < 3 or np.mod(width, 2) != 1:
        raise ParameterError(f"width={width!r} must be an odd integer >= 3")
    if not isinstance(order, (int, np.integer)) or isinstance(order, bool) or order <= 0:
        raise ParameterError(f"order={order!r} must be a positive integer")
    kwargs.pop("deriv", None)
    polyorder = kwargs.pop("polyorder", order)
    delta_x = float(kwargs.pop("delta", 1.0))
    cval = float(kwargs.pop("cval", 0.0))
    if kwargs:
        raise TypeError(f"delta() got unexpected keyword arguments: {', '.join(sorted(kwargs))}")
    if mode not in ("mirror", "constant", "nearest", "wrap", "interp"):
        raise ParameterError(f"mode={mode!r} is not supported; allowed: 'interp', 'mirror', 'constant', 'nearest', 'wrap'")
    if polyorder >= width:
        raise ParameterError(f"polyorder={polyorder} must be less than width={width}")
    x = data if data.dtype in (np.float32, np.float64) else data.astype(np.float64)
    h = width // 2
    j = np.arange(-h, h + 1, dtype=float)
    A = j[None, :] ** np.arange(polyorder + 1)[:, None]  # [P+1, W]
    rhs = np.zeros(polyorder + 1)
    if order <= polyorder:
        rhs[order] = math.factorial(order) / delta_x ** order
    coeffs = np.linalg.lstsq(A, rhs, rcond=None)[0]  # correlation weights over offsets -h..h
    pad = [(0, 0)] * x.ndim
    pad[axis] = (h, h)
    np_mode = {"mirror": "reflect", "nearest": "edge", "wrap": "wrap", "constant": "constant", "interp": "constant"}[mode]
    xf = x.astype(np.float64)
    padded = np.pad(xf, pad, mode=np_mode, **({"constant_values": cval if mode == "constant" else 0.0}
                                             if np_mode == "constant" else {}))
    n = x.shape[axis]
    out = np.zeros_like(xf)
    for i, c in enumerate(coeffs):
        out += c * np.take(padded, np.arange(i, i + n), axis=axis)
    if mode == "interp":
        _savgol_edges(xf, width, polyorder, order, delta_x, axis, out)
    return out.astype(x.dtype, copy=False)
