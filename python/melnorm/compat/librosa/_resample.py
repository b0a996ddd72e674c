"""librosa.resample's engines without librosa's dependencies.

- ``soxr_vhq``, ``soxr_hq``, ``soxr_mq``, ``soxr_lq``, ``soxr_qq``: libsoxr itself (the library melnorm's core links,
  called through ctypes with the recipe python-soxr uses: ``soxr_quality_spec(q, 0)``, one thread), so the numbers
  are librosa's.
- ``fft``/``scipy`` (``scipy.signal.resample``) and ``polyphase`` (``scipy.signal.resample_poly`` with its default
  Kaiser window, beta 5): the same formulas in NumPy.
- resampy's (``kaiser_best``, ``kaiser_fast``) and libsamplerate's (``sinc_best``, ``sinc_medium``,
  ``sinc_fastest``, ``linear``, ``zero_order_hold``) are not computed: each maps to a named soxr quality, with a
  warning saying so (:data:`MAPPED`).
"""
import ctypes
import ctypes.util
import math
import warnings

import numpy as np

from ..._librosa import ParameterError

SOXR_QUALITY = {"soxr_qq": 0, "soxr_lq": 1, "soxr_mq": 2, "soxr_hq": 4, "soxr_vhq": 6}
# librosa's other engines, by the soxr quality closest to theirs (the numbers differ: a warning says so).
MAPPED = {"kaiser_best": "soxr_vhq", "kaiser_fast": "soxr_hq", "sinc_best": "soxr_vhq", "sinc_medium": "soxr_hq",
          "sinc_fastest": "soxr_mq", "linear": "soxr_lq", "zero_order_hold": "soxr_qq"}
COMPUTED = ("fft", "scipy", "polyphase")
ALLOWED = tuple(SOXR_QUALITY) + COMPUTED + tuple(MAPPED)


class _IoSpec(ctypes.Structure):
    _fields_ = [("itype", ctypes.c_int), ("otype", ctypes.c_int), ("scale", ctypes.c_double),
                ("e", ctypes.c_void_p), ("flags", ctypes.c_ulong)]


class _QualitySpec(ctypes.Structure):
    _fields_ = [("precision", ctypes.c_double), ("phase_response", ctypes.c_double),
                ("passband_end", ctypes.c_double), ("stopband_begin", ctypes.c_double),
                ("e", ctypes.c_void_p), ("flags", ctypes.c_ulong)]


class _RuntimeSpec(ctypes.Structure):
    _fields_ = [("log2_min_dft_size", ctypes.c_uint), ("log2_large_dft_size", ctypes.c_uint),
                ("coef_size_kbytes", ctypes.c_uint), ("num_threads", ctypes.c_uint),
                ("e", ctypes.c_void_p), ("flags", ctypes.c_ulong)]


_lib = None


def _soxr():
    global _lib
    if _lib is None:
        name = ctypes.util.find_library("soxr") or "libsoxr.so.0"
        try:
            lib = ctypes.CDLL(name)
        except OSError as e:
            raise ImportError(f"libsoxr ({name}) cannot be loaded: install Debian's libsoxr0 ({e})") from None
        lib.soxr_io_spec.restype = _IoSpec
        lib.soxr_io_spec.argtypes = [ctypes.c_int, ctypes.c_int]
        lib.soxr_quality_spec.restype = _QualitySpec
        lib.soxr_quality_spec.argtypes = [ctypes.c_ulong, ctypes.c_ulong]
        lib.soxr_runtime_spec.restype = _RuntimeSpec
        lib.soxr_runtime_spec.argtypes = [ctypes.c_uint]
        lib.soxr_oneshot.restype = ctypes.c_char_p
        lib.soxr_oneshot.argtypes = [ctypes.c_double, ctypes.c_double, ctypes.c_uint,
                                     ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t),
                                     ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t),
                                     ctypes.POINTER(_IoSpec), ctypes.POINTER(_QualitySpec),
                                     ctypes.POINTER(_RuntimeSpec)]
        _lib = lib
    return _lib


def soxr_resample(y, orig_sr, target_sr, quality):
    """libsoxr over the last axis of y (float32 or float64, any leading axes); about round(n * ratio) samples
    (soxr's own count: librosa's ``fix=True`` then sets the length)."""
    lib = _soxr()
    dtype = np.float64 if y.dtype == np.float64 else np.float32
    lead = y.shape[:-1]
    n = y.shape[-1]
    # one interleaved multi-channel call: the channels are independent in soxr, as python-soxr's per-channel calls
    x = np.ascontiguousarray(y.reshape(-1, n).T, dtype=dtype)  # [n, C]
    channels = x.shape[1]
    olen = int(math.ceil(n * float(target_sr) / orig_sr)) + 1
    out = np.zeros((olen, channels), dtype=dtype)
    kind = 1 if dtype == np.float64 else 0  # SOXR_FLOAT64_I, SOXR_FLOAT32_I
    io = lib.soxr_io_spec(kind, kind)
    q = lib.soxr_quality_spec(SOXR_QUALITY[quality], 0)
    rt = lib.soxr_runtime_spec(1)
    odone = ctypes.c_size_t(0)
    err = lib.soxr_oneshot(float(orig_sr), float(target_sr), channels, x.ctypes.data if n else None, n, None,
                           out.ctypes.data, olen, ctypes.byref(odone), ctypes.byref(io), ctypes.byref(q),
                           ctypes.byref(rt))
    if err:
        raise ParameterError(f"libsoxr refused resampling from {orig_sr} Hz to {target_sr} Hz: {err.decode()}")
    out = out[:odone.value]
    return np.ascontiguousarray(out.T).reshape(lead + (odone.value,))


def fft_resample(y, num):
    """scipy.signal.resample(y, num, axis=-1) for real y: the spectrum cut or zero-padded, Nyquist split/joined."""
    nx = y.shape[-1]
    X = np.fft.rfft(y, axis=-1)
    Y = np.zeros(y.shape[:-1] + (num // 2 + 1,), dtype=X.dtype)
    N = min(num, nx)
    nyq = N // 2 + 1
    Y[..., :nyq] = X[..., :nyq]
    if N % 2 == 0:
        if num < nx:
            Y[..., N // 2] *= 2.0
        elif nx < num:
            Y[..., N // 2] *= 0.5
    out = np.fft.irfft(Y, num, axis=-1)
    out *= float(num) / float(nx)
    return out


def _kaiser_lowpass(numtaps, cutoff, beta):
    """scipy.signal.firwin(numtaps, cutoff, window=('kaiser', beta)): cutoff relative to Nyquist, unit DC gain."""
    m = np.arange(numtaps) - 0.5 * (numtaps - 1)
    h = cutoff * np.sinc(cutoff * m) * np.kaiser(numtaps, beta)
    return h / np.sum(h)


def _output_len(len_h, in_len, up, down):
    nt = (in_len + (len_h + (-len_h % up)) // up - 1) * up
    return nt // down + (1 if nt % down else 0)


def polyphase_resample(y, up, down, beta=5.0):
    """scipy.signal.resample_poly(y, up, down, axis=-1) (window ('kaiser', 5.0), zero padding), as a
    polyphase gather: output k is sum_i h[p_k + i*up] * x[q_k - i] with k*down = q_k*up + p_k."""
    g = math.gcd(up, down)
    up, down = up // g, down // g
    if up == down == 1:
        return y.astype(np.float64)
    n_in = y.shape[-1]
    n_out = n_in * up
    n_out = n_out // down + bool(n_out % down)
    max_rate = max(up, down)
    half_len = 10 * max_rate
    h = _kaiser_lowpass(2 * half_len + 1, 1.0 / max_rate, beta) * up
    n_pre_pad = down - half_len % down
    n_post_pad = 0
    n_pre_remove = (half_len + n_pre_pad) // down
    while _output_len(len(h) + n_pre_pad + n_post_pad, n_in, up, down) < n_out + n_pre_remove:
        n_post_pad += 1
    h = np.concatenate((np.zeros(n_pre_pad), h, np.zeros(n_post_pad)))
    L = -(-len(h) // up)
    h = np.concatenate((h, np.zeros(L * up - len(h))))
    x = y.reshape(-1, n_in).astype(np.float64)
    xp = np.concatenate((np.zeros((x.shape[0], L)), x, np.zeros((x.shape[0], L))), axis=1)  # x[j] at xp[j + L]
    out = np.empty((x.shape[0], n_out))
    taps = np.arange(L)
    chunk = max(1, (1 << 22) // max(L, 1))
    for start in range(0, n_out, chunk):
        k = np.arange(start, min(n_out, start + chunk)) + n_pre_remove
        t = k * down
        q, p = t // up, t % up
        idx = np.clip(q[:, None] - taps[None, :] + L, 0, xp.shape[1] - 1)
        valid = (q[:, None] - taps[None, :] >= -L) & (q[:, None] - taps[None, :] < n_in + L)
        hk = h[p[:, None] + taps[None, :] * up] * valid
        out[:, start:start + len(k)] = np.einsum("ckl,kl->ck", xp[:, idx], hk, optimize=True)
    return out.reshape(y.shape[:-1] + (n_out,))


def resample(y, orig_sr, target_sr, res_type, stacklevel=3):
    """y [..., n] float at orig_sr -> target_sr with res_type (before librosa's fix_length and scale)."""
    if res_type in MAPPED:
        quality = MAPPED[res_type]
        warnings.warn(f"res_type={res_type!r} is not computed by melnorm (librosa runs it through "
                      f"{'resampy' if res_type.startswith('kaiser') else 'libsamplerate'}): resampling with libsoxr's "
                      f"res_type={quality!r} instead; the numbers differ slightly from librosa's. Pass "
                      f"res_type={quality!r} to silence this, or use librosa itself for {res_type!r}.",
                      UserWarning, stacklevel=stacklevel)
        res_type = quality
    if res_type in SOXR_QUALITY:
        return soxr_resample(y, orig_sr, target_sr, res_type)
    ratio = float(target_sr) / orig_sr
    if res_type in ("fft", "scipy"):
        return fft_resample(y, int(np.ceil(y.shape[-1] * ratio)))
    if res_type == "polyphase":
        if int(orig_sr) != orig_sr or int(target_sr) != target_sr:
            raise ParameterError("polyphase resampling is only supported for integer-valued sampling rates.")
        g = math.gcd(int(orig_sr), int(target_sr))
        return polyphase_resample(y, int(target_sr) // g, int(orig_sr) // g)
    raise ParameterError(f"res_type={res_type!r} is not supported; allowed: {', '.join(ALLOWED)}")
