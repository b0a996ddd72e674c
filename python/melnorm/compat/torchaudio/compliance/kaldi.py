"""``torchaudio.compliance.kaldi`` (torchaudio 0.13.1 semantics) on melnorm's Kaldi front end.

``fbank``, ``mfcc`` and ``spectrogram`` take torchaudio's keywords with its
defaults, a waveform tensor ``[channels, samples]`` (``channel`` picks one;
-1 is the first), and return ``[frames, bins]`` in the input's dtype and
device, as torchaudio does. The features are computed by melnorm's C++ front
end (the same as ``melnorm.Pipeline(frontend="kaldi_fbank", ...)`` and
``melnorm mel --frontend kaldi_fbank``), so they carry no gradient: for a
differentiable fbank use ``melnorm.torch.KaldiFbank``.

Refusals are torchaudio's (an odd padded window without
``round_to_power_of_two``, fewer than 4 mel bins, a window longer than the
input, ...), raised as :class:`KaldiArgumentError`, which is both a
``melnorm.ParameterError`` (a ``ValueError``) and an ``AssertionError`` (what
torchaudio raises). ``dither`` is seeded by ``dither_seed`` (default 0):
deterministic, so it cannot equal torchaudio's random draw. ``vtln_warp``
other than 1.0 is refused.
"""
import torch

import melnorm

__all__ = ["fbank", "mfcc", "spectrogram", "KaldiArgumentError"]


class KaldiArgumentError(melnorm.ParameterError, AssertionError):
    """A refused argument: a ValueError like melnorm's, an AssertionError like torchaudio's."""


_FRONTEND = {"fbank": "kaldi_fbank", "mfcc": "kaldi_mfcc", "spectrogram": "kaldi_spectrogram"}


def _samples(waveform, channel, name):
    if not isinstance(waveform, torch.Tensor):
        raise TypeError(f"{name}: waveform must be a torch.Tensor [channels, samples], got {type(waveform).__name__}")
    if waveform.dim() != 2:
        raise KaldiArgumentError(
            f"{name}: waveform must be 2-D [channels, samples] (torchaudio's layout), got shape {tuple(waveform.shape)}")
    if waveform.requires_grad:
        raise KaldiArgumentError(f"{name}: waveform requires grad; these features are not differentiable here: "
                                 "use melnorm.torch.KaldiFbank")
    channel = max(channel, 0)
    if channel >= waveform.size(0):
        raise KaldiArgumentError(f"{name}: channel={channel} is out of range for {waveform.size(0)} channels")
    return waveform[channel].detach().to("cpu", torch.float32).contiguous().numpy()


def _run(name, waveform, channel, sample_frequency, min_duration, vtln_warp, options):
    y = _samples(waveform, channel, name)
    if not (sample_frequency > 0) or float(sample_frequency) != int(sample_frequency):
        raise KaldiArgumentError(f"{name}: sample_frequency={sample_frequency} must be a positive whole number of Hz")
    sr = int(sample_frequency)
    window = int(sample_frequency * options["frame_length"] * 0.001)
    if not 2 <= window <= len(y):
        raise KaldiArgumentError(f"{name}: frame_length={options['frame_length']} ms is a window of {window} "
                                 f"samples; choose a window size that is [2, {len(y)}] (the input's samples)")
    if vtln_warp != 1.0:
        raise KaldiArgumentError(f"{name}: vtln_warp={vtln_warp} is not supported (no vocal tract length warping); "
                                 "allowed: 1.0")
    if len(y) < min_duration * sample_frequency:
        return torch.empty(0, dtype=waveform.dtype, device=waveform.device)
    try:
        pipe = melnorm.Pipeline(frontend=_FRONTEND[name], sr=sr, layout="time_first", **options)
        out = pipe(y, sr)
    except melnorm.ParameterError as e:
        raise KaldiArgumentError(f"{name}: {e}") from None
    return torch.from_numpy(out).to(dtype=waveform.dtype, device=waveform.device)


def _common(blackman_coeff, dither, energy_floor, frame_length, frame_shift, preemphasis_coefficient, raw_energy,
            remove_dc_offset, round_to_power_of_two, snip_edges, subtract_mean, window_type, dither_seed):
    return dict(blackman_coeff=blackman_coeff, dither=dither, energy_floor=energy_floor, frame_length=frame_length,
                frame_shift=frame_shift, preemphasis_coefficient=preemphasis_coefficient, raw_energy=raw_energy,
                remove_dc_offset=remove_dc_offset, round_to_power_of_two=round_to_power_of_two,
                snip_edges=snip_edges, subtract_mean=subtract_mean, window_type=window_type, dither_seed=dither_seed)


def spectrogram(waveform, blackman_coeff=0.42, channel=-1, dither=0.0, energy_floor=1.0, frame_length=25.0,
                frame_shift=10.0, min_duration=0.0, preemphasis_coefficient=0.97, raw_energy=True,
                remove_dc_offset=True, round_to_power_of_two=True, sample_frequency=16000.0, snip_edges=True,
                subtract_mean=False, window_type="povey", *, dither_seed=0):
    """Kaldi's compute-spectrogram-feats: the log power spectrum, bin 0 the log energy. ``[frames, padded // 2 + 1]``."""
    options = _common(blackman_coeff, dither, energy_floor, frame_length, frame_shift, preemphasis_coefficient,
                      raw_energy, remove_dc_offset, round_to_power_of_two, snip_edges, subtract_mean, window_type,
                      dither_seed)
    return _run("spectrogram", waveform, channel, sample_frequency, min_duration, 1.0, options)


def fbank(waveform, blackman_coeff=0.42, channel=-1, dither=0.0, energy_floor=1.0, frame_length=25.0,
          frame_shift=10.0, high_freq=0.0, htk_compat=False, low_freq=20.0, min_duration=0.0, num_mel_bins=23,
          preemphasis_coefficient=0.97, raw_energy=True, remove_dc_offset=True, round_to_power_of_two=True,
          sample_frequency=16000.0, snip_edges=True, subtract_mean=False, use_energy=False, use_log_fbank=True,
          use_power=True, vtln_high=-500.0, vtln_low=100.0, vtln_warp=1.0, window_type="povey", *, dither_seed=0):
    """Kaldi's compute-fbank-feats: log mel filterbank energies, ``[frames, num_mel_bins (+1 with use_energy)]``."""
    options = _common(blackman_coeff, dither, energy_floor, frame_length, frame_shift, preemphasis_coefficient,
                      raw_energy, remove_dc_offset, round_to_power_of_two, snip_edges, subtract_mean, window_type,
                      dither_seed)
    options.update(high_freq=high_freq, htk_compat=htk_compat, low_freq=low_freq, num_mel_bins=num_mel_bins,
                   use_energy=use_energy, use_log_fbank=use_log_fbank, use_power=use_power)
    return _run("fbank", waveform, channel, sample_frequency, min_duration, vtln_warp, options)


def mfcc(waveform, blackman_coeff=0.42, cepstral_lifter=22.0, channel=-1, dither=0.0, energy_floor=1.0,
         frame_length=25.0, frame_shift=10.0, high_freq=0.0, htk_compat=False, low_freq=20.0, num_ceps=13,
         min_duration=0.0, num_mel_bins=23, preemphasis_coefficient=0.97, raw_energy=True, remove_dc_offset=True,
         round_to_power_of_two=True, sample_frequency=16000.0, snip_edges=True, subtract_mean=False,
         use_energy=False, vtln_high=-500.0, vtln_low=100.0, vtln_warp=1.0, window_type="povey", *, dither_seed=0):
    """Kaldi's compute-mfcc-feats: cepstra of the log fbank (Kaldi's DCT, liftering), ``[frames, num_ceps]``."""
    if num_ceps > num_mel_bins:
        raise KaldiArgumentError(f"mfcc: num_ceps cannot be larger than num_mel_bins: {num_ceps} vs {num_mel_bins}")
    options = _common(blackman_coeff, dither, energy_floor, frame_length, frame_shift, preemphasis_coefficient,
                      raw_energy, remove_dc_offset, round_to_power_of_two, snip_edges, subtract_mean, window_type,
                      dither_seed)
    options.update(cepstral_lifter=cepstral_lifter, high_freq=high_freq, htk_compat=htk_compat, low_freq=low_freq,
                   num_ceps=num_ceps, num_mel_bins=num_mel_bins, use_energy=use_energy)
    return _run("mfcc", waveform, channel, sample_frequency, min_duration, vtln_warp, options)

