"""torchaudio's names, answered by melnorm: ``import melnorm.compat.torchaudio as torchaudio``.

This module provides ``load``, ``info``, ``save`` (libsndfile, no FFmpeg), ``transforms`` (Spectrogram, MelScale,
MelSpectrogram, AmplitudeToDB, MFCC, Resample, FrequencyMasking, TimeMasking), ``functional`` (spectrogram,
melscale_fbanks, create_dct, amplitude_to_DB, DB_to_amplitude, resample, mask_along_axis, mask_along_axis_iid) and
``compliance.kaldi`` (fbank, mfcc, spectrogram), with torchaudio 2.x's signatures, defaults, tensors in and out, and
refusals. torchaudio's other names are not here: asking for one raises ``AttributeError`` saying what is offered and
where the rest lives. See docs/coming-from-torchaudio.md.
"""
from . import compliance, functional, transforms  # noqa: F401
from ._io import AudioMetaData, info, load, save  # noqa: F401

__all__ = ["compliance", "functional", "transforms", "load", "info", "save", "AudioMetaData"]

_ELSEWHERE = {
    "io": "use melnorm.compat.torchaudio.load / save (StreamReader/StreamWriter are not provided)",
    "models": "torchaudio's pretrained models are not provided; melnorm.load_model loads melnorm's own",
    "pipelines": "not provided; melnorm.torch has the front ends (KaldiFbank, WhisperLogMel, LibrosaMelSpectrogram, "
                 "Normalize)",
    "datasets": "not provided; melnorm.torch.ExtractedDataset and ShardedDataset read extracted features",
    "sox_effects": "not provided; transforms.Resample / functional.resample resample, melnorm.torch.RandomGain and "
                   "AddRandomNoise perturb",
}


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    where = _ELSEWHERE.get(name, "see melnorm's own API (docs/python.md) and docs/coming-from-torchaudio.md")
    raise AttributeError(
        f"melnorm.compat.torchaudio has no {name!r}; it offers load, info, save, AudioMetaData, transforms, functional "
        f"and compliance.kaldi. {name!r}: {where}")
