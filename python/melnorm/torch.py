"""PyTorch interop: a Dataset over an ``extract`` output folder, the
normalization methods on (CPU) torch tensors, and ``torch.nn.Module`` front
ends that train on any device: :class:`LibrosaMelSpectrogram`, :class:`PowerToDB`,
:class:`AmplitudeToDBReMax`, :class:`Normalize`, :class:`PCEN` and :class:`SpecAugment` (pure torch
operations, TorchScript-able, differentiable where the math is).

>>> import melnorm.torch  # doctest: +SKIP
>>> ds = melnorm.torch.ExtractedDataset("out/samples")  # doctest: +SKIP
>>> x, y = ds[0]; x.shape  # [1, n_mels, frames]  # doctest: +SKIP
"""
import json
import math
import os
import warnings
from typing import Optional

import numpy as np
import torch
from torch import nn

from . import normalize as _normalize_np
from ._torch_augment import _lsr  # logical right shift of int64, shared with the perturbations' generator

__all__ = ["ExtractedDataset", "ShardedDataset", "normalize", "LibrosaMelSpectrogram", "MelSpectrogram", "PowerToDB", "AmplitudeToDBReMax", "AmplitudeToDB", "Normalize", "PCEN",
           "SpecAugment", "KaldiFbank", "WhisperLogMel", "RandomGain", "Requantize", "AddRandomNoise"]


class ExtractedDataset(torch.utils.data.Dataset):
    """The ``ok`` rows of a ``melnorm extract`` OUTDIR as ``(features, target)`` pairs.

    ``features``: float32 tensor ``[1, n_mels, frames]`` (a channel axis for
    Conv2d; ``channel_dim=False`` drops it). ``target``: the index of the
    row's label in ``classes`` (sorted labels of the whole manifest, so train
    and test subsets agree). ``split``: keep rows whose ``split`` column
    equals it (``"train"``, ``"test"``...). Rows are read one per item by
    the library's OUTDIR reader, whatever the format (packed: in place from
    ``features.npy``; npy: the row's file), so opening a large dataset reads
    only its manifest. ``transform`` is applied to the features tensor.
    """

    def __init__(self, out_dir, *, split=None, classes=None, transform=None, channel_dim=True):
        from . import _melnorm
        self.out_dir = os.fspath(out_dir)
        # The OUTDIR layout (options.json, manifest.csv, the format's files) is the library's to read.
        self._outdir = _melnorm.OutdirReader(self.out_dir)
        self.options = json.loads(self._outdir.options_json)
        ok = [(i, r) for i, r in enumerate(self._outdir.rows()) if r["status"] == "ok"]
        all_rows = [r for _, r in ok]
        if split is not None:
            if all_rows and "split" not in all_rows[0]:
                raise ValueError(f"split={split!r} given but the manifest has no split column")
            splits = sorted({r["split"] for r in all_rows})
            if split not in splits:
                raise ValueError(f"split={split!r} is not in the manifest; its splits: {', '.join(splits)}")
        self.classes = list(classes) if classes is not None else sorted({r["label"] for r in all_rows})
        kept = [(i, r) for i, r in ok if split is None or r["split"] == split]
        self.rows = [r for _, r in kept]
        self._manifest_index = [i for i, _ in kept]  # row i's place in the manifest
        index = {c: i for i, c in enumerate(self.classes)}
        unknown = sorted({r["label"] for r in self.rows} - set(index))
        if unknown:
            raise ValueError(f"labels {unknown} are not in classes")
        self.targets = [index[r["label"]] for r in self.rows]
        self.transform = transform
        self.channel_dim = channel_dim

    def __len__(self):
        return len(self.rows)

    @property
    def pipeline(self):
        """The :class:`melnorm.Pipeline` these features were made with (and their statistics): use it on new
        audio to get exactly the features the model was trained on."""
        import melnorm
        return melnorm.Pipeline.from_outdir(self.out_dir)

    def features(self, i):
        """Row i's features as a float32 NumPy array [n_mels, frames]: packed float32, a read-only view into the
        library's mapping of features.npy (valid as long as the array lives); otherwise a copy."""
        return self._outdir.features(self._manifest_index[i])

    def __getitem__(self, i):
        x = torch.from_numpy(np.array(self.features(i), dtype=np.float32))
        if self.channel_dim:
            x = x.unsqueeze(0)
        if self.transform is not None:
            x = self.transform(x)
        return x, self.targets[i]


def normalize(X, method, *, scope="local", axis="all", stats=None, lengths=None, **params):
    """:func:`melnorm.normalize` on a CPU tensor ``[F, T]``, ``[B, F, T]`` or ``[B, 1, F, T]``.

    Returns a new float32 tensor of the same shape (the input is not changed).

    >>> melnorm.torch.normalize(torch.arange(6.).reshape(2, 3), "minmax")
    tensor([[0.0000, 0.2000, 0.4000],
            [0.6000, 0.8000, 1.0000]])
    """
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch.Tensor, got {type(X).__name__}; for NumPy use melnorm.normalize")
    if X.device.type != "cpu":
        raise ValueError(f"X is on {X.device}; melnorm normalizes on the CPU: pass X.cpu()")
    shape = X.shape
    if X.dim() == 4:
        if shape[1] != 1:
            raise ValueError(f"a 4-D X must be [B, 1, F, T] (one channel), got {list(shape)}")
        X = X.reshape(shape[0], shape[2], shape[3])
    if X.requires_grad:
        raise ValueError("X requires grad, but melnorm.torch.normalize is not differentiable (the result would have no "
                         "grad_fn): pass X.detach(), or normalize outside the autograd graph")
    if isinstance(lengths, torch.Tensor):
        lengths = lengths.cpu().numpy()
    out = _normalize_np(X.detach().numpy(), method, scope=scope, axis=axis, stats=stats, lengths=lengths, **params)
    return torch.from_numpy(out).reshape(shape)


# --- nn.Modules: pure torch operations, on any device, TorchScript-able ----------------------------------------------

def _core():
    from . import _melnorm
    return _melnorm


def _window(name, length):
    """The periodic analysis window the core uses (scipy.signal.get_window(..., fftbins=True)), float64."""
    if name == "hann":
        return torch.hann_window(length, periodic=True, dtype=torch.float64)
    if name == "hamming":
        return torch.hamming_window(length, periodic=True, dtype=torch.float64)
    if name == "blackman":
        return torch.blackman_window(length, periodic=True, dtype=torch.float64)
    if name == "rect":
        return torch.ones(length, dtype=torch.float64)
    raise ValueError(f"window={name!r} has no torch form here; allowed: hann, hamming, blackman, rect")


class LibrosaMelSpectrogram(nn.Module):
    """melnorm's mel spectrogram as a module: melnorm's options (parsed by the library's option schema,
    librosa's keywords and defaults: ``sr=22050``, ``n_fft=2048``, ``hop_length=512``, Slaney mels;
    ``preset="torchaudio"`` for torchaudio's values) and its filterbank, on ``torch.stft``. Not torchaudio's
    ``MelSpectrogram`` (``sample_rate=16000``, ``n_fft=400``, HTK mels): that one is
    ``melnorm.compat.torchaudio.transforms.MelSpectrogram``.

    ``[..., samples]`` -> ``[..., n_mels, frames]`` (linear: power 2, or 1 with ``power=1``), on the input's
    device and dtype, differentiable. Equal to :class:`melnorm.MelSpectrogram` (the C++ path) up to float32
    FFT rounding. The dB conversion and normalization are the modules :class:`PowerToDB` and
    :class:`Normalize`, so the feature options of those stages are refused here.

    >>> mel = melnorm.torch.LibrosaMelSpectrogram(sr=16000, n_fft=512, hop_length=160, n_mels=64)
    >>> mel(torch.zeros(8, 16000)).shape
    torch.Size([8, 64, 101])
    """

    def __init__(self, sr=22050, **options):
        super().__init__()
        import melnorm
        stages = {o["name"]: o["stage"] for o in melnorm.options()}
        other = sorted(k for k in options if stages.get(k) not in (None, "spectrogram", "decode") or k == "pad_to")
        if other:
            raise ValueError(f"{', '.join(other)}: not an option of melnorm.torch.{type(self).__name__} (it stops at the linear "
                             f"mel spectrogram); use melnorm.torch.PowerToDB / Normalize after it")
        if sr is None:
            raise ValueError(f"sr=None: melnorm.torch.{type(self).__name__} needs the waveform's rate (its filterbank depends on it)")
        o = melnorm.MelSpectrogram(sr, **options).options  # every option resolved by the library
        self.sr = int(float(o["sr"]))
        self.n_fft = int(o["n_fft"])
        self.hop_length = int(o["hop_length"])
        win = self.n_fft if o["win_length"] in ("none", "0") else int(o["win_length"])
        self.center = o["center"] == "true"
        self.pad_mode = o["pad_mode"]
        self.power = float(o["power"])
        self.n_mels = int(o["n_mels"])
        window = torch.zeros(self.n_fft, dtype=torch.float64)
        off = (self.n_fft - win) // 2
        window[off:off + win] = _window(o["window"], win)
        self.register_buffer("window", window.float())
        fmax = None if o["fmax"] in ("none", "sr/2") else float(o["fmax"])
        fb = _core().mel_filters(float(self.sr), self.n_fft, self.n_mels, float(o["fmin"]), fmax, o["mel_scale"], o["norm"])
        self.register_buffer("filterbank", torch.from_numpy(fb))
        self.options = o

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        lead = list(y.shape[:-1])
        x = y.reshape(-1, y.shape[-1])
        spec = torch.stft(x, self.n_fft, self.hop_length, self.n_fft, self.window.to(x.dtype), self.center,
                          self.pad_mode, False, True, return_complex=True)
        if self.power == 2.0:
            p = spec.real * spec.real + spec.imag * spec.imag
        else:
            p = spec.abs()
        mel = torch.matmul(self.filterbank.to(p.dtype), p)
        return mel.reshape(lead + list(mel.shape[-2:]))

    def extra_repr(self):
        return (f"sr={self.sr}, n_fft={self.n_fft}, hop_length={self.hop_length}, n_mels={self.n_mels}, "
                f"power={self.power:g}, pad_mode={self.pad_mode!r}")


_warned_mel_spectrogram = False


class MelSpectrogram(LibrosaMelSpectrogram):
    """Deprecated name of :class:`LibrosaMelSpectrogram` (until 0.5): torchaudio's ``MelSpectrogram`` has other
    keywords and defaults, so this name warns once (FutureWarning) saying the difference."""

    def __init__(self, sr=22050, **options):
        global _warned_mel_spectrogram
        if not _warned_mel_spectrogram:
            _warned_mel_spectrogram = True
            warnings.warn(
                "melnorm.torch.MelSpectrogram is renamed LibrosaMelSpectrogram: it takes librosa's keywords and "
                "defaults (sr=22050, n_fft=2048, hop_length=512, Slaney mels), not torchaudio's MelSpectrogram "
                "(sample_rate=16000, n_fft=400, hop_length=200, HTK mels), which is "
                "melnorm.compat.torchaudio.transforms.MelSpectrogram; the old name goes in 0.5",
                FutureWarning, stacklevel=2)
        super().__init__(sr, **options)


class _ToDB(nn.Module):
    amplitude: bool

    def __init__(self, ref, amin, top_db, floor, amplitude):
        super().__init__()
        spec = ref if isinstance(ref, str) else float(ref)
        # the core checks ref, amin, top_db and floor, with its messages
        _core().db(np.ones(1, np.float32), amplitude, spec, float(amin), top_db, floor)
        self.ref_kind = 1 if spec == "max" else 2 if isinstance(spec, str) else 0
        self.ref_value = abs(spec) if self.ref_kind == 0 else 0.0
        self.ref_q = float(spec[1:]) / 100.0 if self.ref_kind == 2 else 0.0
        self.amin = float(amin)
        self.top_db: Optional[float] = None if top_db is None else float(top_db)
        self.relative = floor == "relative"
        self.amplitude = amplitude
        self.ref = spec

    def forward(self, S: torch.Tensor) -> torch.Tensor:
        x = S * S if self.amplitude else S
        amin = self.amin * self.amin if self.amplitude else self.amin
        flat = x.flatten(-2) if x.dim() >= 2 else x.unsqueeze(0)
        if self.ref_kind == 1:
            ref = flat.amax(-1, keepdim=True)
        elif self.ref_kind == 2:
            ref = torch.quantile(flat, self.ref_q, dim=-1, keepdim=True)
        else:
            r = self.ref_value * self.ref_value if self.amplitude else self.ref_value
            ref = torch.full_like(flat[..., :1], r)
        if x.dim() >= 2:
            ref = ref.unsqueeze(-1)
        else:
            ref = ref.squeeze(0)
        floor = torch.full_like(ref, amin)
        if self.relative:
            floor = torch.where(ref > 0, amin * ref, floor)
        db = 10.0 * torch.log10(torch.maximum(x, floor)) - 10.0 * torch.log10(torch.clamp(ref, min=amin))
        top_db = self.top_db
        if top_db is not None:
            peak = db.flatten(-2).amax(-1, keepdim=True).unsqueeze(-1) if db.dim() >= 2 else db.amax()
            db = torch.maximum(db, peak - top_db)
        return db

    def extra_repr(self):
        return f"ref={self.ref!r}, amin={self.amin:g}, top_db={self.top_db}, floor={'relative' if self.relative else 'absolute'}"


class PowerToDB(_ToDB):
    """:func:`melnorm.power_to_db` as a module, per item: each ``[F, T]`` of ``[..., F, T]`` gets its own
    reference (``ref="max"`` by default, a number, or ``"pP"``: the P-th percentile, linear interpolation) and
    its own ``top_db`` floor below its own peak; ``floor="relative"`` floors at ``amin * ref``. Equal to
    calling melnorm.power_to_db on each item; differentiable.

    >>> melnorm.torch.PowerToDB(ref=1.0, top_db=None)(torch.tensor([[1.0, 10.0, 100.0]]))
    tensor([[ 0., 10., 20.]])
    """

    def __init__(self, ref="max", amin=1e-10, top_db=80.0, floor="absolute"):
        super().__init__(ref, amin, top_db, floor, False)


class AmplitudeToDBReMax(_ToDB):
    """:func:`melnorm.amplitude_to_db` as a module (``20 log10`` re each item's max by default, ``amin=1e-5``,
    ``top_db=80``), per item as :class:`PowerToDB`. Not torchaudio's ``AmplitudeToDB`` (power input,
    ``10 log10`` re 1, no ``top_db``): that one is ``PowerToDB(ref=1.0, top_db=None)``."""

    def __init__(self, ref="max", amin=1e-5, top_db=80.0, floor="absolute"):
        super().__init__(ref, amin, top_db, floor, True)


_warned_amplitude_to_db = False


class AmplitudeToDB(AmplitudeToDBReMax):
    """Deprecated name of :class:`AmplitudeToDBReMax` (until 0.4): torchaudio's ``AmplitudeToDB`` means something
    else, so this name warns once (FutureWarning) saying the difference."""

    def __init__(self, ref="max", amin=1e-5, top_db=80.0, floor="absolute"):
        global _warned_amplitude_to_db
        if not _warned_amplitude_to_db:
            _warned_amplitude_to_db = True
            warnings.warn(
                "melnorm.torch.AmplitudeToDB is renamed AmplitudeToDBReMax: it is melnorm's amplitude_to_db "
                "(20*log10 of magnitudes re each item's max, top_db=80), not torchaudio's AmplitudeToDB (power "
                "input by default, 10*log10 re 1, top_db=None, which is PowerToDB(ref=1.0, top_db=None)); the old "
                "name goes in 0.4", FutureWarning, stacklevel=2)
        super().__init__(ref, amin, top_db, floor)


# The statistics methods whose local maps are written in torch below (differentiable through the statistics, or
# forward only for the percentile ones), in the order of Normalize.method_id. Which methods Normalize accepts is the
# registry's: any other statistics method is computed by the library (forward only), with scope global always.
_TORCH_LOCAL = ("minmax", "zscore", "zscore-minmax", "robust", "robust-zscore")


def _refuse_method(info):
    """The message for a registry method Normalize cannot compute (a filter: state along time)."""
    import melnorm
    allowed = [m["name"] for m in melnorm.methods() if m["kind"] == "statistics"]
    own = globals().get(info["name"].upper())
    is_module = isinstance(own, type) and issubclass(own, nn.Module)
    hint = f"; its module is melnorm.torch.{own.__name__}" if is_module else ""
    return (f"method {info['name']!r} is a {info['kind']} method, which melnorm.torch.Normalize does not "
            f"compute{hint}; allowed: {', '.join(allowed)} (the registry's statistics methods), or none")


class Normalize(nn.Module):
    """A normalization method of melnorm's registry as a module on ``[..., F, T]`` (``[F, T]``, ``[B, F, T]``,
    ``[B, 1, F, T]``...): any method :func:`melnorm.methods` lists with ``kind == "statistics"`` (``"none"``: the
    identity). ``minmax``, ``zscore`` and ``zscore-minmax`` are differentiable, ``robust`` and ``robust-zscore``
    (percentiles) forward only, in torch on any device; a statistics method without torch math here is computed
    by the library on the CPU (forward only, not in TorchScript). Filters (``pcen``) are refused, naming their
    module. ``scope="local"``: each item's own statistics over ``axis`` (``"all"``, ``"band"``: per mel band over
    time, ``"frame"``); ``scope="global"``: the maps fitted from ``stats`` (a :class:`melnorm.Stats`), kept as
    buffers so ``state_dict`` carries them. Method parameters as keywords, named and defaulted as the method
    declares them (``ddof=1``, ``clip=1``, ``eps=...``, ``low=5``...). The method, its parameters and scope/axis are
    checked by the library; the numbers equal :func:`melnorm.normalize`.

    >>> t = melnorm.torch.Normalize("zscore", axis="band")
    >>> t(torch.tensor([[1., 3.], [2., 6.]]))
    tensor([[-1.,  1.],
            [-1.,  1.]])
    """

    def __init__(self, method, *, scope="local", axis="all", stats=None, **params):
        super().__init__()
        info = _core().method(method)  # the library's declaration; an unknown name is refused, listing the methods
        if info["kind"] not in ("statistics", "identity"):
            raise ValueError(_refuse_method(info))
        n_bands = stats.n_bands if stats is not None else 1
        params = {k: float(v) for k, v in params.items()}
        # the library checks method, parameters, scope, axis and stats
        _core().normalize(np.zeros((1, n_bands, 2), np.float32), method, scope, axis, stats, None, params)
        full = {p["name"]: float(p["default"]) for p in info["params"]}
        full.update(params)
        self.method, self.scope, self.axis = method, scope, axis
        self.identity = info["kind"] == "identity"
        self.library_local = method not in _TORCH_LOCAL and not self.identity  # no torch math here
        self.method_id = _TORCH_LOCAL.index(method) if method in _TORCH_LOCAL else -1
        self.axis_id = ("all", "band", "frame").index(axis)
        self.global_scope = scope == "global" and not self.identity
        self.ddof = int(full.get("ddof", 0))
        self.clip = full.get("clip", 0.0) != 0.0
        self.eps = full.get("eps", 0.0)
        self.low = full.get("low", 0.0) / 100.0  # the registry's defaults are in full; 0 for methods without one
        self.high = full.get("high", 0.0) / 100.0
        self.params = params
        maps = torch.zeros(1, 8, dtype=torch.float64)
        if self.global_scope:
            maps = torch.from_numpy(_core().global_maps(method, axis, stats, params))
        self.register_buffer("maps", maps)  # [groups, 8]: zero, shift1, scale1, clamp, lo, hi, shift2, scale2

    def _dims(self, x: torch.Tensor):
        if self.axis_id == 0:
            return x.flatten(-2), True
        if self.axis_id == 1:
            return x, False
        return x.transpose(-1, -2), False

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if X.dim() < 2:
            raise ValueError("X must be [..., F, T]")
        if self.identity:
            return X
        if self.global_scope:
            m = self.maps.to(X.dtype)
            if self.axis_id == 1:
                if m.shape[0] != X.shape[-2]:
                    raise ValueError(f"the statistics were fitted on {m.shape[0]} bands, X has {X.shape[-2]}")
                m = m.unsqueeze(1)  # [F, 1, 8]: one map per band, broadcast over frames
            g = [m[..., i] for i in range(8)]
            z = (X - g[1]) * g[2]
            z = torch.where(g[3] != 0, torch.minimum(torch.maximum(z, g[4]), g[5]), z)
            y = (z - g[6]) * g[7]
            return torch.where(g[0] != 0, torch.zeros_like(y), y)
        if self.library_local:
            return self._library_local(X)
        v, flat = self._dims(X)
        if self.method_id >= 3:
            v = v.detach()  # percentiles: forward only
        if self.method_id == 3:  # robust
            lo = torch.quantile(v, self.low, dim=-1, keepdim=True)
            hi = torch.quantile(v, self.high, dim=-1, keepdim=True)
            ok = hi > lo
            out = (torch.minimum(torch.maximum(self._back(v, X, flat), self._stat(lo, X, flat)), self._stat(hi, X, flat))
                   - self._stat(lo, X, flat)) / self._stat(torch.where(ok, hi - lo, torch.ones_like(lo)), X, flat)
            return torch.where(self._stat(ok, X, flat), out, torch.zeros_like(out))
        if self.method_id == 4:  # robust-zscore
            q = torch.quantile(v, torch.tensor([0.25, 0.5, 0.75], dtype=v.dtype, device=v.device), dim=-1, keepdim=True)
            iqr = q[2] - q[0]
            ok = iqr > 0
            out = (self._back(v, X, flat) - self._stat(q[1], X, flat)) / self._stat(torch.where(ok, iqr, torch.ones_like(iqr)), X, flat)
            return torch.where(self._stat(ok, X, flat), out, torch.zeros_like(out))
        n = v.shape[-1]
        mean = v.mean(-1, keepdim=True)
        dev = v - mean
        ss = (dev * dev).sum(-1, keepdim=True)
        vmin = v.amin(-1, keepdim=True)
        vmax = v.amax(-1, keepdim=True)
        if self.method_id == 0:  # minmax
            rng = vmax - vmin
            ok = rng > 0
            out = (v - vmin) / torch.where(ok, rng, torch.ones_like(rng))
            if self.clip:
                out = torch.clamp(out, 0.0, 1.0)
        elif self.method_id == 1:  # zscore
            var = ss / max(n - self.ddof, 1) if n - self.ddof > 0 else torch.zeros_like(ss)
            sd = torch.sqrt(torch.where(var > 0, var, torch.ones_like(var)))
            ok = var > 0
            out = dev / sd
        elif self.method_id == 2:  # zscore-minmax
            var = ss / max(n - 1, 1) if n > 1 else torch.zeros_like(ss)
            sd = torch.sqrt(torch.where(var > 0, var, torch.ones_like(var))) * (var > 0).to(v.dtype)
            denom = sd + self.eps
            ok0 = denom > 0
            denom = torch.where(ok0, denom, torch.ones_like(denom))
            zmin = (vmin - mean) / denom
            zmax = (vmax - mean) / denom
            ok = ok0 & (zmax - zmin > self.eps)
            z = torch.minimum(torch.maximum(dev / denom, zmin), zmax)
            out = (z - zmin) / torch.where(ok, zmax - zmin, torch.ones_like(zmax))
        else:  # a name added to _TORCH_LOCAL without its branch here
            raise RuntimeError("melnorm.torch.Normalize: " + self.method + " is in _TORCH_LOCAL but has no torch branch")
        out = torch.where(ok, out, torch.zeros_like(out))
        return self._back(out, X, flat)

    @torch.jit.unused
    def _library_local(self, X: torch.Tensor) -> torch.Tensor:
        """Local maps of a statistics method without torch math here: the library's, on the CPU (forward only)."""
        items = X.detach().reshape(-1, X.shape[-2], X.shape[-1]).to("cpu", torch.float32).numpy()
        out = _core().normalize(items, self.method, "local", self.axis, None, None, self.params)
        return torch.from_numpy(out).to(X.device, X.dtype).reshape(X.shape)

    def _back(self, v: torch.Tensor, X: torch.Tensor, flat: bool) -> torch.Tensor:
        if flat:
            return v.reshape(X.shape)
        if self.axis_id == 2:
            return v.transpose(-1, -2)
        return v

    def _stat(self, s: torch.Tensor, X: torch.Tensor, flat: bool) -> torch.Tensor:
        if flat:
            return s.unsqueeze(-1)
        if self.axis_id == 2:
            return s.transpose(-1, -2)
        return s

    def extra_repr(self):
        return f"{self.method!r}, scope={self.scope!r}, axis={self.axis!r}"


class PCEN(nn.Module):
    """:func:`melnorm.pcen` (librosa.pcen's parameters and initial state) as a module along the last axis
    (time) of ``[..., F, T]``; differentiable. ``b`` sets the smoothing coefficient directly.

    >>> melnorm.torch.PCEN(sr=8000, hop_length=64)(torch.ones(2, 40, 10)).shape
    torch.Size([2, 40, 10])
    """

    def __init__(self, sr=22050, hop_length=512, gain=0.98, bias=2.0, power=0.5, time_constant=0.4, eps=1e-6, b=None):
        super().__init__()
        from ._librosa import pcen as _pcen
        _pcen(np.ones((1, 1), np.float32), sr=sr, hop_length=hop_length, gain=gain, bias=bias, power=power,
              time_constant=time_constant, eps=eps, b=b)  # librosa's checks, with its messages
        if b is None:
            t_frames = time_constant * sr / float(hop_length)
            b = (math.sqrt(1 + 4 * t_frames ** 2) - 1) / (2 * t_frames ** 2)
        self.b, self.gain, self.bias, self.power, self.eps = float(b), float(gain), float(bias), float(power), float(eps)

    def forward(self, S: torch.Tensor) -> torch.Tensor:
        z = torch.full_like(S[..., 0], 1.0 - self.b)  # scipy.signal.lfilter_zi([b], [1, b - 1])
        smoothed = []
        for t in range(S.shape[-1]):
            m = self.b * S[..., t] + z
            z = (1.0 - self.b) * m
            smoothed.append(m)
        M = torch.stack(smoothed, -1)
        smooth = torch.exp(-self.gain * (math.log(self.eps) + torch.log1p(M / self.eps)))
        if self.power == 0.0:
            return torch.log1p(S * smooth)
        if self.bias == 0.0:
            return torch.pow(S * smooth, self.power)
        return (self.bias ** self.power) * torch.expm1(self.power * torch.log1p(S * smooth / self.bias))

    def extra_repr(self):
        return f"b={self.b:.6g}, gain={self.gain:g}, bias={self.bias:g}, power={self.power:g}, eps={self.eps:g}"


def _uniform(keys: torch.Tensor) -> torch.Tensor:
    """splitmix64 of int64 keys -> float64 in [0, 1): the same numbers on every device."""
    # splitmix64's constants as signed int64 (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB);
    # int64 multiplication wraps, as the algorithm's unsigned arithmetic does
    x = keys * -7046029254386353131
    x = (x ^ _lsr(x, 30)) * -4658895280553007687
    x = (x ^ _lsr(x, 27)) * -7723592293110705685
    x = x ^ _lsr(x, 31)
    return _lsr(x, 11).to(torch.float64) / 9007199254740992.0


def _torchaudio_spec_augment(args, keywords, mask_value):
    """The mask value, given torchaudio's keywords where they mean what melnorm does. torchaudio's SpecAugment
    takes (n_time_masks, time_mask_param, n_freq_masks, freq_mask_param, ...) positionally and by default fills
    masks with the spectrogram's mean: a positional call is refused rather than read in another order."""
    if args:
        raise TypeError(
            f"melnorm.torch.SpecAugment takes keywords only (got {len(args)} positional argument(s)): torchaudio's "
            f"SpecAugment(n_time_masks, time_mask_param, n_freq_masks, freq_mask_param, ...) orders them "
            f"differently; write SpecAugment(n_time_masks=..., time_mask_param=..., n_freq_masks=..., "
            f"freq_mask_param=...)")
    allowed = "freq_mask_param, time_mask_param, n_freq_masks, n_time_masks, mask_value (a number or 'mean'), seed"
    unknown = sorted(set(keywords) - {"iid_masks", "p", "zero_masking"})
    if unknown:
        raise TypeError(f"melnorm.torch.SpecAugment: unknown keyword(s) {', '.join(unknown)}; allowed: {allowed} "
                        f"(and torchaudio's iid_masks=True, p=1.0, zero_masking)")
    if keywords.get("iid_masks", True) is not True:
        raise ValueError("iid_masks=False: melnorm.torch.SpecAugment draws each item's masks (iid_masks=True); for "
                         "one mask over the batch use melnorm.compat.torchaudio.transforms.FrequencyMasking/TimeMasking")
    if keywords.get("p", 1.0) != 1.0:
        raise ValueError(f"p={keywords['p']!r}: melnorm.torch.SpecAugment's time masks are up to time_mask_param "
                         f"frames wide (torchaudio's p=1.0); allowed: 1.0")
    if "zero_masking" in keywords:
        if mask_value is not None:
            raise ValueError("zero_masking and mask_value both given: pass one (zero_masking=True is mask_value=0.0, "
                             "False is mask_value='mean')")
        return 0.0 if keywords["zero_masking"] else "mean"
    return 0.0 if mask_value is None else mask_value


class SpecAugment(nn.Module):
    """SpecAugment's frequency and time masking (Park et al. 2019) on ``[..., F, T]``, in training mode only
    (``model.eval()``: the identity).

    Each item gets ``n_freq_masks`` bands masks of width uniform in ``[0, freq_mask_param]`` and ``n_time_masks``
    frame masks of width uniform in ``[0, time_mask_param]`` (a start uniform over where the mask fits), set to
    ``mask_value``. The draws come from a counter-based generator (splitmix64 of seed, call count and item):
    with a ``seed`` they are reproducible, identical on every device, and independent of torch's global
    generator; the call count is a buffer (``state_dict`` carries it, so a resumed run continues the sequence).
    ``seed=None`` takes one from torch's generator. ``mask_value``: a number (default 0.0) or ``"mean"`` (the
    input batch's mean, as torchaudio's ``zero_masking=False``).

    Keywords only: torchaudio's ``SpecAugment(n_time_masks, time_mask_param, n_freq_masks, freq_mask_param)``
    orders them otherwise, so a positional call is refused. torchaudio's keywords are answered where they mean
    what this module does (``iid_masks=True``, ``p=1.0``, ``zero_masking``: True is 0.0, False is ``"mean"``)
    and refused by name otherwise.

    >>> aug = melnorm.torch.SpecAugment(freq_mask_param=4, time_mask_param=5, seed=0)
    >>> aug(torch.ones(2, 16, 20)).shape
    torch.Size([2, 16, 20])
    """

    def __init__(self, *args, freq_mask_param=8, time_mask_param=20, n_freq_masks=1, n_time_masks=1, mask_value=None,
                 seed=None, **torchaudio_keywords):
        super().__init__()
        mask_value = _torchaudio_spec_augment(args, torchaudio_keywords, mask_value)
        if isinstance(mask_value, str) and mask_value != "mean":
            raise ValueError(f"mask_value={mask_value!r}: allowed are a number or 'mean' (the input's mean)")
        for name, v in (("freq_mask_param", freq_mask_param), ("time_mask_param", time_mask_param),
                        ("n_freq_masks", n_freq_masks), ("n_time_masks", n_time_masks)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ValueError(f"{name}={v!r} must be an integer >= 0")
        if seed is None:
            seed = int(torch.randint(0, 2 ** 62, (1,)))
        self.freq_mask_param, self.time_mask_param = int(freq_mask_param), int(time_mask_param)
        self.n_freq_masks, self.n_time_masks = int(n_freq_masks), int(n_time_masks)
        self.mask_mean = mask_value == "mean"
        self.mask_value = 0.0 if self.mask_mean else float(mask_value)
        self.seed = int(seed)
        key = (self.seed * 0xD1B54A32D192ED03) % (1 << 64)  # the seed spread over 64 bits, as a signed int64
        self.seed_key = key - (1 << 64) if key >= (1 << 63) else key
        self.register_buffer("calls", torch.zeros((), dtype=torch.int64))

    def _masks(self, n_items: int, size: int, n_masks: int, param: int, salt: int, device: torch.device) -> torch.Tensor:
        """[n_items, size] bool: the union of n_masks masks along an axis of `size`."""
        if n_masks == 0 or size == 0:
            return torch.zeros(n_items, size, dtype=torch.bool, device=device)
        item = torch.arange(n_items, dtype=torch.int64, device=device).unsqueeze(1)
        k = torch.arange(n_masks, dtype=torch.int64, device=device).unsqueeze(0)
        base = ((self.calls.to(device) * 1000003 + item) * 64 + k * 2) * 4 + salt + self.seed_key
        width = torch.floor(_uniform(base) * (min(param, size) + 1)).to(torch.int64)
        start = torch.floor(_uniform(base + 2) * (size - width + 1).to(torch.float64)).to(torch.int64)
        pos = torch.arange(size, dtype=torch.int64, device=device).view(1, 1, size)
        inside = (pos >= start.unsqueeze(-1)) & (pos < (start + width).unsqueeze(-1))
        return inside.any(dim=1)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return X
        F, T = X.shape[-2], X.shape[-1]
        items = X.reshape(-1, F, T)
        n = items.shape[0]
        fmask = self._masks(n, F, self.n_freq_masks, self.freq_mask_param, 0, X.device)
        tmask = self._masks(n, T, self.n_time_masks, self.time_mask_param, 1, X.device)
        self.calls.add_(1)
        mask = fmask.unsqueeze(-1) | tmask.unsqueeze(-2)
        fill = items.mean() if self.mask_mean else torch.tensor(self.mask_value, dtype=items.dtype, device=items.device)
        out = torch.where(mask, fill.to(items.dtype).expand_as(items), items)
        return out.reshape(X.shape)

    def extra_repr(self):
        return (f"freq_mask_param={self.freq_mask_param}, time_mask_param={self.time_mask_param}, "
                f"n_freq_masks={self.n_freq_masks}, n_time_masks={self.n_time_masks}, seed={self.seed}")


from melnorm._torch_frontends import KaldiFbank, WhisperLogMel  # noqa: E402
from melnorm._torch_augment import RandomGain, Requantize, AddRandomNoise  # noqa: E402
from melnorm._shards import ShardedDataset  # noqa: E402
