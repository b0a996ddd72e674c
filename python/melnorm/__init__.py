"""melnorm: mel spectrograms and their normalization for CNN audio classifiers.

librosa-shaped calls on melnorm's C++ core. Arrays come back as float32 NumPy
arrays; inputs of other dtypes or memory layouts are converted (copied) first.
Bad parameters raise melnorm.ParameterError (a ValueError, as librosa's), unreadable files OSError, with the library's
message. The GIL is released while the core computes.

>>> import numpy as np, melnorm
>>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
>>> S = melnorm.melspectrogram(y, sr=22050)
>>> S.shape, S.dtype
((128, 44), dtype('float32'))
"""
import numpy as _np

from . import _melnorm
from ._melnorm import ParameterError, Stats

__version__ = _melnorm.__version__
__all__ = ["ParameterError", "load", "stft", "melspectrogram", "filters_mel", "mfcc", "delta", "db_to_power", "db_to_amplitude", "MelSpectrogram", "OnlineMelSpectrogram", "Pipeline", "options", "power_to_db", "amplitude_to_db", "normalize", "methods",
           "pcen", "Stats", "extract"]

def _to_numpy(y, name="y"):
    """(array, torch module or None): torch tensors go through NumPy, refused where that would drop something."""
    torch = _torch_if_tensor(y)
    if torch is None:
        return _np.asarray(y), None
    if y.requires_grad:
        raise ValueError(f"{name} requires grad, but melnorm's front ends are not differentiable (the result would "
                         f"have no grad_fn): pass {name}.detach(), or compute features outside the autograd graph")
    if y.device.type != "cpu":
        raise ValueError(f"{name} is on {y.device}; melnorm computes on the CPU: pass {name}.cpu()")
    return y.numpy(), torch


def _torch_if_tensor(x):
    """The torch module when x is a torch tensor (torch is imported only if it already is)."""
    import sys
    torch = sys.modules.get("torch")
    return torch if torch is not None and isinstance(x, torch.Tensor) else None


def options(extract=False):
    """Every feature option, as the library declares it: a list of dicts with
    name, flag (the CLI's), kind, stage, unit, allowed, default, doc,
    changes_output and alias_of. Each is a keyword of :class:`Pipeline`,
    :class:`MelSpectrogram` and :func:`extract`; ``extract=True`` adds
    :func:`extract`'s own (labels, format, fit_stats, ...) first.

    >>> [o["name"] for o in melnorm.options()][:3]
    ['preset', 'sr', 'pad_to']
    """
    import json
    return json.loads(_melnorm.options_schema(bool(extract)))


class Pipeline:
    """The whole feature pipeline as ``melnorm extract`` runs it, for one clip or a batch.

    Keywords are the library's options (:func:`options`; librosa's names):
    ``sr`` (every input is resampled to it), ``preset``, ``n_fft``,
    ``hop_length``, ``n_mels``, ``fmax``, ``db`` (``"max"``, ``"p99.5"``,
    ``"off"``...), ``top_db``, ``db_floor``, ``normalize`` (a method),
    ``scope``, ``axis``, ``params`` (dict), ``pad_to``, ``segment``,
    ``dtype``... ``stats``: fitted :class:`Stats` (or a path) for
    ``scope="global"``; refused when their fingerprint differs from these
    features', naming the field (without ``sr``, the pipeline takes the
    statistics' rate). A batch ``[B, samples]`` is B independent
    clips: each gets its own dB reference and local statistics, exactly as
    alone. Integer PCM (int16) is scaled by 1/32768 as the CLI scales it.

    >>> p = melnorm.Pipeline(sr=8000, n_fft=256, hop_length=128, n_mels=40, normalize="zscore", pad_to=1.0)
    >>> p(np.zeros((3, 8000), np.float32)).shape
    (3, 40, 63)
    """

    def __init__(self, *, stats=None, n_threads=1, **options):
        if isinstance(stats, (str, bytes)) or hasattr(stats, "__fspath__"):
            stats = Stats.load(str(stats))
        if int(n_threads) < 1:
            raise ValueError(f"n_threads={n_threads} must be >= 1")
        self.n_threads = int(n_threads)
        self._core = _melnorm.PipelineCore(options, stats)

    @classmethod
    def _wrap(cls, core, n_threads=1):
        self = cls.__new__(cls)
        self._core, self.n_threads = core, n_threads
        return self

    @classmethod
    def from_json(cls, text, *, stats=None, origin="pipeline JSON"):
        """A pipeline from its JSON record (:meth:`to_json`, or an OUTDIR's options.json ``pipeline``)."""
        return cls._wrap(_melnorm.PipelineCore.from_json(text, origin, stats))

    @classmethod
    def from_outdir(cls, out_dir):
        """The pipeline an extraction OUTDIR was made with, and its statistics (``stats.json``), if any: read by the
        library's OUTDIR reader, as the CLI and ``melnorm.torch.ExtractedDataset`` read it."""
        import os
        reader = _melnorm.OutdirReader(str(out_dir))
        stats = Stats.load(reader.stats_path) if reader.stats_path is not None else None
        return cls.from_json(reader.pipeline_json, stats=stats, origin=os.path.join(str(out_dir), "options.json"))

    def to_json(self):
        """The versioned JSON record: every option resolved, and the fingerprint."""
        return self._core.to_json()

    @property
    def options(self):
        """Every option, resolved (``{"sr": "16000", "fmax": "8000", ...}``)."""
        return self._core.describe()

    @property
    def fingerprint(self):
        """What changes output bytes, resolved to numbers."""
        return self._core.fingerprint()

    @property
    def sample_rate(self):
        return self._core.sample_rate

    @property
    def stats(self):
        return self._core.stats

    def _run(self, y, sr, what="waveform"):
        y, torch = _to_numpy(y)
        if y.ndim < 1:
            raise ValueError("y must have a samples axis: [..., samples]")
        if sr is None:
            sr = self._core.sample_rate
            if sr is None:
                raise ValueError("sr: this pipeline has no fixed rate (sr=...); pass the waveform's rate: pipeline(y, sr=...)")
        lead = y.shape[:-1]
        out = self._core.run(y.reshape(-1, y.shape[-1]), int(sr), self.n_threads, what)  # [B, rows, F, T]
        if not self._core.segmented:
            out = out[:, 0]
        out = out.reshape(lead + out.shape[1:])
        if self._core.dtype == "float16":
            out = out.astype(_np.float16)
        return torch.from_numpy(out) if torch is not None else out

    def __call__(self, y, sr=None):
        """Features of ``y`` ``[..., samples]`` at ``sr`` Hz (default: the pipeline's rate; another rate is
        resampled): ``[..., n_mels, frames]``, or ``[..., segments, n_mels, frames]`` with ``segment``."""
        return self._run(y, sr)

    def load(self, path):
        """Features of an audio file, decoded and resampled as ``melnorm extract`` does (a long file is decoded
        and framed in blocks, so its waveform is never whole in memory: the same numbers)."""
        out = self._core.run_file(str(path))  # [rows, F, T]
        if not self._core.segmented:
            out = out[0]
        return out.astype(_np.float16) if self._core.dtype == "float16" else out

    def __getstate__(self):
        stats = self._core.stats
        return {"json": self._core.to_json(), "stats": None if stats is None else stats, "n_threads": self.n_threads}

    def __setstate__(self, state):
        self._core = _melnorm.PipelineCore.from_json(state["json"], "pickled pipeline", state["stats"])
        self.n_threads = state["n_threads"]

    def __repr__(self):
        return f"melnorm.Pipeline({self._core.to_json()})"


class MelSpectrogram(Pipeline):
    """A reusable, picklable mel-spectrogram transform: a :class:`Pipeline` whose ``db`` is ``"off"`` unless given
    (librosa's melspectrogram is linear). Keywords as :func:`options` (librosa's names; ``preset="torchaudio"``
    starts from torchaudio's defaults, and an explicit keyword always wins).

    Calling it maps ``[..., samples]`` to ``[..., n_mels, frames]``: every
    leading dimension is a batch, computed on ``n_threads`` threads with the
    GIL released. NumPy in, float32 NumPy out; a torch tensor in (CPU, no
    grad), a float32 torch tensor out.

    >>> mel = melnorm.MelSpectrogram(sr=16000, n_fft=512, hop_length=160, n_mels=64, n_threads=2)
    >>> mel(np.zeros((8, 2, 16000), np.float32)).shape
    (8, 2, 64, 101)
    """

    def __init__(self, sr=22050, *, n_threads=1, **options):
        options.setdefault("db", "off")
        super().__init__(sr=sr, n_threads=n_threads, **options)

    @property
    def n_mels(self):
        return int(self.options["n_mels"])

    def n_frames(self, n_samples):
        """Frames produced for a signal of ``n_samples`` samples."""
        return self(_np.zeros(int(n_samples), _np.float32)).shape[-1]


class OnlineMelSpectrogram:
    """Streaming (online) features: audio in chunks of any size, each frame out as soon as it is complete.

    Keywords as :class:`Pipeline` (``sr``, ``preset``, ``n_fft``, ...; ``stats`` for ``scope="global"``).
    ``accept(samples)`` takes mono samples at ``sr`` (1-D, any length, int16 scaled as the CLI does) and
    returns the frames they complete, float32 ``[n_mels, new_frames]`` (``new_frames`` may be 0;
    ``[new_frames, bins]`` with ``layout="time_first"``, as the ``kaldi`` and ``beats`` presets give);
    ``finish()`` returns the frames the end padding completes. Together they equal
    ``Pipeline(...)(whole_signal)``: the centre padding, Kaldi's framing (``snip_edges`` either way, seeded
    ``dither``), ``waveform_scale``, PCEN's filter state and global or fixed statistics are applied as
    offline. Options that need the whole clip are refused, naming them: ``db="max"``/``"pP"`` and
    ``top_db`` (use ``db="ref1", top_db=None`` or ``db="off"``), ``pad_to``, ``segment``,
    ``target_frames`` (the ``whisper`` and ``ast`` presets), ``subtract_mean``, and local
    ``normalize`` over ``axis="all"``/``"band"`` unless ``window_frames=N`` (each frame normalized with
    the statistics of the last N frames, itself included: causal, not equal to offline).

    A frame is emitted ``lookahead_samples`` after its time stamp ``t * hop_length`` (n_fft - n_fft//2 with
    ``center``); the newest frame is at most ``latency_samples`` (look-ahead plus one hop, minus one) behind
    the newest sample.

    >>> online = melnorm.OnlineMelSpectrogram(sr=16000, preset="torchaudio", n_mels=64, db="ref1", top_db=None)
    >>> frames = [online.accept(chunk) for chunk in np.array_split(np.zeros(16000, np.float32), 10)]
    >>> np.concatenate(frames + [online.finish()], axis=1).shape
    (64, 81)
    """

    def __init__(self, *, stats=None, window_frames=None, **options):
        if isinstance(stats, (str, bytes)) or hasattr(stats, "__fspath__"):
            stats = Stats.load(str(stats))
        self._core = _melnorm.OnlineCore(options, stats, window_frames)

    @classmethod
    def from_pipeline(cls, pipeline, *, window_frames=None, sr=None):
        """The stream of a :class:`Pipeline`'s features (its options and statistics); ``sr`` for a pipeline without one."""
        self = cls.__new__(cls)
        self._core = _melnorm.OnlineCore.from_pipeline(pipeline._core, window_frames, sr)
        return self

    def _out(self, frames):
        return frames.astype(_np.float16) if self._core.pipeline.dtype == "float16" else frames

    def accept(self, samples):
        """The frames ``samples`` complete: ``[n_mels, new_frames]``."""
        y, torch = _to_numpy(samples, "samples")
        out = self._out(self._core.accept(y))
        return torch.from_numpy(out) if torch is not None else out

    def finish(self):
        """Ends the stream: the last frames (end padding). An empty stream is refused, as offline."""
        return self._out(self._core.finish())

    def reset(self):
        """Starts a new stream with the same options."""
        self._core.reset()

    @property
    def pipeline(self):
        """The :class:`Pipeline` whose offline features the stream equals."""
        return Pipeline._wrap(self._core.pipeline)

    sample_rate = property(lambda self: self._core.sample_rate)
    n_mels = property(lambda self: self._core.n_mels)
    hop_length = property(lambda self: self._core.hop_length)
    lookahead_samples = property(lambda self: self._core.lookahead_samples)
    latency_samples = property(lambda self: self._core.latency_samples)
    samples_accepted = property(lambda self: self._core.samples_accepted)
    frames_emitted = property(lambda self: self._core.frames_emitted)
    finished = property(lambda self: self._core.finished)

    def __repr__(self):
        return f"melnorm.OnlineMelSpectrogram({self._core.pipeline.to_json()})"


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
    """The normalization methods of the library's registry, in its order (``none``, the identity, is not
    listed): one dict each, as the library declares the method.

    Keys: name, description, kind, supports_global, supports_frame_axis, params, input, unit, range,
    needs_frame_rate.
    ``kind``: ``"statistics"`` (an affine map per group of values from their statistics: any scope and
    axis) or ``"filter"`` (a causal filter along time with state, as PCEN: local, axis all or band).
    ``input``: what it expects, ``"features"`` or ``"linear-magnitude"``. ``unit`` and ``range``: of its
    output, for axis labels. ``needs_frame_rate``: parameters that come from the features' sr and hop.
    Each of ``params``, in order, has the keys: name, default, min, max, description.

    >>> [m["name"] for m in melnorm.methods()][:2]
    ['minmax', 'zscore']
    """
    return _melnorm.methods()


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


def _db_range(value, name):
    """A number (fixed) or (min, max) in dB -> the library's DbRange; None stays None."""
    if value is None:
        return None
    if isinstance(value, (int, float, _np.integer, _np.floating)) and not isinstance(value, bool):
        return _melnorm.DbRange(float(value), float(value))
    try:
        lo, hi = value
        return _melnorm.DbRange(float(lo), float(hi))
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={value!r} must be a number of dB or a (min, max) pair") from None


def augment(y, *, seed, epoch=0, clip=0, gain_db=None, bits=None, tpdf_dither=False, noise_snr_db=None,
            noise_color="white"):
    """A training-time perturbation of a 1-D waveform, exactly as ``melnorm experiment --train-gain/--train-bits/
    --train-noise`` perturbs a training clip: every draw comes from ``(seed, epoch, clip)``, so the same three give
    the same samples here, in the CLI and in :mod:`melnorm.torch`'s ``RandomGain``/``Requantize``/``AddRandomNoise``
    called with that seed (the experiment uses the run's seed, the 1-based epoch and the clip's row).

    Stages, in order, each with its own random stream: ``noise_snr_db`` (a number or ``(min, max)``: white or pink
    noise at a uniform SNR relative to the clip's power), ``gain_db`` (a number or ``(min, max)``: a uniform gain,
    then clipping to [-1, 1]), ``bits`` (re-quantized to a PCM grid, as a recording at that gain is stored; with
    ``tpdf_dither``, TPDF dither of +-1 LSB first). Returns a new float32 array of y's length.

    >>> melnorm.augment(np.full(4, 0.5, np.float32), seed=1, gain_db=-6.0206, bits=16)
    array([0.25, 0.25, 0.25, 0.25], dtype=float32)
    """
    if bits is not None and (isinstance(bits, bool) or not isinstance(bits, (int, _np.integer))):
        raise ParameterError(f"bits={bits!r} must be an integer number of PCM bits (8..24) or None")
    for name, v in (("seed", seed), ("epoch", epoch), ("clip", clip)):
        if isinstance(v, bool) or not isinstance(v, (int, _np.integer)) or v < 0:
            raise ParameterError(f"{name}={v!r} must be an integer >= 0")
    arr, _ = _to_numpy(y)
    return _melnorm.augment(arr, int(seed), int(epoch), int(clip), _db_range(gain_db, "gain_db"),
                            int(bits or 0), bool(tpdf_dither), _db_range(noise_snr_db, "noise_snr_db"),
                            str(noise_color))


__all__ += ["augment"]


# librosa's signatures and semantics (load, stft, feature.melspectrogram/mfcc/delta, filters.mel, the dB
# conversions, pcen); melnorm.compat.librosa has them in librosa's module layout.
from ._librosa import (load, stft, melspectrogram, mel as filters_mel, power_to_db, amplitude_to_db,  # noqa: E402
                       db_to_power, db_to_amplitude, pcen, mfcc, delta)

# Saved models (melnorm train --save-model DIR; docs/deploy.md): python/melnorm/model.py.
from .model import load_model, Model, Prediction  # noqa: E402

__all__ += ["load_model", "Model", "Prediction"]
