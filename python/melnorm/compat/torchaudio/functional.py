"""torchaudio.functional's names (torchaudio 2.x signatures), pure torch: any device, any dtype, differentiable."""
import math
import warnings
from typing import Optional, Union

import torch
from torch import Tensor

__all__ = ["spectrogram", "melscale_fbanks", "create_dct", "amplitude_to_DB", "DB_to_amplitude", "resample",
           "mask_along_axis", "mask_along_axis_iid"]


def _spec_norms(normalized):
    if isinstance(normalized, bool):
        return False, normalized
    if isinstance(normalized, str):
        if normalized not in ("frame_length", "window"):
            raise ValueError(f"normalized={normalized!r}: allowed are True, False, 'window', 'frame_length'")
        return normalized == "frame_length", normalized == "window"
    raise TypeError(f"normalized must be a bool or str, got {type(normalized).__name__}")


def spectrogram(waveform: Tensor, pad: int, window: Tensor, n_fft: int, hop_length: int, win_length: int,
                power: Optional[float], normalized: Union[bool, str], center: bool = True, pad_mode: str = "reflect",
                onesided: bool = True, return_complex: Optional[bool] = None) -> Tensor:
    """torchaudio.functional.spectrogram: ``(..., time)`` -> ``(..., n_fft // 2 + 1, frames)``."""
    if return_complex is not None:
        warnings.warn("`return_complex` argument is now deprecated and is not effective.")
    if pad > 0:
        waveform = torch.nn.functional.pad(waveform, (pad, pad), "constant")
    frame_norm, window_norm = _spec_norms(normalized)
    shape = waveform.size()
    waveform = waveform.reshape(-1, shape[-1])
    spec = torch.stft(input=waveform, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
                      center=center, pad_mode=pad_mode, normalized=frame_norm, onesided=onesided, return_complex=True)
    spec = spec.reshape(shape[:-1] + spec.shape[-2:])
    if window_norm:
        spec = spec / window.pow(2.0).sum().sqrt()
    if power is not None:
        if power == 1.0:
            return spec.abs()
        return spec.abs().pow(power)
    return spec


def _hz_to_mel(freq: float, mel_scale: str = "htk") -> float:
    if mel_scale not in ("slaney", "htk"):
        raise ValueError(f"mel_scale={mel_scale!r}: allowed are 'htk', 'slaney'")
    if mel_scale == "htk":
        return 2595.0 * math.log10(1.0 + (freq / 700.0))
    f_sp = 200.0 / 3
    mels = freq / f_sp
    if freq >= 1000.0:
        mels = 1000.0 / f_sp + math.log(freq / 1000.0) / (math.log(6.4) / 27.0)
    return mels


def _mel_to_hz(mels: Tensor, mel_scale: str = "htk") -> Tensor:
    if mel_scale == "htk":
        return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    f_sp = 200.0 / 3
    freqs = f_sp * mels
    min_log_mel = 1000.0 / f_sp
    log_t = mels >= min_log_mel
    freqs[log_t] = 1000.0 * torch.exp(math.log(6.4) / 27.0 * (mels[log_t] - min_log_mel))
    return freqs


def melscale_fbanks(n_freqs: int, f_min: float, f_max: float, n_mels: int, sample_rate: int,
                    norm: Optional[str] = None, mel_scale: str = "htk") -> Tensor:
    """torchaudio.functional.melscale_fbanks: ``(n_freqs, n_mels)`` float32 triangular filters."""
    if norm is not None and norm != "slaney":
        raise ValueError(f"norm={norm!r}: allowed are None, 'slaney'")
    all_freqs = torch.linspace(0, sample_rate // 2, n_freqs)
    m_pts = torch.linspace(_hz_to_mel(f_min, mel_scale), _hz_to_mel(f_max, mel_scale), n_mels + 2)
    f_pts = _mel_to_hz(m_pts, mel_scale)
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1)
    down = (-1.0 * slopes[:, :-2]) / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    fb = torch.max(torch.zeros(1), torch.min(down, up))
    if norm == "slaney":
        fb *= (2.0 / (f_pts[2:n_mels + 2] - f_pts[:n_mels])).unsqueeze(0)
    if (fb.max(dim=0).values == 0.0).any():
        warnings.warn(f"At least one mel filterbank has all zero values. The value for `n_mels` ({n_mels}) may be "
                      f"set too high. Or, the value for `n_freqs` ({n_freqs}) may be set too low.")
    return fb


def create_dct(n_mfcc: int, n_mels: int, norm: Optional[str]) -> Tensor:
    """torchaudio.functional.create_dct: ``(n_mels, n_mfcc)`` DCT-II matrix."""
    if norm is not None and norm != "ortho":
        raise ValueError(f"norm={norm!r}: allowed are None, 'ortho'")
    n = torch.arange(float(n_mels))
    k = torch.arange(float(n_mfcc)).unsqueeze(1)
    dct = torch.cos(math.pi / float(n_mels) * (n + 0.5) * k)
    if norm is None:
        dct *= 2.0
    else:
        dct[0] *= 1.0 / math.sqrt(2.0)
        dct *= math.sqrt(2.0 / float(n_mels))
    return dct.t()


def amplitude_to_DB(x: Tensor, multiplier: float, amin: float, db_multiplier: float,
                    top_db: Optional[float] = None) -> Tensor:
    """torchaudio.functional.amplitude_to_DB. With ``top_db``, the floor is ``max - top_db`` where the max is taken
    per item of ``(batch, channel, freq, time)`` over its channels; a 3-D input is one item (its max over all)."""
    x_db = multiplier * torch.log10(torch.clamp(x, min=amin))
    x_db = x_db - multiplier * db_multiplier
    if top_db is not None:
        shape = x_db.size()
        packed = shape[-3] if x_db.dim() > 2 else 1
        x_db = x_db.reshape(-1, packed, shape[-2], shape[-1])
        x_db = torch.max(x_db, (x_db.amax(dim=(-3, -2, -1)) - top_db).view(-1, 1, 1, 1))
        x_db = x_db.reshape(shape)
    return x_db


def DB_to_amplitude(x: Tensor, ref: float, power: float) -> Tensor:
    return ref * torch.pow(torch.pow(10.0, 0.1 * x), power)


_METHODS = {"sinc_interp_hann": "sinc_interp_hann", "sinc_interp_kaiser": "sinc_interp_kaiser",
            "sinc_interpolation": "sinc_interp_hann", "kaiser_window": "sinc_interp_kaiser"}


def _resampling_method(name):
    if name not in _METHODS:
        raise ValueError(f"resampling_method={name!r}: allowed are 'sinc_interp_hann', 'sinc_interp_kaiser'")
    if name in ("sinc_interpolation", "kaiser_window"):
        warnings.warn(f"resampling_method={name!r} is torchaudio 0.x's name; torchaudio 2.x calls it "
                      f"{_METHODS[name]!r}", DeprecationWarning, stacklevel=3)
    return _METHODS[name]


def _sinc_kernel(orig_freq, new_freq, gcd, lowpass_filter_width=6, rolloff=0.99, resampling_method="sinc_interp_hann",
                 beta=None, device=torch.device("cpu"), dtype=None):
    if not (int(orig_freq) == orig_freq and int(new_freq) == new_freq):
        raise ValueError(f"orig_freq={orig_freq}, new_freq={new_freq}: frequencies must be integers (scale both "
                         f"to integers of the same ratio)")
    method = _resampling_method(resampling_method)
    orig_freq = int(orig_freq) // gcd
    new_freq = int(new_freq) // gcd
    if lowpass_filter_width <= 0:
        raise ValueError(f"lowpass_filter_width={lowpass_filter_width}: must be positive")
    base_freq = min(orig_freq, new_freq) * rolloff
    width = math.ceil(lowpass_filter_width * orig_freq / base_freq)
    idx_dtype = dtype if dtype is not None else torch.float64
    idx = torch.arange(-width, width + orig_freq, dtype=idx_dtype, device=device)[None, None] / orig_freq
    t = torch.arange(0, -new_freq, -1, dtype=dtype, device=device)[:, None, None] / new_freq + idx
    t *= base_freq
    t = t.clamp_(-lowpass_filter_width, lowpass_filter_width)
    if method == "sinc_interp_hann":
        window = torch.cos(t * math.pi / lowpass_filter_width / 2) ** 2
    else:
        beta_t = torch.tensor(float(14.769656459379492 if beta is None else beta))
        window = torch.i0(beta_t * torch.sqrt(1 - (t / lowpass_filter_width) ** 2)) / torch.i0(beta_t)
    t *= math.pi
    scale = base_freq / orig_freq
    kernels = torch.where(t == 0, torch.tensor(1.0).to(t), t.sin() / t)
    kernels *= window * scale
    if dtype is None:
        kernels = kernels.to(dtype=torch.float32)
    return kernels, width


def _apply_kernel(waveform, orig_freq, new_freq, gcd, kernel, width):
    if not waveform.is_floating_point():
        raise TypeError(f"Expected floating point type for waveform tensor, but received {waveform.dtype}.")
    orig_freq = int(orig_freq) // gcd
    new_freq = int(new_freq) // gcd
    shape = waveform.size()
    waveform = waveform.reshape(-1, shape[-1])
    num_wavs, length = waveform.shape
    waveform = torch.nn.functional.pad(waveform, (width, width + orig_freq))
    out = torch.nn.functional.conv1d(waveform[:, None], kernel, stride=orig_freq)
    out = out.transpose(1, 2).reshape(num_wavs, -1)
    out = out[..., :int(math.ceil(new_freq * length / orig_freq))]
    return out.view(shape[:-1] + out.shape[-1:])


def resample(waveform: Tensor, orig_freq: int, new_freq: int, lowpass_filter_width: int = 6, rolloff: float = 0.99,
             resampling_method: str = "sinc_interp_hann", beta: Optional[float] = None) -> Tensor:
    """torchaudio.functional.resample: torchaudio's windowed-sinc (not soxr), same numbers."""
    if orig_freq <= 0.0 or new_freq <= 0.0:
        raise ValueError(f"orig_freq={orig_freq}, new_freq={new_freq}: both must be positive")
    if orig_freq == new_freq:
        return waveform
    gcd = math.gcd(int(orig_freq), int(new_freq))
    kernel, width = _sinc_kernel(orig_freq, new_freq, gcd, lowpass_filter_width, rolloff, resampling_method, beta,
                                 waveform.device, waveform.dtype)
    return _apply_kernel(waveform, orig_freq, new_freq, gcd, kernel, width)


def _mask_param(mask_param, p, axis_length):
    return mask_param if p == 1.0 else min(mask_param, int(axis_length * p))


def mask_along_axis(specgram: Tensor, mask_param: int, mask_value: float, axis: int, p: float = 1.0) -> Tensor:
    """torchaudio 2.x mask_along_axis: one mask shared by every leading item; ``axis`` is dim-2 or dim-1."""
    dim = specgram.dim()
    if dim < 2:
        raise ValueError(f"Spectrogram must have at least two dimensions ({dim} given).")
    if axis not in (dim - 2, dim - 1):
        raise ValueError(f"axis={axis}: only Frequency ({dim - 2}) and Time ({dim - 1}) masking are supported")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"The value of p must be between 0.0 and 1.0 ({p} given).")
    mask_param = _mask_param(mask_param, p, specgram.shape[axis])
    if mask_param < 1:
        return specgram
    shape = specgram.size()
    specgram = specgram.reshape([-1] + list(shape[-2:]))
    value = torch.rand(1) * mask_param
    min_value = torch.rand(1) * (specgram.size(axis - dim + 3) - value)
    mask_start = min_value.long().squeeze()
    mask_end = (min_value.long() + value.long()).squeeze()
    mask = torch.arange(0, specgram.shape[axis - dim + 3], device=specgram.device, dtype=specgram.dtype)
    mask = (mask >= mask_start) & (mask < mask_end)
    if axis == dim - 2:
        mask = mask.unsqueeze(-1)
    specgram = specgram.masked_fill(mask, mask_value)
    return specgram.reshape(shape[:-2] + specgram.shape[-2:])


def mask_along_axis_iid(specgrams: Tensor, mask_param: int, mask_value: float, axis: int, p: float = 1.0) -> Tensor:
    """torchaudio 2.x mask_along_axis_iid: an independent mask per leading item (batch and channel)."""
    dim = specgrams.dim()
    if dim < 3:
        raise ValueError(f"Spectrogram must have at least three dimensions ({dim} given).")
    if axis not in (dim - 2, dim - 1):
        raise ValueError(f"axis={axis}: only Frequency ({dim - 2}) and Time ({dim - 1}) masking are supported")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"The value of p must be between 0.0 and 1.0 ({p} given).")
    mask_param = _mask_param(mask_param, p, specgrams.shape[axis])
    if mask_param < 1:
        return specgrams
    device, dtype = specgrams.device, specgrams.dtype
    value = torch.rand(specgrams.shape[:dim - 2], device=device, dtype=dtype) * mask_param
    min_value = torch.rand(specgrams.shape[:dim - 2], device=device, dtype=dtype) * (specgrams.size(axis) - value)
    mask_start = min_value.long()[..., None, None]
    mask_end = (min_value.long() + value.long())[..., None, None]
    mask = torch.arange(0, specgrams.size(axis), device=device, dtype=dtype)
    specgrams = specgrams.transpose(axis, -1)
    specgrams = specgrams.masked_fill((mask >= mask_start) & (mask < mask_end), mask_value)
    return specgrams.transpose(axis, -1)
