"""melnorm: mel spectrograms and their normalization for CNN audio classifiers.

librosa-shaped calls on melnorm's C++ core. Arrays come back as float32 NumPy
arrays; inputs of other dtypes or memory layouts are converted (copied) first.
Bad parameters raise ValueError, unreadable files OSError, with the library's
message. The GIL is released while the core computes.

>>> import numpy as np, melnorm
>>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
>>> S = melnorm.melspectrogram(y, sr=22050)
>>> S.shape, S.dtype
((128, 44), dtype('float32'))
"""
import numpy as _np

from . import _melnorm
from ._melnorm import Stats

__version__ = _melnorm.__version__
__all__ = ["load", "melspectrogram", "MelSpectrogram", "power_to_db", "amplitude_to_db", "normalize", "methods",
           "pcen", "Stats", "extract"]

_PRESETS = {
    # librosa 0.10 feature.melspectrogram defaults
    "librosa": dict(n_fft=2048, hop_length=512, n_mels=128, htk=False, norm="slaney", pad_mode="constant"),
    # torchaudio transforms.MelSpectrogram defaults
    "torchaudio": dict(n_fft=400, hop_length=200, n_mels=128, htk=True, norm=None, pad_mode="reflect"),
}


def load(path, sr=None, mono=True):
    """Decode an audio file (WAV, FLAC, OGG/Vorbis, MP3, ...) as librosa.load does.

    Returns ``(y, sr)``: float32 samples in [-1, 1] (``[samples]``, or
    ``[channels, samples]`` with ``mono=False``) and the sample rate. ``sr``
    resamples with libsoxr's high quality (librosa's default ``soxr_hq``);
    ``sr=None`` keeps the file's rate.

    >>> y, sr = melnorm.load("data/samples/7/7_lucas_12.wav")  # doctest: +SKIP
    """
    return _melnorm.load(path, sr, mono)


def _resolve(sr, n_fft, hop_length, win_length, window, center, pad_mode, power, n_mels, fmin, fmax, htk, norm,
             preset):
    """Keyword arguments -> the core's full argument list (the preset fills what is None)."""
    if preset not in (None, "librosa", "torchaudio"):
        raise ValueError(f"preset={preset!r} is not a preset; allowed: librosa, torchaudio")
    base = _PRESETS["librosa" if preset is None else preset]
    if preset == "torchaudio" and norm == "slaney":
        norm = base["norm"]  # the preset's (no filter normalization) unless given otherwise
    return dict(
        sr=float(sr), n_fft=int(base["n_fft"] if n_fft is None else n_fft),
        hop_length=int(base["hop_length"] if hop_length is None else hop_length), win_length=int(win_length or 0),
        window=window, center=bool(center), pad_mode=base["pad_mode"] if pad_mode is None else pad_mode,
        power=float(power), n_mels=int(base["n_mels"] if n_mels is None else n_mels), fmin=float(fmin),
        fmax=None if fmax is None else float(fmax), htk=bool(base["htk"] if htk is None else htk),
        norm="none" if norm is None else norm)


class MelSpectrogram:
    """A reusable, picklable mel-spectrogram transform (librosa keywords, as :func:`melspectrogram`).

    Calling it maps ``[..., samples]`` to ``[..., n_mels, frames]``: every
    leading dimension is a batch, computed on ``n_threads`` threads with the
    GIL released. NumPy in, float32 NumPy out; a torch tensor in (CPU), a
    float32 torch tensor out. The FFT plan and filterbank are made once, at
    construction; pickling keeps the options and rebuilds them (so it can be
    sent to DataLoader workers or Dask workers).

    >>> mel = melnorm.MelSpectrogram(sr=16000, n_fft=512, hop_length=160, n_mels=64, n_threads=2)
    >>> mel(np.zeros((8, 2, 16000), np.float32)).shape
    (8, 2, 64, 101)
    """

    def __init__(self, sr=22050, *, n_fft=None, hop_length=None, win_length=None, window="hann", center=True,
                 pad_mode=None, power=2.0, n_mels=None, fmin=0.0, fmax=None, htk=None, norm="slaney", preset=None,
                 n_threads=1):
        self._options = _resolve(sr, n_fft, hop_length, win_length, window, center, pad_mode, power, n_mels, fmin,
                                 fmax, htk, norm, preset)
        if int(n_threads) < 1:
            raise ValueError(f"n_threads={n_threads} must be >= 1")
        self.n_threads = int(n_threads)
        self._core = _melnorm.MelSpectrogramCore(**self._options)

    @property
    def options(self):
        """The resolved options (a dict of librosa keyword names)."""
        return dict(self._options)

    @property
    def n_mels(self):
        return self._options["n_mels"]

    def n_frames(self, n_samples):
        """Frames produced for a signal of ``n_samples`` samples."""
        return self._core.n_frames(int(n_samples))

    def __call__(self, y):
        torch = _torch_if_tensor(y)
        if torch is not None:
            if y.device.type != "cpu":
                raise ValueError(f"y is on {y.device}; melnorm computes on the CPU: pass y.cpu()")
            y = y.detach().numpy()
        y = _np.asarray(y)
        if y.ndim < 1:
            raise ValueError("y must have a samples axis: [..., samples]")
        lead = y.shape[:-1]
        flat = y.reshape(-1, y.shape[-1]) if y.ndim != 1 else y
        out = self._core.compute(flat, self.n_threads)
        out = out.reshape(lead + out.shape[-2:]) if y.ndim != 1 else out
        return torch.from_numpy(out) if torch is not None else out

    def __getstate__(self):
        return {"options": self._options, "n_threads": self.n_threads}

    def __setstate__(self, state):
        self._options = dict(state["options"])
        self.n_threads = state["n_threads"]
        self._core = _melnorm.MelSpectrogramCore(**self._options)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._options.items())
        return f"melnorm.MelSpectrogram({args}, n_threads={self.n_threads})"


def _torch_if_tensor(x):
    """The torch module when x is a torch tensor (torch is imported only if it already is)."""
    import sys
    torch = sys.modules.get("torch")
    return torch if torch is not None and isinstance(x, torch.Tensor) else None


def melspectrogram(y, sr=22050, *, n_fft=None, hop_length=None, win_length=None, window="hann", center=True,
                   pad_mode=None, power=2.0, n_mels=None, fmin=0.0, fmax=None, htk=None, norm="slaney",
                   preset=None, n_threads=1):
    """Mel spectrogram with librosa.feature.melspectrogram's names and defaults.

    ``y``: ``[samples]`` or a batch ``[batch, samples]`` (computed on
    ``n_threads`` threads). Returns float32 ``[n_mels, frames]`` or
    ``[batch, n_mels, frames]``, linear (power 2 by default), as librosa.
    ``preset="torchaudio"`` starts from torchaudio's MelSpectrogram defaults
    (n_fft 400, hop 200, HTK scale, no norm, reflect padding) instead;
    explicit arguments override the preset. For repeated calls, make a
    :class:`MelSpectrogram` once.

    >>> S = melnorm.melspectrogram(np.zeros(16000, np.float32), sr=16000, n_mels=40)
    >>> S.shape
    (40, 32)
    """
    y = _np.asarray(y)
    if y.ndim not in (1, 2):
        raise ValueError(f"y must be 1-D [samples] or 2-D [batch, samples], got {y.ndim}-D")
    core = _melnorm.MelSpectrogramCore(**_resolve(sr, n_fft, hop_length, win_length, window, center, pad_mode, power,
                                                  n_mels, fmin, fmax, htk, norm, preset))
    return core.compute(y, int(n_threads))


def _ref_value(S, ref):
    if ref is _np.max or ref is _np.amax:
        return "max"  # the core takes the maximum itself
    if isinstance(ref, str):
        return ref  # "max" or "p99.5": checked by the core
    if callable(ref):
        return float(ref(_np.abs(_np.asarray(S))))
    return float(abs(ref))


def power_to_db(S, *, ref=1.0, amin=1e-10, top_db=80.0, floor="absolute"):
    """librosa.power_to_db: ``10 log10(max(amin, S)) - 10 log10(max(amin, ref))``,
    floored at ``max - top_db`` (``top_db=None``: no floor). ``ref`` is a
    number, ``np.max`` (or ``"max"``), ``"p99.5"`` (the 99.5th percentile of
    S: one click cannot set the 0 dB level) or a callable. ``floor="relative"``
    floors at ``amin * ref`` instead of ``amin``: with ``ref=np.max`` or a
    percentile the result does not change when S is scaled (a gain-invariant
    log-mel). Returns float32.

    >>> melnorm.power_to_db(np.array([1.0, 10.0, 100.0]), top_db=None)
    array([ 0., 10., 20.], dtype=float32)
    """
    return _melnorm.db(S, False, _ref_value(S, ref), float(amin), top_db, floor)


def amplitude_to_db(S, *, ref=1.0, amin=1e-5, top_db=80.0, floor="absolute"):
    """librosa.amplitude_to_db: ``power_to_db(S**2, ref=ref**2, amin=amin**2)``. Returns float32.

    >>> melnorm.amplitude_to_db(np.array([1.0, 10.0]), top_db=None)
    array([ 0., 20.], dtype=float32)
    """
    return _melnorm.db(S, True, _ref_value(S, ref), float(amin), top_db, floor)


def normalize(X, method, *, scope="local", axis="all", stats=None, lengths=None, **params):
    """Normalize spectrograms ``[F, T]`` or ``[B, F, T]`` with one method of the registry.

    ``scope``: ``"local"`` (each spectrogram's own statistics) or ``"global"``
    (``stats``, a fitted :class:`Stats`). ``axis``: ``"all"``, ``"band"``
    (per mel band over time) or ``"frame"``. ``lengths``: valid frames per item
    (padding is excluded and zeroed). Method parameters as keywords
    (``ddof=1``, ``low=5``, ...). Returns a new float32 array.

    >>> X = np.arange(6, dtype=np.float32).reshape(2, 3)
    >>> melnorm.normalize(X, "minmax")
    array([[0. , 0.2, 0.4],
           [0.6, 0.8, 1. ]], dtype=float32)
    """
    lengths = None if lengths is None else _np.asarray(lengths, dtype=_np.int64)
    return _melnorm.normalize(X, method, scope, axis, stats, lengths, {k: float(v) for k, v in params.items()})


def methods():
    """The normalization methods: a list of dicts with name, description,
    supports_global and params (name, default, min, max, description).

    >>> [m["name"] for m in melnorm.methods()][:2]
    ['minmax', 'zscore']
    """
    return _melnorm.methods()


def pcen(S, *, sr=22050, hop_length=512, gain=0.98, bias=2.0, power=0.5, time_constant=0.4, eps=1e-6,
         zi=None, return_zf=False):
    """librosa.pcen on a magnitude spectrogram ``[n_mels, frames]``, with its defaults.

    ``zi``/``return_zf`` carry the filter state between chunks: processing a
    spectrogram in pieces gives the same result as one call.

    >>> M = np.ones((2, 4), np.float32)
    >>> out, zf = melnorm.pcen(M, return_zf=True)
    >>> out.shape, len(zf)
    ((2, 4), 2)
    """
    out, zf = _melnorm.pcen(S, float(sr), int(hop_length), float(gain), float(bias), float(power),
                            float(time_constant), float(eps), None if zi is None else [float(z) for z in zi])
    return (out, _np.asarray(zf)) if return_zf else out


def extract(input, out_dir, **options):
    """Extract a dataset as ``melnorm extract`` does: same options (Python names), same OUTDIR.

    ``input``: a folder (labels from parent folders), a ``.txt``/``.csv`` list
    of paths. Keywords: ``labels`` (CSV path,label[,split,...]), mel options
    (``preset``, ``sr``, ``n_fft``, ``hop_length``, ``n_mels``, ``fmin``,
    ``fmax``, ``htk``, ``norm``, ``power``, ``db`` = ``"max"|"ref1"|"off"|"p99.5"``,
    ``top_db``, ``amin``, ...), ``normalize`` (a method), ``scope``, ``axis``,
    ``params`` (dict), ``stats`` (path) or ``fit_stats=True``, ``segment``,
    ``segment_hop``, ``pad_to`` (seconds), ``format`` (``"npy"|"packed"``),
    ``dtype``, ``jobs``. Resumes an interrupted run; refuses an OUTDIR made
    with other options. Returns a summary dict (sources, rows, failed,
    resumed, audio_seconds, seconds).

    >>> melnorm.extract("data/samples", "out/py", sr=8000, n_fft=512, hop_length=128, n_mels=64)  # doctest: +SKIP
    """
    return _melnorm.extract(dict(options, input=str(input), out_dir=str(out_dir)))
