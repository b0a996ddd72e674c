"""torchaudio.transforms' names (torchaudio 2.x signatures and defaults) as torch.nn.Modules.

Pure torch (any device, dtype, autograd) through :mod:`.functional`. ``MelSpectrogram`` with torchaudio's
window, padding and filterbank options at their defaults runs CPU float32 inputs without ``requires_grad`` on
melnorm's C++ core (``melnorm.Pipeline(preset="torchaudio", db="off")``), which gives the same numbers.
"""
import math
from typing import Callable, Optional, Union

import torch
from torch import Tensor

from . import functional as F

__all__ = ["Spectrogram", "MelScale", "MelSpectrogram", "AmplitudeToDB", "MFCC", "Resample", "FrequencyMasking",
           "TimeMasking"]


class Spectrogram(torch.nn.Module):
    def __init__(self, n_fft: int = 400, win_length: Optional[int] = None, hop_length: Optional[int] = None,
                 pad: int = 0, window_fn: Callable[..., Tensor] = torch.hann_window, power: Optional[float] = 2.0,
                 normalized: Union[bool, str] = False, wkwargs: Optional[dict] = None, center: bool = True,
                 pad_mode: str = "reflect", onesided: bool = True, return_complex: Optional[bool] = None) -> None:
        super().__init__()
        F._spec_norms(normalized)
        self.n_fft = n_fft
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        window = window_fn(self.win_length) if wkwargs is None else window_fn(self.win_length, **wkwargs)
        self.register_buffer("window", window)
        self.pad, self.power, self.normalized = pad, power, normalized
        self.center, self.pad_mode, self.onesided = center, pad_mode, onesided
        self.return_complex = return_complex

    def forward(self, waveform: Tensor) -> Tensor:
        return F.spectrogram(waveform, self.pad, self.window.to(waveform.dtype if waveform.is_floating_point()
                                                                else self.window.dtype),
                             self.n_fft, self.hop_length, self.win_length, self.power, self.normalized, self.center,
                             self.pad_mode, self.onesided, self.return_complex)


class AmplitudeToDB(torch.nn.Module):
    """``10 log10(max(x, 1e-10))`` (``stype="power"``) or ``20 log10`` (``"magnitude"``), re 1; ``top_db`` floors at
    the max minus top_db, the max taken per batch item over its channels (torchaudio's rule)."""

    def __init__(self, stype: str = "power", top_db: Optional[float] = None) -> None:
        super().__init__()
        if stype not in ("power", "magnitude"):
            raise ValueError(f"stype={stype!r}: allowed are 'power', 'magnitude'")
        if top_db is not None and top_db < 0:
            raise ValueError(f"top_db={top_db}: must be positive or None")
        self.stype, self.top_db = stype, top_db
        self.multiplier = 10.0 if stype == "power" else 20.0
        self.amin = 1e-10
        self.ref_value = 1.0
        self.db_multiplier = math.log10(max(self.amin, self.ref_value))

    def forward(self, x: Tensor) -> Tensor:
        return F.amplitude_to_DB(x, self.multiplier, self.amin, self.db_multiplier, self.top_db)


class MelScale(torch.nn.Module):
    def __init__(self, n_mels: int = 128, sample_rate: int = 16000, f_min: float = 0.0, f_max: Optional[float] = None,
                 n_stft: int = 201, norm: Optional[str] = None, mel_scale: str = "htk") -> None:
        super().__init__()
        self.n_mels, self.sample_rate = n_mels, sample_rate
        self.f_max = f_max if f_max is not None else float(sample_rate // 2)
        self.f_min, self.norm, self.mel_scale = f_min, norm, mel_scale
        if f_min > self.f_max:
            raise ValueError(f"f_min={f_min} must be <= f_max={self.f_max}")
        self.register_buffer("fb", F.melscale_fbanks(n_stft, self.f_min, self.f_max, n_mels, sample_rate, norm,
                                                     mel_scale))

    def forward(self, specgram: Tensor) -> Tensor:
        return torch.matmul(specgram.transpose(-1, -2), self.fb.to(specgram.dtype)).transpose(-1, -2)


class MelSpectrogram(torch.nn.Module):
    def __init__(self, sample_rate: int = 16000, n_fft: int = 400, win_length: Optional[int] = None,
                 hop_length: Optional[int] = None, f_min: float = 0.0, f_max: Optional[float] = None, pad: int = 0,
                 n_mels: int = 128, window_fn: Callable[..., Tensor] = torch.hann_window, power: float = 2.0,
                 normalized: bool = False, wkwargs: Optional[dict] = None, center: bool = True,
                 pad_mode: str = "reflect", onesided: Optional[bool] = None, norm: Optional[str] = None,
                 mel_scale: str = "htk") -> None:
        super().__init__()
        if onesided is not None and onesided is not True:
            raise ValueError(f"onesided={onesided!r}: torchaudio 2.x's MelSpectrogram is one-sided (None or True)")
        self.sample_rate, self.n_fft = sample_rate, n_fft
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        self.pad, self.power, self.normalized = pad, power, normalized
        self.n_mels, self.f_max, self.f_min = n_mels, f_max, f_min
        self.spectrogram = Spectrogram(n_fft=n_fft, win_length=self.win_length, hop_length=self.hop_length, pad=pad,
                                       window_fn=window_fn, power=power, normalized=normalized, wkwargs=wkwargs,
                                       center=center, pad_mode=pad_mode, onesided=True)
        self.mel_scale = MelScale(n_mels, sample_rate, f_min, f_max, n_fft // 2 + 1, norm, mel_scale)
        self._core = None
        if (window_fn is torch.hann_window and wkwargs is None and pad == 0 and power == 2.0 and not normalized
                and center and pad_mode == "reflect" and norm is None and mel_scale == "htk"
                and self.win_length <= n_fft and float(sample_rate) == int(sample_rate)):
            import melnorm
            self._core = melnorm.Pipeline(preset="torchaudio", db="off", sr=int(sample_rate), n_fft=n_fft,
                                          win_length=self.win_length, hop_length=self.hop_length, n_mels=n_mels,
                                          fmin=f_min, fmax=self.mel_scale.f_max)

    def forward(self, waveform: Tensor) -> Tensor:
        if (self._core is not None and waveform.dtype == torch.float32 and waveform.device.type == "cpu"
                and not waveform.requires_grad and waveform.dim() >= 1 and waveform.shape[-1] > self.n_fft // 2
                and not torch.jit.is_scripting()):
            return self._core(waveform.contiguous())
        return self.mel_scale(self.spectrogram(waveform))


class MFCC(torch.nn.Module):
    def __init__(self, sample_rate: int = 16000, n_mfcc: int = 40, dct_type: int = 2, norm: str = "ortho",
                 log_mels: bool = False, melkwargs: Optional[dict] = None) -> None:
        super().__init__()
        if dct_type != 2:
            raise ValueError(f"dct_type={dct_type}: allowed is 2")
        self.sample_rate, self.n_mfcc, self.dct_type, self.norm = sample_rate, n_mfcc, dct_type, norm
        self.top_db = 80.0
        self.amplitude_to_DB = AmplitudeToDB("power", self.top_db)
        self.MelSpectrogram = MelSpectrogram(sample_rate=sample_rate, **(melkwargs or {}))
        if n_mfcc > self.MelSpectrogram.n_mels:
            raise ValueError(f"n_mfcc={n_mfcc}: cannot select more MFCC coefficients than n_mels "
                             f"({self.MelSpectrogram.n_mels})")
        self.register_buffer("dct_mat", F.create_dct(n_mfcc, self.MelSpectrogram.n_mels, norm))
        self.log_mels = log_mels

    def forward(self, waveform: Tensor) -> Tensor:
        mel = self.MelSpectrogram(waveform)
        mel = torch.log(mel + 1e-6) if self.log_mels else self.amplitude_to_DB(mel)
        return torch.matmul(mel.transpose(-1, -2), self.dct_mat.to(mel.dtype)).transpose(-1, -2)


class Resample(torch.nn.Module):
    def __init__(self, orig_freq: int = 16000, new_freq: int = 16000, resampling_method: str = "sinc_interp_hann",
                 lowpass_filter_width: int = 6, rolloff: float = 0.99, beta: Optional[float] = None, *,
                 dtype: Optional[torch.dtype] = None) -> None:
        super().__init__()
        self.orig_freq, self.new_freq = orig_freq, new_freq
        self.gcd = math.gcd(int(orig_freq), int(new_freq))
        self.resampling_method = F._resampling_method(resampling_method)
        self.lowpass_filter_width, self.rolloff, self.beta = lowpass_filter_width, rolloff, beta
        if orig_freq != new_freq:
            kernel, self.width = F._sinc_kernel(orig_freq, new_freq, self.gcd, lowpass_filter_width, rolloff,
                                                self.resampling_method, beta, dtype=dtype)
            self.register_buffer("kernel", kernel)

    def forward(self, waveform: Tensor) -> Tensor:
        if self.orig_freq == self.new_freq:
            return waveform
        return F._apply_kernel(waveform, self.orig_freq, self.new_freq, self.gcd, self.kernel.to(waveform.dtype),
                               self.width)


class _AxisMasking(torch.nn.Module):
    def __init__(self, mask_param: int, axis: int, iid_masks: bool, p: float = 1.0) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"The value of p must be between 0.0 and 1.0 ({p} given).")
        self.mask_param, self.axis, self.iid_masks, self.p = mask_param, axis, iid_masks, p

    def forward(self, specgram: Tensor, mask_value: float = 0.0) -> Tensor:
        axis = self.axis + specgram.dim() - 3
        if self.iid_masks:
            return F.mask_along_axis_iid(specgram, self.mask_param, mask_value, axis, p=self.p)
        return F.mask_along_axis(specgram, self.mask_param, mask_value, axis, p=self.p)


class FrequencyMasking(_AxisMasking):
    def __init__(self, freq_mask_param: int, iid_masks: bool = False) -> None:
        super().__init__(freq_mask_param, 1, iid_masks)


class TimeMasking(_AxisMasking):
    def __init__(self, time_mask_param: int, iid_masks: bool = False, p: float = 1.0) -> None:
        super().__init__(time_mask_param, 2, iid_masks, p=p)
