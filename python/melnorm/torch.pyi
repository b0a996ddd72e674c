from os import PathLike
from typing import Any, Callable, Iterator, Sequence

import melnorm
import numpy as np
import numpy.typing as npt
import torch

from . import Stats

class ExtractedDataset(torch.utils.data.Dataset[tuple[torch.Tensor, int]]):
    out_dir: str
    options: dict[str, Any]
    classes: list[str]
    rows: list[dict[str, str]]
    targets: list[int]
    def __init__(self, out_dir: str | PathLike[str], *, split: str | None = ..., classes: Sequence[str] | None = ...,
                 transform: Callable[[torch.Tensor], torch.Tensor] | None = ..., channel_dim: bool = ...) -> None: ...
    def __len__(self) -> int: ...
    @property
    def pipeline(self) -> melnorm.Pipeline: ...
    def features(self, i: int) -> npt.NDArray[np.float32]: ...
    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]: ...

def normalize(X: torch.Tensor, method: str, *, scope: str = ..., axis: str = ..., stats: Stats | None = ...,
              lengths: Sequence[int] | torch.Tensor | None = ..., **params: float) -> torch.Tensor: ...

class LibrosaMelSpectrogram(torch.nn.Module):
    sr: int
    n_fft: int
    hop_length: int
    n_mels: int
    options: dict[str, str]
    def __init__(self, sr: float = ..., **options: Any) -> None: ...
    def forward(self, y: torch.Tensor) -> torch.Tensor: ...

class MelSpectrogram(LibrosaMelSpectrogram):  # deprecated: LibrosaMelSpectrogram (torchaudio's name: other defaults)
    ...

class PowerToDB(torch.nn.Module):
    def __init__(self, ref: float | str = ..., amin: float = ..., top_db: float | None = ..., floor: str = ...) -> None: ...
    def forward(self, S: torch.Tensor) -> torch.Tensor: ...

class AmplitudeToDBReMax(torch.nn.Module):
    def __init__(self, ref: float | str = ..., amin: float = ..., top_db: float | None = ..., floor: str = ...) -> None: ...
    def forward(self, S: torch.Tensor) -> torch.Tensor: ...

class AmplitudeToDB(AmplitudeToDBReMax):  # deprecated: AmplitudeToDBReMax (torchaudio's name means power re 1)
    ...

class Normalize(torch.nn.Module):
    def __init__(self, method: str, *, scope: str = ..., axis: str = ..., stats: Stats | None = ...,
                 **params: float) -> None: ...
    def forward(self, X: torch.Tensor) -> torch.Tensor: ...

class PCEN(torch.nn.Module):
    def __init__(self, sr: float = ..., hop_length: int = ..., gain: float = ..., bias: float = ..., power: float = ...,
                 time_constant: float = ..., eps: float = ..., b: float | None = ...) -> None: ...
    def forward(self, S: torch.Tensor) -> torch.Tensor: ...

class SpecAugment(torch.nn.Module):
    seed: int
    def __init__(self, *, freq_mask_param: int = ..., time_mask_param: int = ..., n_freq_masks: int = ...,
                 n_time_masks: int = ..., mask_value: float | str | None = ..., seed: int | None = ...,
                 iid_masks: bool = ..., p: float = ..., zero_masking: bool = ...) -> None: ...
    def forward(self, X: torch.Tensor) -> torch.Tensor: ...

class RandomGain(torch.nn.Module):
    min_gain_db: float
    max_gain_db: float
    seed: int | None
    def __init__(self, min_gain_db: float = ..., max_gain_db: float = ..., *, seed: int | None = ...,
                 generator: torch.Generator | None = ...) -> None: ...
    def forward(self, waveform: torch.Tensor, *, epoch: int | None = ..., clip: Any = ...) -> torch.Tensor: ...

class Requantize(torch.nn.Module):
    bits: int
    tpdf_dither: bool
    seed: int | None
    def __init__(self, bits: int = ..., *, tpdf_dither: bool = ..., seed: int | None = ...,
                 generator: torch.Generator | None = ...) -> None: ...
    def forward(self, waveform: torch.Tensor, *, epoch: int | None = ..., clip: Any = ...) -> torch.Tensor: ...

class AddRandomNoise(torch.nn.Module):
    min_snr_db: float
    max_snr_db: float
    color: str
    seed: int | None
    def __init__(self, min_snr_db: float = ..., max_snr_db: float = ..., *, color: str = ...,
                 seed: int | None = ..., generator: torch.Generator | None = ...) -> None: ...
    def forward(self, waveform: torch.Tensor, *, epoch: int | None = ..., clip: Any = ...) -> torch.Tensor: ...

class KaldiFbank(torch.nn.Module):
    window_size: int
    window_shift: int
    padded_window_size: int
    num_mel_bins: int
    max_frames: int | None
    mean: float | None
    std: float | None
    def __init__(self, *, sample_frequency: float = ..., frame_length: float = ..., frame_shift: float = ...,
                 num_mel_bins: int = ..., low_freq: float = ..., high_freq: float = ...,
                 preemphasis_coefficient: float = ..., remove_dc_offset: bool = ..., round_to_power_of_two: bool = ...,
                 snip_edges: bool = ..., window_type: str = ..., blackman_coeff: float = ..., dither: float = ...,
                 energy_floor: float = ..., use_energy: bool = ..., raw_energy: bool = ..., htk_compat: bool = ...,
                 use_log_fbank: bool = ..., use_power: bool = ..., subtract_mean: bool = ..., vtln_low: float = ...,
                 vtln_high: float = ..., vtln_warp: float = ..., waveform_scale: float = ...,
                 max_frames: int | None = ..., mean: float | None = ..., std: float | None = ...) -> None: ...
    def forward(self, waveform: torch.Tensor, generator: torch.Generator | None = ...) -> torch.Tensor: ...

class WhisperLogMel(torch.nn.Module):
    n_mels: int
    sample_rate: int
    n_fft: int
    hop_length: int
    pad_or_trim: bool
    def __init__(self, *, n_mels: int = ..., sample_rate: int = ..., n_fft: int = ..., hop_length: int = ...,
                 pad_or_trim: bool = ...) -> None: ...
    def forward(self, audio: torch.Tensor) -> torch.Tensor: ...

class ShardedDataset(torch.utils.data.IterableDataset[Any]):
    """A sharded OUTDIR (extract --format shards) streamed into training, each row once per epoch."""
    outdir: str | None
    index: dict[str, Any] | None
    shards: list[str]
    labels: list[str]
    split: str | None
    shuffle_buffer: int
    seed: int
    epoch: int
    rank: int
    world_size: int
    with_metadata: bool
    channel_dim: bool
    dtype: torch.dtype | None
    def __init__(self, source: str | PathLike[str] | Sequence[str | PathLike[str]], split: str | None = ...,
                 shuffle_buffer: int = ..., seed: int = ..., rank: int | None = ..., world_size: int | None = ...,
                 with_metadata: bool = ..., transform: Callable[[torch.Tensor], torch.Tensor] | None = ..., *,
                 labels: Sequence[str] | None = ..., channel_dim: bool = ...,
                 dtype: torch.dtype | None = ...) -> None: ...
    @property
    def classes(self) -> list[str]: ...
    def set_epoch(self, epoch: int) -> None: ...
    def num_rows(self, split: str | None = ...) -> int: ...
    def __iter__(self) -> Iterator[tuple[torch.Tensor, int] | tuple[torch.Tensor, int, dict[str, Any]]]: ...
