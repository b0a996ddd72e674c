"""Pretrained models' front ends as differentiable, TorchScript-able ``torch.nn.Module`` s (pure torch: no melnorm
extension, no torchaudio, no librosa needed), re-exported by :mod:`melnorm.torch`:

- :class:`KaldiFbank`: ``torchaudio.compliance.kaldi.fbank`` (torchaudio 0.13), Kaldi's ``compute-fbank-feats``, the
  front end of AST (``max_frames=1024``, ``mean``/``std``) and BEATs (``waveform_scale=2**15``, ``mean``/``std``).
- :class:`WhisperLogMel`: OpenAI Whisper's ``log_mel_spectrogram`` (openai-whisper 20231117, the same numbers as
  transformers' ``WhisperFeatureExtractor``), 80 or 128 mel bands, with librosa 0.10's Slaney filters.

The analysis windows and filterbanks are computed once in ``__init__`` and kept as (float32) buffers, so
``.to(device)`` / ``.to(torch.float64)`` move and convert them; ``forward`` casts them to the input's dtype (float32
buffers keep the modules usable where float64 is not, e.g. MPS; in float64 their rounding shows as ~1e-5 relative in
the weakest bins).
"""
import math
import numbers
from typing import List, Optional

import torch
from torch import nn

__all__ = ["KaldiFbank", "WhisperLogMel"]

# std::numeric_limits<float>::epsilon(): Kaldi's floor before every log, whatever the input's dtype (torchaudio's EPSILON)
_KALDI_EPSILON = 1.1920928955078125e-07
_KALDI_WINDOWS = ("povey", "hanning", "hamming", "blackman", "rectangular")


def _refuse(owner, name, value, allowed):
    """A ValueError naming the keyword, its bad value and what is allowed."""
    return ValueError(f"{owner}: {name}={value!r} is not allowed; allowed: {allowed}")


def _finite(owner, name, value):
    """value as a float, refused unless it is a finite number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise _refuse(owner, name, value, "a finite number")
    return float(value)


def _integer(owner, name, value, minimum, allowed=None):
    """value as an int, refused unless it is an integer >= minimum."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise _refuse(owner, name, value, allowed or f"an integer >= {minimum}")
    return int(value)


def _kaldi_window(window_type: str, size: int, blackman_coeff: float) -> torch.Tensor:
    """torchaudio 0.13's ``_feature_window_function`` (Kaldi's symmetric windows), float64."""
    if window_type == "hanning":
        return torch.hann_window(size, periodic=False, dtype=torch.float64)
    if window_type == "hamming":
        return torch.hamming_window(size, periodic=False, alpha=0.54, beta=0.46, dtype=torch.float64)
    if window_type == "povey":  # like hanning, but goes to zero at the edges
        return torch.hann_window(size, periodic=False, dtype=torch.float64).pow(0.85)
    if window_type == "rectangular":
        return torch.ones(size, dtype=torch.float64)
    a = 2 * math.pi / (size - 1)  # blackman with Kaldi's coefficient (torch.blackman_window's is fixed at 0.42)
    n = torch.arange(size, dtype=torch.float64)
    return blackman_coeff - 0.5 * torch.cos(a * n) + (0.5 - blackman_coeff) * torch.cos(2 * a * n)


def _kaldi_mel(freq: torch.Tensor) -> torch.Tensor:
    """Kaldi's mel scale, 1127 ln(1 + f / 700) (torchaudio's ``mel_scale``)."""
    return 1127.0 * torch.log(1.0 + freq / 700.0)


def _kaldi_mel_banks(num_bins: int, padded_window_size: int, sample_frequency: float, low_freq: float,
                     high_freq: float) -> torch.Tensor:
    """torchaudio 0.13's ``get_mel_banks`` without VTLN warping, padded with the zero column of the Nyquist bin as
    ``fbank`` pads it: [num_bins, padded_window_size // 2 + 1], float64 (high_freq already offset from Nyquist)."""
    mel_low, mel_high = 1127.0 * math.log(1.0 + low_freq / 700.0), 1127.0 * math.log(1.0 + high_freq / 700.0)
    # num_bins + 1: the end bins spread out to the sides
    delta = (mel_high - mel_low) / (num_bins + 1)
    b = torch.arange(num_bins, dtype=torch.float64).unsqueeze(1)
    left, center, right = mel_low + b * delta, mel_low + (b + 1.0) * delta, mel_low + (b + 2.0) * delta
    fft_bin_width = sample_frequency / padded_window_size
    mel = _kaldi_mel(fft_bin_width * torch.arange(padded_window_size // 2, dtype=torch.float64)).unsqueeze(0)
    up = (mel - left) / (center - left)
    down = (right - mel) / (right - center)
    banks = torch.clamp(torch.minimum(up, down), min=0.0)
    return torch.nn.functional.pad(banks, (0, 1))


def _kaldi_frame_sizes(sample_frequency, frame_length, frame_shift, round_to_power_of_two):
    """(window_size, window_shift, padded_window_size) in samples, as torchaudio 0.13 derives and checks them."""
    owner = "KaldiFbank"
    # the same float arithmetic as torchaudio: int(sample_frequency * ms * 0.001)
    window_shift = int(sample_frequency * frame_shift * 0.001)
    window_size = int(sample_frequency * frame_length * 0.001)
    if window_size < 2:
        raise _refuse(owner, "frame_length", frame_length,
                      f"a window of at least 2 samples; it gives {window_size} at sample_frequency={sample_frequency:g} "
                      f"(int(sample_frequency * frame_length / 1000))")
    if window_shift < 1:
        raise _refuse(owner, "frame_shift", frame_shift,
                      f"a shift of at least 1 sample; it gives {window_shift} at sample_frequency={sample_frequency:g} "
                      f"(int(sample_frequency * frame_shift / 1000))")
    padded = 1 << (window_size - 1).bit_length() if round_to_power_of_two else window_size
    if padded % 2:
        raise _refuse(owner, "frame_length", frame_length,
                      f"an even window with round_to_power_of_two=False (torchaudio refuses an odd padded window); it "
                      f"gives {window_size} samples at sample_frequency={sample_frequency:g}: use "
                      f"round_to_power_of_two=True or another frame_length")
    return window_size, window_shift, padded


def _kaldi_band(sample_frequency, low_freq, high_freq):
    """(low, high) in Hz, with high_freq <= 0 taken as an offset from Nyquist, checked as Kaldi checks them."""
    nyquist = 0.5 * sample_frequency
    high = high_freq + nyquist if high_freq <= 0.0 else high_freq
    if not 0.0 <= low_freq < nyquist:
        raise _refuse("KaldiFbank", "low_freq", low_freq, f"0 <= low_freq < Nyquist ({nyquist:g} Hz)")
    if not 0.0 < high <= nyquist:
        raise _refuse("KaldiFbank", "high_freq", high_freq,
                      f"0 < high_freq <= Nyquist ({nyquist:g} Hz), or high_freq <= 0 as an offset from Nyquist "
                      f"above -{nyquist:g} (it gives {high:g} Hz)")
    if not low_freq < high:
        raise ValueError(f"KaldiFbank: low_freq={low_freq!r} and high_freq={high_freq!r} give an empty band "
                         f"({low_freq:g} Hz to {high:g} Hz); allowed: low_freq < the high edge")
    return float(low_freq), float(high)


def _check_kaldi_options(o):
    """Refuses, naming the keyword, what torchaudio 0.13's fbank asserts or would compute nonsense from."""
    owner = "KaldiFbank"
    if o["vtln_warp"] != 1.0:
        raise _refuse(owner, "vtln_warp", o["vtln_warp"], "1.0 only (VTLN warping is not implemented here)")
    if o["sample_frequency"] <= 0:
        raise _refuse(owner, "sample_frequency", o["sample_frequency"], "a rate > 0 Hz")
    if o["window_type"] not in _KALDI_WINDOWS:
        raise _refuse(owner, "window_type", o["window_type"], ", ".join(_KALDI_WINDOWS))
    if not 0.0 <= o["preemphasis_coefficient"] <= 1.0:
        raise _refuse(owner, "preemphasis_coefficient", o["preemphasis_coefficient"], "0 <= preemphasis_coefficient <= 1")
    if o["energy_floor"] < 0.0:
        raise _refuse(owner, "energy_floor", o["energy_floor"], "energy_floor >= 0 (0: no floor; its log is taken)")
    if o["std"] is not None and o["std"] <= 0.0:
        raise _refuse(owner, "std", o["std"], "a divisor > 0, or None")


class KaldiFbank(nn.Module):
    """``torchaudio.compliance.kaldi.fbank`` (torchaudio 0.13.1, Kaldi's ``compute-fbank-feats``) as a module, with
    its keyword names and defaults, differentiable w.r.t. the waveform and TorchScript-able.

    ``[..., time]`` -> ``[..., frames, bins]``, time first as Kaldi lays it out: a 1-D waveform gives
    ``[frames, num_mel_bins (+1 with use_energy)]`` as torchaudio does, ``[B, time]`` gives ``[B, frames, bins]``
    (each item on its own: ``subtract_mean`` and the normalization are per item). torchaudio's mono ``[1, time]``
    therefore gives ``[1, frames, bins]`` here (there is no ``channel`` keyword: index the channel first).

    Beyond torchaudio's keywords: ``waveform_scale`` multiplies the input first (BEATs: ``2**15``, Kaldi's int16
    range); ``max_frames`` zero-pads or trims the frames to that many after the fbank (and ``subtract_mean``) and
    before the normalization, as transformers' ``ASTFeatureExtractor`` does; ``mean``/``std`` then give
    ``(x - mean) / std``. AST: ``KaldiFbank(htk_compat=True, window_type="hanning", num_mel_bins=128,
    max_frames=1024, mean=-4.2677393, std=2 * 4.5689974)``; BEATs: ``KaldiFbank(num_mel_bins=128,
    waveform_scale=2**15, mean=15.41663, std=2 * 6.55582)``.

    ``dither != 0`` adds ``dither * N(0, 1)`` noise to each frame (as torchaudio), drawn from ``forward``'s
    ``generator`` (a ``torch.Generator`` on the input's device) or torch's global one; TorchScript 1.13 has no
    Generator type, so the scripted module (``torch.jit.script(m)``) takes the waveform only and draws from the
    global generator. ``vtln_low``/``vtln_high`` are accepted for torchaudio's signature; ``vtln_warp != 1`` is
    refused. A waveform shorter than one window is refused, as torchaudio does.

    >>> fbank = melnorm.torch.KaldiFbank(num_mel_bins=80)
    >>> fbank(torch.zeros(16000)).shape
    torch.Size([98, 80])
    """
    mean: Optional[float]
    std: Optional[float]
    max_frames: Optional[int]

    def __init__(self, *, sample_frequency=16000.0, frame_length=25.0, frame_shift=10.0, num_mel_bins=23,
                 low_freq=20.0, high_freq=0.0, preemphasis_coefficient=0.97, remove_dc_offset=True,
                 round_to_power_of_two=True, snip_edges=True, window_type="povey", blackman_coeff=0.42, dither=0.0,
                 energy_floor=1.0, use_energy=False, raw_energy=True, htk_compat=False, use_log_fbank=True,
                 use_power=True, subtract_mean=False, vtln_low=100.0, vtln_high=-500.0, vtln_warp=1.0,
                 waveform_scale=1.0, max_frames=None, mean=None, std=None):
        super().__init__()
        n = "KaldiFbank"
        o = {k: _finite(n, k, v) for k, v in dict(
            sample_frequency=sample_frequency, frame_length=frame_length, frame_shift=frame_shift, low_freq=low_freq,
            high_freq=high_freq, preemphasis_coefficient=preemphasis_coefficient, blackman_coeff=blackman_coeff,
            dither=dither, energy_floor=energy_floor, vtln_low=vtln_low, vtln_high=vtln_high, vtln_warp=vtln_warp,
            waveform_scale=waveform_scale).items()}
        o["mean"] = None if mean is None else _finite(n, "mean", mean)
        o["std"] = None if std is None else _finite(n, "std", std)
        o["window_type"] = window_type
        _check_kaldi_options(o)
        self.num_mel_bins = _integer(n, "num_mel_bins", num_mel_bins, 4, "an integer > 3 (Kaldi needs at least 4 bins)")
        self.max_frames = None if max_frames is None else _integer(n, "max_frames", max_frames, 1)
        self.window_size, self.window_shift, self.padded_window_size = _kaldi_frame_sizes(
            o["sample_frequency"], o["frame_length"], o["frame_shift"], bool(round_to_power_of_two))
        self.low_freq, self.high_freq = _kaldi_band(o["sample_frequency"], o["low_freq"], o["high_freq"])
        self.sample_frequency, self.window_type = o["sample_frequency"], window_type
        self.preemphasis_coefficient, self.dither = o["preemphasis_coefficient"], o["dither"]
        self.energy_floor, self.waveform_scale = o["energy_floor"], o["waveform_scale"]
        self.epsilon = _KALDI_EPSILON
        self.log_energy_floor = math.log(self.energy_floor) if self.energy_floor > 0.0 else 0.0
        self.mean, self.std = o["mean"], o["std"]
        self.remove_dc_offset, self.snip_edges = bool(remove_dc_offset), bool(snip_edges)
        self.use_energy, self.raw_energy, self.htk_compat = bool(use_energy), bool(raw_energy), bool(htk_compat)
        self.use_log_fbank, self.use_power, self.subtract_mean = bool(use_log_fbank), bool(use_power), bool(subtract_mean)
        window = _kaldi_window(window_type, self.window_size, o["blackman_coeff"])
        self.register_buffer("window", window.float())
        banks = _kaldi_mel_banks(self.num_mel_bins, self.padded_window_size, self.sample_frequency, self.low_freq,
                                 self.high_freq)
        self.register_buffer("mel_banks", banks.t().contiguous().float())  # [fft bins, num_mel_bins]

    def _frames(self, waveform: torch.Tensor) -> torch.Tensor:
        """[..., time] -> [items, frames, window_size]: torchaudio's ``_get_strided`` on each item."""
        if waveform.dim() < 1 or not waveform.is_floating_point():
            raise ValueError("KaldiFbank: the waveform must be a floating-point tensor [..., time], got dtype "
                             + str(waveform.dtype) + " with " + str(waveform.dim()) + " dimensions")
        n = waveform.shape[-1]
        if n < self.window_size:
            raise ValueError("KaldiFbank: the waveform has " + str(n) + " samples, fewer than one window of "
                             + str(self.window_size) + " samples (frame_length at sample_frequency); torchaudio "
                             + "refuses it too")
        x = waveform.reshape(-1, n)
        if self.waveform_scale != 1.0:
            x = x * self.waveform_scale
        if self.snip_edges:
            return x.unfold(-1, self.window_size, self.window_shift)
        # frames centred on multiples of the shift; the edges reflected as Kaldi does ([2, 1, 0, 0, 1, 2])
        m = (n + self.window_shift // 2) // self.window_shift
        pad = self.window_size // 2 - self.window_shift // 2
        tail = torch.flip(x, [-1])
        if pad > 0:
            x = torch.cat((torch.flip(x[:, :pad], [-1]), x, tail), dim=-1)
        else:
            x = torch.cat((x[:, -pad:], tail), dim=-1)
        return x.unfold(-1, self.window_size, self.window_shift)[:, :m]

    def _log_energy(self, frames: torch.Tensor) -> torch.Tensor:
        """torchaudio's ``_get_log_energy``: log(max(sum x^2, eps)), floored at log(energy_floor) unless it is 0."""
        energy = torch.clamp(frames.pow(2).sum(-1), min=self.epsilon).log()
        if self.energy_floor > 0.0:
            energy = torch.clamp(energy, min=self.log_energy_floor)
        return energy

    def _features(self, frames: torch.Tensor, waveform: torch.Tensor) -> torch.Tensor:
        """[items, frames, window_size] (dithered) -> [..., frames, bins]: the rest of torchaudio's ``_get_window``
        and ``fbank``, then max_frames and the normalization."""
        if self.remove_dc_offset:
            frames = frames - frames.mean(-1, keepdim=True)
        energy_input = frames
        if self.preemphasis_coefficient != 0.0:
            previous = torch.cat((frames[..., :1], frames[..., :-1]), dim=-1)  # x[max(0, j - 1)]
            frames = frames - self.preemphasis_coefficient * previous
        frames = frames * self.window.to(frames.dtype)
        if not self.raw_energy:
            energy_input = frames  # after the window (the zero padding adds nothing)
        spectrum = torch.fft.rfft(frames, n=self.padded_window_size)
        if self.use_power:
            power = spectrum.real * spectrum.real + spectrum.imag * spectrum.imag
        else:
            power = spectrum.abs()
        mel = torch.matmul(power, self.mel_banks.to(power.dtype))
        if self.use_log_fbank:
            mel = torch.clamp(mel, min=self.epsilon).log()
        if self.use_energy:
            energy = self._log_energy(energy_input).unsqueeze(-1)
            mel = torch.cat((mel, energy), dim=-1) if self.htk_compat else torch.cat((energy, mel), dim=-1)
        if self.subtract_mean:
            mel = mel - mel.mean(-2, keepdim=True)
        mel = self._normalize(self._fit_frames(mel))
        shape: List[int] = list(waveform.shape[:-1]) + [mel.shape[-2], mel.shape[-1]]
        return mel.reshape(shape)

    def _fit_frames(self, mel: torch.Tensor) -> torch.Tensor:
        """Zero-pads or trims [items, frames, bins] to max_frames frames (transformers' ASTFeatureExtractor)."""
        max_frames = self.max_frames
        if max_frames is None:
            return mel
        if mel.shape[-2] >= max_frames:
            return mel[:, :max_frames]
        return torch.nn.functional.pad(mel, (0, 0, 0, max_frames - mel.shape[-2]))

    def _normalize(self, mel: torch.Tensor) -> torch.Tensor:
        mean, std = self.mean, self.std
        if mean is not None:
            mel = mel - mean
        if std is not None:
            mel = mel / std
        return mel

    def _dither(self, frames: torch.Tensor, generator: Optional[torch.Generator]) -> torch.Tensor:
        noise = torch.randn(frames.shape, generator=generator, dtype=frames.dtype, device=frames.device)
        return frames + noise * self.dither

    def forward(self, waveform: torch.Tensor, generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """waveform [..., time] -> features [..., frames, bins]; ``generator``: the dither's noise source."""
        frames = self._frames(waveform)
        if self.dither != 0.0:
            frames = self._dither(frames, generator)
        return self._features(frames, waveform)

    def __prepare_scriptable__(self):
        """What ``torch.jit.script`` compiles: the same module (sharing its buffers) without forward's generator."""
        twin = _ScriptableKaldiFbank.__new__(_ScriptableKaldiFbank)
        twin.__dict__.update(self.__dict__)
        return twin

    def extra_repr(self):
        return (f"sample_frequency={self.sample_frequency:g}, window_size={self.window_size}, "
                f"window_shift={self.window_shift}, padded_window_size={self.padded_window_size}, "
                f"num_mel_bins={self.num_mel_bins}, window_type={self.window_type!r}, use_energy={self.use_energy}")


class _ScriptableKaldiFbank(KaldiFbank):
    """:class:`KaldiFbank` as TorchScript compiles it (TorchScript 1.13 has no torch.Generator type): dither from
    torch's global generator."""

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        frames = self._frames(waveform)
        if self.dither != 0.0:
            frames = frames + torch.randn(frames.shape, dtype=frames.dtype, device=frames.device) * self.dither
        return self._features(frames, waveform)

    def __prepare_scriptable__(self):
        return self


def _hz_to_slaney_mel(hz: torch.Tensor) -> torch.Tensor:
    """librosa 0.10's ``hz_to_mel(htk=False)``: linear below 1 kHz (200/3 Hz a mel), logarithmic above."""
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, math.log(6.4) / 27.0
    return torch.where(hz >= min_log_hz, min_log_hz / f_sp + torch.log(hz / min_log_hz) / logstep, hz / f_sp)


def _slaney_mel_to_hz(mel: torch.Tensor) -> torch.Tensor:
    """librosa 0.10's ``mel_to_hz(htk=False)``."""
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, math.log(6.4) / 27.0
    min_log_mel = min_log_hz / f_sp
    return torch.where(mel >= min_log_mel, min_log_hz * torch.exp(logstep * (mel - min_log_mel)), f_sp * mel)


def _slaney_mel_filters(sr: float, n_fft: int, n_mels: int) -> torch.Tensor:
    """librosa 0.10's ``filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels)`` (fmin 0, fmax sr/2, Slaney scale, slaney
    norm), which Whisper's ``mel_filters.npz`` holds: [n_mels, 1 + n_fft // 2], float64."""
    fftfreqs = torch.arange(1 + n_fft // 2, dtype=torch.float64) * (sr / n_fft)  # np.fft.rfftfreq(n_fft, 1 / sr)
    edges = _hz_to_slaney_mel(torch.tensor([0.0, sr / 2.0], dtype=torch.float64))
    mel_f = _slaney_mel_to_hz(torch.linspace(float(edges[0]), float(edges[1]), n_mels + 2, dtype=torch.float64))
    fdiff = mel_f[1:] - mel_f[:-1]
    ramps = mel_f.unsqueeze(1) - fftfreqs.unsqueeze(0)
    lower = -ramps[:n_mels] / fdiff[:n_mels].unsqueeze(1)
    upper = ramps[2:n_mels + 2] / fdiff[1:n_mels + 1].unsqueeze(1)
    weights = torch.clamp(torch.minimum(lower, upper), min=0.0)
    enorm = 2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels])  # slaney: each triangle has unit area per Hz
    return weights * enorm.unsqueeze(1)


class WhisperLogMel(nn.Module):
    """OpenAI Whisper's ``log_mel_spectrogram`` (``whisper/audio.py`` of openai-whisper 20231117, whose ``n_mels``
    gives large-v3's 128 bands; transformers' ``WhisperFeatureExtractor`` computes the same numbers) as a
    differentiable, TorchScript-able module.

    ``[..., time]`` at 16 kHz -> ``[..., n_mels, 3000]``: with ``pad_or_trim`` (the default) the waveform is
    zero-padded or trimmed to 30 s (480000 samples) first, as the feature extractor does; then ``torch.stft(400,
    160, hann_window(400))`` centred with reflect padding, the last frame dropped, power, librosa's Slaney mel
    filters (``librosa.filters.mel(sr=16000, n_fft=400, n_mels)``), ``log10(max(x, 1e-10))``, ``max(x,
    x.max() - 8)``, ``(x + 4) / 4``. The peak is each item's own (as transformers' batched extractor; Whisper's
    function given a batch takes one peak over the whole batch). ``pad_or_trim=False``: ``time // hop_length``
    frames. ``n_mels``: 80 (Whisper up to large-v2) or 128 (large-v3); other counts compute librosa's filters for
    them, which no Whisper checkpoint uses. Only 16 kHz audio is accepted (the model's filters and 30 s window
    are defined at that rate).

    >>> melnorm.torch.WhisperLogMel()(torch.zeros(16000)).shape
    torch.Size([80, 3000])
    """

    def __init__(self, *, n_mels=80, sample_rate=16000, n_fft=400, hop_length=160, pad_or_trim=True):
        super().__init__()
        owner = "WhisperLogMel"
        if sample_rate != 16000:
            raise _refuse(owner, "sample_rate", sample_rate,
                          "16000 only (Whisper's front end is defined at 16 kHz): resample the audio to 16000 Hz first, "
                          "e.g. with torchaudio.functional.resample")
        self.n_mels = _integer(owner, "n_mels", n_mels, 1, "80 or 128 (Whisper's), or another count >= 1")
        self.n_fft = _integer(owner, "n_fft", n_fft, 2)
        self.hop_length = _integer(owner, "hop_length", hop_length, 1)
        self.sample_rate = 16000
        self.pad_or_trim = bool(pad_or_trim)
        self.n_samples = 30 * self.sample_rate  # Whisper's N_SAMPLES: 30 s chunks
        self.register_buffer("window", torch.hann_window(self.n_fft, dtype=torch.float64).float())
        self.register_buffer("mel_filters", _slaney_mel_filters(16000.0, self.n_fft, self.n_mels).float())

    def _fit(self, x: torch.Tensor) -> torch.Tensor:
        """Whisper's ``pad_or_trim``: [items, time] zero-padded or trimmed to 30 s."""
        if x.shape[-1] >= self.n_samples:
            return x[:, :self.n_samples]
        return torch.nn.functional.pad(x, (0, self.n_samples - x.shape[-1]))

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        """audio [..., time] (16 kHz) -> log-mel [..., n_mels, frames]."""
        if audio.dim() < 1 or not audio.is_floating_point():
            raise ValueError("WhisperLogMel: the audio must be a floating-point tensor [..., time], got dtype "
                             + str(audio.dtype) + " with " + str(audio.dim()) + " dimensions")
        x = audio.reshape(-1, audio.shape[-1])
        if self.pad_or_trim:
            x = self._fit(x)
        elif x.shape[-1] <= self.n_fft // 2:
            raise ValueError("WhisperLogMel: the audio has " + str(x.shape[-1]) + " samples; the centred STFT's "
                             + "reflect padding needs more than n_fft // 2 = " + str(self.n_fft // 2))
        stft = torch.stft(x, self.n_fft, self.hop_length, self.n_fft, self.window.to(x.dtype), True, "reflect",
                          False, True, return_complex=True)
        stft = stft[..., :-1]
        power = stft.real * stft.real + stft.imag * stft.imag
        mel = torch.matmul(self.mel_filters.to(power.dtype), power)
        log_spec = torch.clamp(mel, min=1e-10).log10()
        peak = log_spec.amax(dim=[-2, -1], keepdim=True)
        log_spec = torch.maximum(log_spec, peak - 8.0)
        log_spec = (log_spec + 4.0) / 4.0
        shape: List[int] = list(audio.shape[:-1]) + [log_spec.shape[-2], log_spec.shape[-1]]
        return log_spec.reshape(shape)

    def extra_repr(self):
        return (f"n_mels={self.n_mels}, sample_rate={self.sample_rate}, n_fft={self.n_fft}, "
                f"hop_length={self.hop_length}, pad_or_trim={self.pad_or_trim}")
