"""librosa.core on melnorm: load, stft, istft, magphase, resample, the dB conversions (librosa 1.0's ``axes``),
pcen, to_mono, get_duration, get_samplerate and the time/frequency conversions.

Numbers come from melnorm's core where it computes them (load, stft, the dB conversions, pcen), from libsoxr
(resample) and NumPy for librosa's NumPy formulas (istft, magphase, the conversions).
"""
import numbers
import warnings

import numpy as np

from ... import _librosa
from ..._librosa import ParameterError, db_to_amplitude, db_to_power, load, pcen, stft  # noqa: F401
from . import _missing, _resample
from . import util as _util

__all__ = ["load", "stft", "istft", "magphase", "resample", "power_to_db", "amplitude_to_db", "db_to_power",
           "db_to_amplitude", "pcen", "to_mono", "get_duration", "get_samplerate", "frames_to_samples",
           "samples_to_frames", "frames_to_time", "time_to_frames", "samples_to_time", "time_to_samples",
           "hz_to_mel", "mel_to_hz", "mel_frequencies", "fft_frequencies"]


def _int_param(x, name, minimum=1):
    if isinstance(x, bool) or not isinstance(x, (numbers.Integral, np.integer)) or x < minimum:
        raise ParameterError(f"{name}={x!r} must be an integer >= {minimum}")
    return int(x)


def _rate(sr, name="sr"):
    if isinstance(sr, bool) or not isinstance(sr, (numbers.Real, np.number)) or not sr > 0 or not np.isfinite(sr):
        raise ParameterError(f"{name}={sr!r} must be a positive sample rate in Hz")
    return sr


# --- time and frequency conversions (librosa.core.convert) -------------------------------------------------------

def frames_to_samples(frames, *, hop_length=512, n_fft=None):
    """``frames * hop_length + n_fft // 2`` (``n_fft=None``: no offset), as integers."""
    offset = int(n_fft // 2) if n_fft else 0
    return (np.asanyarray(frames) * hop_length + offset).astype(int)


def samples_to_frames(samples, *, hop_length=512, n_fft=None):
    """``floor((samples - n_fft // 2) / hop_length)``, as integers."""
    offset = int(n_fft // 2) if n_fft else 0
    samples = np.asanyarray(samples)
    return np.asarray(np.floor((samples - offset) // hop_length), dtype=int)


def frames_to_time(frames, *, sr=22050, hop_length=512, n_fft=None):
    """``frames_to_samples(frames) / sr`` in seconds."""
    return samples_to_time(frames_to_samples(frames, hop_length=hop_length, n_fft=n_fft), sr=sr)


def time_to_frames(times, *, sr=22050, hop_length=512, n_fft=None):
    """``samples_to_frames(time_to_samples(times))``."""
    return samples_to_frames(time_to_samples(times, sr=sr), hop_length=hop_length, n_fft=n_fft)


def time_to_samples(times, *, sr=22050):
    """``int(times * sr)`` (truncated toward zero, as librosa)."""
    return (np.asanyarray(times) * sr).astype(int)


def samples_to_time(samples, *, sr=22050):
    """``samples / sr`` in seconds."""
    return np.asanyarray(samples) / float(sr)


_F_SP = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


def hz_to_mel(frequencies, *, htk=False):
    """Hz to mels: Slaney's (linear below 1 kHz, logarithmic above; librosa's default) or HTK's
    ``2595 log10(1 + f/700)``."""
    frequencies = np.asanyarray(frequencies)
    if htk:
        return 2595.0 * np.log10(1.0 + frequencies / 700.0)
    mels = frequencies / _F_SP
    if frequencies.ndim:
        log_t = frequencies >= _MIN_LOG_HZ
        mels[log_t] = _MIN_LOG_MEL + np.log(frequencies[log_t] / _MIN_LOG_HZ) / _LOGSTEP
    elif frequencies >= _MIN_LOG_HZ:
        mels = _MIN_LOG_MEL + np.log(frequencies / _MIN_LOG_HZ) / _LOGSTEP
    return mels


def mel_to_hz(mels, *, htk=False):
    """The inverse of :func:`hz_to_mel`."""
    mels = np.asanyarray(mels)
    if htk:
        return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    freqs = _F_SP * mels
    if mels.ndim:
        log_t = mels >= _MIN_LOG_MEL
        freqs[log_t] = _MIN_LOG_HZ * np.exp(_LOGSTEP * (mels[log_t] - _MIN_LOG_MEL))
    elif mels >= _MIN_LOG_MEL:
        freqs = _MIN_LOG_HZ * np.exp(_LOGSTEP * (mels - _MIN_LOG_MEL))
    return freqs


def mel_frequencies(n_mels=128, *, fmin=0.0, fmax=11025.0, htk=False):
    """``n_mels`` frequencies evenly spaced in mels from ``fmin`` to ``fmax`` (Hz)."""
    mels = np.linspace(hz_to_mel(fmin, htk=htk), hz_to_mel(fmax, htk=htk), n_mels)
    return mel_to_hz(mels, htk=htk)


def fft_frequencies(*, sr=22050, n_fft=2048):
    """The ``1 + n_fft // 2`` bin frequencies ``k * sr / n_fft`` (``np.fft.rfftfreq``)."""
    return np.fft.rfftfreq(n=n_fft, d=1.0 / sr)


# --- audio ----------------------------------------------------------------------------------------------------------

def to_mono(y):
    """The mean over every axis but the last (samples); 1-D ``y`` is returned as it is."""
    _util.valid_audio(y, mono=False)
    if y.ndim > 1:
        y = np.mean(y, axis=tuple(range(y.ndim - 1)))
    return y


def resample(y, *, orig_sr, target_sr, res_type="soxr_hq", fix=True, scale=False, axis=-1, **kwargs):
    """librosa.resample along ``axis``: ``res_type`` ``soxr_vhq|soxr_hq|soxr_mq|soxr_lq|soxr_qq`` on libsoxr
    (librosa's engine and recipe: the same numbers), ``fft``/``scipy`` (``scipy.signal.resample``) and
    ``polyphase`` (``scipy.signal.resample_poly``) computed as SciPy does, in NumPy; resampy's ``kaiser_best``/
    ``kaiser_fast`` and libsamplerate's ``sinc_*``, ``linear``, ``zero_order_hold`` map to a soxr quality with a
    ``UserWarning`` naming it. ``fix=True`` sets the length to ``ceil(n * target_sr / orig_sr)``
    (:func:`librosa.util.fix_length`, ``kwargs`` its padding); ``scale=True`` divides by
    ``sqrt(target_sr / orig_sr)``. Returns y's dtype.
    """
    _util.valid_audio(y, mono=False)
    _rate(orig_sr, "orig_sr")
    _rate(target_sr, "target_sr")
    if res_type not in _resample.ALLOWED:
        raise ParameterError(f"res_type={res_type!r} is not supported; allowed: {', '.join(_resample.ALLOWED)}")
    if orig_sr == target_sr:
        return y
    if not -y.ndim <= axis < y.ndim:
        raise ParameterError(f"axis={axis} is out of range for a {y.ndim}-D y")
    ratio = float(target_sr) / orig_sr
    n_samples = int(np.ceil(y.shape[axis] * ratio))
    x = np.moveaxis(y, axis, -1)
    y_hat = _resample.resample(x, orig_sr, target_sr, res_type)
    y_hat = np.moveaxis(y_hat, -1, axis)
    if fix:
        y_hat = _util.fix_length(y_hat, size=n_samples, axis=axis, **kwargs)
    if scale:
        y_hat = y_hat / np.sqrt(ratio)
    return np.asarray(y_hat, dtype=y.dtype)


def get_samplerate(path):
    """The file's own sample rate (a header read: nothing is decoded)."""
    if hasattr(path, "read"):
        import os
        import tempfile
        pos = path.tell() if hasattr(path, "tell") else None
        data = path.read()
        if pos is not None and hasattr(path, "seek"):
            path.seek(pos)
        suffix = os.path.splitext(str(getattr(path, "name", "")))[1]
        with tempfile.NamedTemporaryFile(suffix=suffix) as f:
            f.write(data)
            f.flush()
            return get_samplerate(f.name)
    from ... import _melnorm
    import os
    return int(_melnorm.load_window(os.fspath(path), None, True, 0.0, 0.0)[1])


def get_duration(*, y=None, sr=22050, S=None, n_fft=2048, hop_length=512, center=True, path=None, filename=None):
    """Seconds: of ``y`` (``y.shape[-1] / sr``), of a spectrogram ``S`` (``n_fft + hop_length * (frames - 1)``
    samples, less ``2 * (n_fft // 2)`` when ``center``) or of the file at ``path`` (its frames at its own rate;
    ``filename=`` is librosa 0.10's deprecated spelling, with its FutureWarning)."""
    if filename is not None:
        warnings.warn("get_duration(filename=...) is deprecated in librosa 0.10 and removed in 1.0: use "
                      "path=... instead", FutureWarning, stacklevel=2)
        path = filename
    if path is not None:
        from ... import _melnorm
        import os
        if hasattr(path, "read"):
            yy, rate = _librosa.load(path, sr=None, mono=False)
        else:
            yy, rate = _melnorm.load_window(os.fspath(path), None, False, 0.0, None)
        return yy.shape[-1] / float(rate)
    if y is None:
        if S is None:
            raise ParameterError("At least one of (y, sr), S, or path must be provided")
        n_frames = np.asarray(S).shape[-1]
        n_samples = n_fft + hop_length * (n_frames - 1)
        if center:
            n_samples = n_samples - 2 * int(n_fft // 2)
    else:
        y = np.asarray(y)
        if y.ndim == 0:
            raise ParameterError("y must have a samples axis [..., n], got a 0-D array")
        n_samples = y.shape[-1]
    return float(n_samples) / sr


# --- istft and magphase --------------------------------------------------------------------------------------------

def _window(window, n):
    """scipy.signal.get_window(window, n, fftbins=True) for the windows melnorm knows, or a given array."""
    if isinstance(window, str):
        k = np.arange(n)
        name = {"hanning": "hann", "ones": "boxcar", "rect": "boxcar", "rectangular": "boxcar"}.get(window, window)
        if name == "hann":
            return 0.5 - 0.5 * np.cos(2 * np.pi * k / n)
        if name == "hamming":
            return 0.54 - 0.46 * np.cos(2 * np.pi * k / n)
        if name == "blackman":
            return 0.42 - 0.5 * np.cos(2 * np.pi * k / n) + 0.08 * np.cos(4 * np.pi * k / n)
        if name == "boxcar":
            return np.ones(n)
        raise ParameterError(f"window={window!r} is not supported; allowed: 'hann', 'hamming', 'blackman', "
                             f"'boxcar', or an array of win_length samples")
    w = np.asarray(window, dtype=np.float64)
    if w.ndim != 1 or len(w) != n:
        raise ParameterError(f"Window size mismatch: {w.shape} != ({n},)")
    return w


def istft(stft_matrix, *, hop_length=None, win_length=None, n_fft=None, window="hann", center=True, dtype=None,
          length=None, out=None):
    """librosa.istft: the inverse STFT by weighted overlap-add (each frame's ``irfft`` times the window, divided
    by the window's summed square where it is above ``tiny``), ``[..., 1 + n_fft/2, frames]`` -> ``[..., n]``.
    ``n_fft`` defaults to ``2 * (bins - 1)``, ``win_length`` to ``n_fft``, ``hop_length`` to ``win_length // 4``;
    ``center`` drops the ``n_fft // 2`` padding; ``length`` cuts or zero-pads to that many samples. float32 for
    complex64 input, float64 for complex128."""
    D = np.asarray(stft_matrix)
    if D.ndim < 2:
        raise ParameterError(f"stft_matrix must be [..., 1 + n_fft/2, frames], got a {D.ndim}-D array")
    if n_fft is None:
        n_fft = 2 * (D.shape[-2] - 1)
    n_fft = _int_param(n_fft, "n_fft")
    if n_fft // 2 + 1 != D.shape[-2]:
        raise ParameterError(f"n_fft={n_fft} does not match stft_matrix.shape[-2]={D.shape[-2]} (1 + n_fft // 2)")
    win_length = n_fft if win_length is None else _int_param(win_length, "win_length")
    if win_length > n_fft:
        raise ParameterError(f"win_length={win_length} must be <= n_fft={n_fft}")
    hop_length = int(win_length // 4) if hop_length is None else _int_param(hop_length, "hop_length")
    win = _util.pad_center(_window(window, win_length), size=n_fft)
    if length is not None:
        length = _int_param(length, "length", 0)
        padded = length + 2 * (n_fft // 2) if center else length
        n_frames = min(D.shape[-1], int(np.ceil(padded / hop_length)))
    else:
        n_frames = D.shape[-1]
    if dtype is None:
        dtype = np.float32 if D.dtype in (np.complex64, np.float32) else np.float64
    lead = D.shape[:-2]
    frames = np.fft.irfft(D[..., :n_frames], n=n_fft, axis=-2) * win[:, None]  # [..., n_fft, frames]
    full_len = n_fft + hop_length * (n_frames - 1) if n_frames > 0 else 0
    y = np.zeros(lead + (full_len,), dtype=np.float64)
    wss = np.zeros(full_len, dtype=np.float64)
    win_sq = win ** 2
    for t in range(n_frames):
        s = t * hop_length
        y[..., s:s + n_fft] += frames[..., t]
        wss[s:s + n_fft] += win_sq
    nz = wss > _util.tiny(wss)
    y[..., nz] /= wss[nz]
    start = int(n_fft // 2) if center else 0
    if length is None:
        end = full_len - start
        y = y[..., start:max(start, end)]
    else:
        y = _util.fix_length(y[..., start:], size=length)
    y = y.astype(dtype, copy=False)
    if out is not None:
        if out.shape != y.shape:
            raise ParameterError(f"Shape mismatch for provided output array out.shape={out.shape} and "
                                 f"target y.shape={y.shape}")
        out[...] = y
        return out
    return y


def magphase(D, *, power=1):
    """librosa.magphase: ``(|D| ** power, D / |D|)``; where ``D == 0`` the phase is ``1 + 0j``."""
    D = np.asarray(D)
    mag = np.abs(D)
    zeros_to_ones = mag == 0
    mag_nonzero = mag + zeros_to_ones
    cdtype = np.result_type(D.dtype, np.complex64)
    phase = np.empty_like(D, dtype=cdtype)
    phase.real = D.real / mag_nonzero + zeros_to_ones
    phase.imag = D.imag / mag_nonzero
    mag **= power
    return mag, phase


# --- the dB conversions, librosa 1.0 -------------------------------------------------------------------------------

def _resolve_axes(ndim, axes):
    """librosa 1.0's axes: "auto" is the trailing dimensions (0-D: None, 1-D: (-1,), else (-2, -1)); returns None
    (the whole array) or a sorted tuple of non-negative axes."""
    if isinstance(axes, str):
        if axes != "auto":
            raise ParameterError(f"axes={axes!r} must be None, 'auto', an int or a tuple of ints")
        axes = None if ndim == 0 else ((-1,) if ndim == 1 else (-2, -1))
    if axes is None:
        return None
    given = axes
    if isinstance(axes, (numbers.Integral, np.integer)) and not isinstance(axes, bool):
        axes = (axes,)
    try:
        axes = tuple(int(a) for a in axes)
    except TypeError:
        raise ParameterError(f"axes={given!r} must be None, 'auto', an int or a tuple of ints") from None
    for a in axes:
        if not -ndim <= a < ndim:
            raise ParameterError(f"axes={given!r}: axis {a} is out of range for a {ndim}-D S")
    axes = tuple(sorted(set(a % ndim for a in axes)))
    return None if len(axes) == ndim else axes


def _call_ref(ref, x, axes):
    """A callable ref as librosa 1.0 calls it: ref(x, axis=axes, keepdims=True); one that takes no axis keyword
    is called as 0.10 did, where that is the same reduction (the whole of x)."""
    try:
        return np.asarray(ref(x, axis=axes, keepdims=True), dtype=np.float64)
    except TypeError:
        if axes is None or len(axes) == x.ndim:
            return np.asarray(ref(x), dtype=np.float64)
        raise TypeError(f"ref={ref!r} is called as ref(S, axis={axes}, keepdims=True) (librosa 1.0) and does not take "
                        f"those keywords: pass e.g. np.max, or axes=None for one reference over the whole array "
                        f"(librosa 0.10)") from None


def _db(S, ref, amin, top_db, axes, floor, amplitude, what):
    M = _librosa._magnitude(S, what, f"{what}(np.abs(S))" if amplitude else "power_to_db(np.abs(D)**2)")
    M = np.asarray(M)
    ax = _resolve_axes(M.ndim, axes)
    core = _librosa.amplitude_to_db if amplitude else _librosa.power_to_db
    if ax is None:  # one reference and one top_db floor for the whole array: librosa 0.10's behaviour
        if callable(ref) and ref is not np.max and ref is not np.amax:
            ref = float(_call_ref(ref, np.abs(M) if amplitude else M, None).reshape(-1)[0])
        return core(M, ref=ref, amin=amin, top_db=top_db, floor=floor)
    lead = M.ndim - len(ax)
    if ax == tuple(range(lead, M.ndim)):  # trailing axes ("auto"): the core, once per channel
        _librosa._check_db(amin, top_db)
        flat = M.reshape((-1,) + M.shape[lead:])
        out = np.empty(flat.shape, dtype=np.float32)
        for i in range(flat.shape[0]):
            r = ref
            if callable(ref) and ref is not np.max and ref is not np.amax:
                r = float(_call_ref(ref, np.abs(flat[i]) if amplitude else flat[i], None).reshape(-1)[0])
            out[i] = core(flat[i], ref=r, amin=amin, top_db=top_db, floor=floor)
        return out.reshape(M.shape)
    # any other axes: NumPy, librosa's formula with the reference and the top_db peak along them
    _librosa._check_db(amin, top_db)
    if floor != "absolute":
        raise ParameterError(f"floor={floor!r} needs the reference over trailing axes (axes='auto' or None), not "
                             f"axes={axes!r}")
    X = np.abs(M).astype(np.float64)
    if amplitude:
        X = X ** 2
    if ref is np.max or ref is np.amax or (isinstance(ref, str) and ref == "max"):
        r = np.max(X, axis=ax, keepdims=True)
    elif isinstance(ref, str):
        if not (ref.startswith("p") and ref[1:].replace(".", "", 1).isdigit()):
            raise ParameterError(f"ref={ref!r} must be a number, a callable, 'max' or 'pP' (a percentile)")
        r = np.percentile(X, float(ref[1:]), axis=ax, keepdims=True)
    elif callable(ref):
        r = _call_ref(ref, np.abs(M).astype(np.float64) if amplitude else X, ax)
        if amplitude:
            r = r ** 2
    else:
        r = np.abs(ref) ** (2 if amplitude else 1)
    a = amin ** 2 if amplitude else amin
    log_spec = 10.0 * np.log10(np.maximum(a, X)) - 10.0 * np.log10(np.maximum(a, r))
    if top_db is not None:
        log_spec = np.maximum(log_spec, np.max(log_spec, axis=ax, keepdims=True) - top_db)
    return log_spec.astype(np.float32)


def power_to_db(S, *, ref=1.0, amin=1e-10, top_db=80.0, axes="auto", floor="absolute"):
    """librosa 1.0's power_to_db: ``10 log10(max(amin, S)) - 10 log10(max(amin, ref))``, floored at
    ``max - top_db``. The reference (``ref`` callable: ``ref(S, axis=axes, keepdims=True)``; ``np.max``,
    ``"max"``, ``"pP"``) and the ``top_db`` peak are taken along ``axes``: ``"auto"`` (1.0's default) is the
    trailing dimensions (1-D: the array; >= 2-D: each ``[..., F, T]`` channel on its own), ``None`` the whole
    array (librosa 0.10, and ``melnorm.power_to_db``), or an int/tuple. For 1-D and 2-D input all three agree.
    ``floor`` is melnorm's (see :func:`melnorm.power_to_db`). Returns float32.

    >>> S = np.stack([np.full((2, 3), 1.0), np.full((2, 3), 100.0)])
    >>> power_to_db(S, ref=np.max)[:, 0, 0]
    array([0., 0.], dtype=float32)
    >>> power_to_db(S, ref=np.max, axes=None)[:, 0, 0]
    array([-20.,   0.], dtype=float32)
    """
    return _db(S, ref, amin, top_db, axes, floor, False, "power_to_db")


def amplitude_to_db(S, *, ref=1.0, amin=1e-5, top_db=80.0, axes="auto", floor="absolute"):
    """librosa 1.0's amplitude_to_db: ``power_to_db(|S|**2, ref=ref**2, amin=amin**2, top_db, axes)``, a callable
    ``ref`` applied to ``|S|`` along ``axes`` (``"auto"``: per channel for >= 3-D input; ``None``: librosa 0.10,
    the whole array). Returns float32."""
    return _db(S, ref, amin, top_db, axes, floor, True, "amplitude_to_db")


__getattr__ = _missing.module_getattr(__name__, __all__)
