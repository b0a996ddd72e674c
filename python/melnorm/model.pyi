from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from . import Pipeline
from . import _Path

FORMAT_VERSION: int

class Prediction:
    label: str
    probability: float
    probabilities: dict[str, float]
    logits: np.ndarray
    windows: list[tuple[float, float | None]]
    aggregate: str
    def __init__(self, classes: list[str], logits: np.ndarray, windows: list[tuple[float, float | None]] | None = ...,
                 aggregate: Literal["mean", "vote"] = ...) -> None: ...

class Stream:
    model: Model
    sr: int
    window: int  # samples
    every: int  # samples
    def accept(self, samples: npt.ArrayLike) -> list[tuple[float, float, Prediction]]: ...
    def finish(self) -> list[tuple[float, float, Prediction]]: ...

class Model:
    pipeline: Pipeline
    classes: list[str]
    record: dict[str, Any]
    directory: str
    network: Any  # torch.jit.ScriptModule
    def __init__(self, directory: _Path) -> None: ...
    def logits(self, features: npt.ArrayLike) -> np.ndarray: ...
    def predict(self, path_or_waveform: _Path | npt.ArrayLike, sr: int | None = ..., *,
                segment: float | Literal[False] | None = ..., hop: float | None = ...,
                aggregate: Literal["mean", "vote"] = ..., pad_short: bool = ...) -> Prediction: ...
    def stream(self, sr: int | None = ..., *, window: float | None = ..., every: float | None = ...,
               pad_short: bool = ...) -> Stream: ...

def load_model(directory: _Path) -> Model: ...
