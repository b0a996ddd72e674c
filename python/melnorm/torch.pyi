from os import PathLike
from typing import Any, Callable, Sequence

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

class Normalize:
    def __init__(self, method: str, *, scope: str = ..., axis: str = ..., stats: Stats | None = ...,
                 **params: float) -> None: ...
    def __call__(self, X: torch.Tensor) -> torch.Tensor: ...
