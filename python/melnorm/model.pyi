from typing import Any

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
    def __init__(self, classes: list[str], logits: np.ndarray) -> None: ...

class Model:
    pipeline: Pipeline
    classes: list[str]
    record: dict[str, Any]
    directory: str
    network: Any  # torch.jit.ScriptModule
    def __init__(self, directory: _Path) -> None: ...
    def logits(self, features: npt.ArrayLike) -> np.ndarray: ...
    def predict(self, path_or_waveform: _Path | npt.ArrayLike, sr: int | None = ...) -> Prediction: ...

def load_model(directory: _Path) -> Model: ...
