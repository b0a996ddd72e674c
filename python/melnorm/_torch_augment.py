"""Training-time waveform perturbations as torch modules: melnorm.torch.RandomGain, Requantize, AddRandomNoise and
Perturb (the three in the CLI's order). Pure torch on the batch's device; the draws come from the library's
counter-based generator (splitmix64 of seed, epoch, clip and sample), so with a seed, an epoch and the clips'
indices they equal ``melnorm.augment`` and ``melnorm experiment --train-gain/--train-bits/--train-noise``.
Pink noise is filtered by the library on the CPU (a recursive filter) and moved to the batch's device."""
import math
from typing import Optional

import numpy as np
import torch
from torch import nn

_U64 = 1 << 64


def _s64(v: int) -> int:
    """An unsigned 64-bit value as the int64 with the same bits."""
    v %= _U64
    return v - _U64 if v >= (1 << 63) else v


def _lsr(x: torch.Tensor, s: int) -> torch.Tensor:
    """Logical right shift of int64 (torch's >> is arithmetic)."""
    return (x >> s) & ((1 << (64 - s)) - 1)


def _mix(z: torch.Tensor) -> torch.Tensor:
    """splitmix64's finalizer on int64 (wrapping arithmetic has uint64's bits): src/audio/augment.cc's mix."""
    z = z + _s64(0x9E3779B97F4A7C15)
    z = (z ^ _lsr(z, 30)) * _s64(0xBF58476D1CE4E5B9)
    z = (z ^ _lsr(z, 27)) * _s64(0x94D049BB133111EB)
    return z ^ _lsr(z, 31)


# The library's streams (augment.cc): one per stage, so a stage draws the same whether or not the others run.
_NOISE_LEVEL, _NOISE_SAMPLES, _GAIN, _DITHER = 1, 2, 3, 4


def _keys(seed: int, epoch: int, clip: torch.Tensor, stream: int) -> torch.Tensor:
    """[n] int64: the key of each clip's stream (Draws' constructor)."""
    s = _mix(torch.tensor(_s64(seed), dtype=torch.int64, device=clip.device))
    return _mix(_mix(_mix(s ^ _s64(epoch)) ^ clip) ^ stream)


def _uniform(keys: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """Draws::uniform: [0, 1) float64 with 53 bits, the k-th number of each key's stream (broadcast)."""
    return _lsr(_mix(keys ^ _mix(k)), 11).to(torch.float64) * (2.0 ** -53)


def _gaussian(keys: torch.Tensor, n: int) -> torch.Tensor:
    """[len(keys), n] float64: Draws::gaussian (Box-Muller) for samples 0..n-1."""
    k = torch.arange(n, dtype=torch.int64, device=keys.device).unsqueeze(0)
    u1 = 1.0 - _uniform(keys.unsqueeze(1), 2 * k)
    u2 = _uniform(keys.unsqueeze(1), 2 * k + 1)
    return torch.sqrt(-2.0 * torch.log(u1)) * torch.cos(2.0 * math.pi * u2)


def _check_range(name, lo, hi, low, high):
    for v in (lo, hi):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not math.isfinite(v):
            raise ValueError(f"{name}: {v!r} must be a finite number of dB")
    if not (low <= lo <= hi <= high):
        raise ValueError(f"{name}: ({lo!r}, {hi!r}) must be min <= max within [{low}, {high}] dB")
    return float(lo), float(hi)


class _Perturbation(nn.Module):
    """What the three share: where the draws come from, and the batch as rows of [..., time]."""

    def __init__(self, seed, generator):
        super().__init__()
        if seed is not None and generator is not None:
            raise ValueError("seed and generator are alternatives: a seed reproduces the CLI's draws, a "
                             "torch.Generator supplies a fresh seed per call")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"seed={seed!r} must be an integer >= 0")
        self.seed = None if seed is None else int(seed)
        self.generator = generator
        self.register_buffer("calls", torch.zeros((), dtype=torch.int64))

    def _call(self, x: torch.Tensor, epoch: Optional[int], clip):
        """(rows [n, T], seed, epoch, clips [n]) of this call. With a seed: (seed, epoch, clip) as the library;
        epoch defaults to the call count (a fresh draw every call) and clip to the row index. Without: a seed
        from the generator (torch's default one when none was given), epoch 0, the row indices."""
        if x.ndim == 0 or not torch.is_floating_point(x):
            raise ValueError(f"waveform must be a floating-point tensor [..., time], got {x.dtype} of shape "
                             f"{tuple(x.shape)}")
        rows = x.reshape(-1, x.shape[-1])
        n = rows.shape[0]
        if self.seed is None:
            g = self.generator
            seed = int(torch.randint(0, 2 ** 62, (1,), generator=g, device=g.device if g is not None else "cpu"))
            e = 0
        else:
            seed, e = self.seed, int(self.calls) if epoch is None else int(epoch)
        if clip is None:
            c = torch.arange(n, dtype=torch.int64, device=x.device)
        else:
            c = torch.as_tensor(clip, dtype=torch.int64).reshape(-1).to(x.device)
            if c.numel() != n:
                raise ValueError(f"clip: {c.numel()} indices for {n} clips (rows of the batch [..., time])")
        if e < 0 or bool((c < 0).any()):
            raise ValueError("epoch and clip indices must be >= 0")
        return rows, seed, e, c

    def forward(self, waveform: torch.Tensor, *, epoch: Optional[int] = None, clip=None) -> torch.Tensor:
        if not self.training:
            return waveform
        rows, seed, e, c = self._call(waveform, epoch, clip)
        out = self._apply(rows.to(torch.float32), seed, e, c)
        self.calls.add_(1)
        return out.to(waveform.dtype).reshape(waveform.shape)


class RandomGain(_Perturbation):
    """A gain uniform in ``[min_gain_db, max_gain_db]`` per clip, then clipping to [-1, 1]: the stage
    ``--train-gain MIN:MAX`` of ``melnorm experiment``. Rows of ``[..., time]`` are clips; training mode only
    (``eval()``: the identity).

    Draws: with ``seed``, from ``(seed, epoch, clip)`` exactly as :func:`melnorm.augment` (``forward(x, epoch=E,
    clip=ROWS)`` gives the CLI's epoch E of those dataset rows; by default the epoch is the call count and the clips
    are the row indices). Without, each call takes a seed from ``generator`` (a ``torch.Generator``, or torch's
    default one), so a generator seeded the same gives the same batches. Computed on the batch's device.

    >>> g = melnorm.torch.RandomGain(-20.0, -20.0, seed=0)
    >>> round(float(g(torch.full((1, 4), 0.5))[0, 0]), 4)
    0.05
    """

    def __init__(self, min_gain_db: float = -60.0, max_gain_db: float = 0.0, *, seed: Optional[int] = None,
                 generator: Optional[torch.Generator] = None):
        super().__init__(seed, generator)
        self.min_gain_db, self.max_gain_db = _check_range("RandomGain", min_gain_db, max_gain_db, -120, 60)

    def _apply(self, y, seed, epoch, clip):
        keys = _keys(seed, epoch, clip, _GAIN)
        db = self.min_gain_db + (self.max_gain_db - self.min_gain_db) * _uniform(keys, torch.zeros_like(keys))
        g = torch.pow(10.0, db / 20.0).to(torch.float32).unsqueeze(1)
        return torch.clamp(y * g, -1.0, 1.0)

    def extra_repr(self):
        return f"min_gain_db={self.min_gain_db:g}, max_gain_db={self.max_gain_db:g}, seed={self.seed}"


class Requantize(_Perturbation):
    """Rounded to a PCM grid of ``bits`` and clipped to its range, as a recording at that level is stored:
    ``--train-bits B`` (``tpdf_dither=True``: ``--train-dither``, TPDF dither of +-1 LSB before rounding, drawn as
    :class:`RandomGain` draws). Without dither it is deterministic: PCM input at its own bit depth is unchanged.
    Training mode only."""

    def __init__(self, bits: int = 16, *, tpdf_dither: bool = False, seed: Optional[int] = None,
                 generator: Optional[torch.Generator] = None):
        super().__init__(seed, generator)
        if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not 8 <= bits <= 24:
            raise ValueError(f"bits={bits!r} must be an integer in [8, 24] (PCM bits)")
        self.bits, self.tpdf_dither = int(bits), bool(tpdf_dither)

    def _apply(self, y, seed, epoch, clip):
        q = float(2 ** (self.bits - 1))
        v = y.to(torch.float64) * q
        if self.tpdf_dither:
            keys = _keys(seed, epoch, clip, _DITHER).unsqueeze(1)
            k = torch.arange(y.shape[1], dtype=torch.int64, device=y.device).unsqueeze(0)
            v = v + (_uniform(keys, 2 * k) - _uniform(keys, 2 * k + 1))
        return (torch.clamp(torch.round(v), -q, q - 1) / q).to(torch.float32)

    def extra_repr(self):
        return f"bits={self.bits}, tpdf_dither={self.tpdf_dither}, seed={self.seed}"


class AddRandomNoise(_Perturbation):
    """(Not torchaudio's ``transforms.AddNoise``, which adds a noise tensor you give at SNRs you give: this one draws
    both.) White or pink noise at an SNR uniform in ``[min_snr_db, max_snr_db]`` relative to each clip's power
    (a silent clip gets none): ``--train-noise MIN:MAX`` with ``--train-noise-color``. Draws as
    :class:`RandomGain`; white noise is generated on the batch's device, pink by the library on the CPU.
    Training mode only."""

    def __init__(self, min_snr_db: float = 10.0, max_snr_db: float = 40.0, *, color: str = "white",
                 seed: Optional[int] = None, generator: Optional[torch.Generator] = None):
        super().__init__(seed, generator)
        self.min_snr_db, self.max_snr_db = _check_range("AddRandomNoise", min_snr_db, max_snr_db, -30, 120)
        if color not in ("white", "pink"):
            raise ValueError(f"color={color!r}: allowed are 'white' and 'pink'")
        self.color = color

    def _unit_noise(self, seed, epoch, clip, n, device):
        if self.color == "white":
            return _gaussian(_keys(seed, epoch, clip, _NOISE_SAMPLES), n)
        from . import _melnorm  # the library's pink filter (recursive: run on the CPU) on the same white noise
        return torch.stack([torch.from_numpy(_melnorm.augment_noise(n, seed, epoch, int(c), "pink"))
                            for c in clip.tolist()]).to(device)

    def _apply(self, y, seed, epoch, clip):
        n = y.shape[1]
        y64 = y.to(torch.float64)
        signal = (y64 ** 2).mean(dim=1) if n else torch.zeros(y.shape[0], dtype=torch.float64, device=y.device)
        keys = _keys(seed, epoch, clip, _NOISE_LEVEL)
        snr = self.min_snr_db + (self.max_snr_db - self.min_snr_db) * _uniform(keys, torch.zeros_like(keys))
        noise = self._unit_noise(seed, epoch, clip, n, y.device)
        power = (noise ** 2).mean(dim=1) if n else torch.zeros_like(signal)
        ok = (signal > 0) & (power > 0)
        safe = torch.where(ok, power, torch.ones_like(power))
        scale = torch.where(ok, torch.sqrt(signal / torch.pow(10.0, snr / 10.0) / safe), torch.zeros_like(power))
        return (y64 + scale.unsqueeze(1) * noise).to(torch.float32)

    def extra_repr(self):
        return f"min_snr_db={self.min_snr_db:g}, max_snr_db={self.max_snr_db:g}, color={self.color!r}, seed={self.seed}"
