"""Saved models in Python: ``melnorm.load_model(DIR)`` on a folder written by
``melnorm train --save-model DIR`` (docs/deploy.md).

The network is the folder's TorchScript file (``torch.jit.load``), the
features are its :class:`melnorm.Pipeline` with its statistics: the same
checks as ``melnorm predict`` (format version, every file's SHA-256, the
statistics' fingerprint) and the same labels.

>>> model = melnorm.load_model("models/digits")  # doctest: +SKIP
>>> p = model.predict("data/samples/7/7_lucas_12.wav")  # doctest: +SKIP
>>> p.label, round(p.probability, 3)  # doctest: +SKIP
('7', 0.981)
"""
import hashlib
import json
import os

import numpy as _np

FORMAT_VERSION = 1  # of model.json; ModelRecord::kFormatVersion in the library


class Prediction:
    """One clip's prediction: ``label``, its ``probability``, ``probabilities``
    (class -> probability, in the model's class order) and the network's
    ``logits`` ``[rows, n_classes]`` (one row per segment for a model trained
    on segments; the clip's probabilities are the softmax of their mean)."""

    def __init__(self, classes, logits):
        self.logits = logits
        mean = logits.astype(_np.float64).mean(axis=0)
        e = _np.exp(mean - mean.max())
        p = (e / e.sum()).astype(_np.float32)
        self.probabilities = dict(zip(classes, (float(v) for v in p)))
        best = int(_np.argmax(p))
        self.label, self.probability = classes[best], float(p[best])

    def __repr__(self):
        return f"Prediction(label={self.label!r}, probability={self.probability:.4f})"


def _read(path, mode="r"):
    try:
        with open(path, mode) as f:
            return f.read()
    except FileNotFoundError:
        raise OSError(f"{path}: missing") from None


def _check_digests(directory, record_path, files):
    for required in ("model.pt", "pipeline.json", "classes.txt"):
        if required not in files:
            raise ValueError(f"{record_path}: files has no entry for {required}")
    for name, entry in files.items():
        path = os.path.join(directory, name)
        data = _read(path, "rb")
        if len(data) != entry.get("bytes"):
            raise ValueError(f"{path}: {len(data)} bytes, model.json records {entry.get('bytes')} (truncated or modified)")
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise ValueError(f"{path}: SHA-256 differs from model.json's (corrupted or modified)")


class Model:
    """A saved model folder, checked and loaded (see :func:`load_model`)."""

    def __init__(self, directory):
        import torch
        from . import Pipeline, Stats
        directory = os.fspath(directory)
        record_path = os.path.join(directory, "model.json")
        try:
            record = json.loads(_read(record_path))
        except json.JSONDecodeError as e:
            raise ValueError(f"{record_path}: not valid JSON (truncated?): {e}") from None
        if not isinstance(record, dict) or record.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{record_path}: model format_version {record.get('format_version') if isinstance(record, dict) else None} "
                             f"(this melnorm reads {FORMAT_VERSION})")
        _check_digests(directory, record_path, record.get("files", {}))
        stats_path = os.path.join(directory, "stats.json")
        stats = Stats.load(stats_path) if "stats.json" in record["files"] else None
        pipeline_path = os.path.join(directory, "pipeline.json")
        try:
            self.pipeline = Pipeline.from_json(_read(pipeline_path), stats=stats, origin=pipeline_path)
        except ValueError as e:  # a pipeline error names pipeline.json; a mismatch with the statistics gets stats.json's name
            about_stats = stats is not None and pipeline_path not in str(e) and stats_path not in str(e)
            raise type(e)(f"{stats_path}: {e}" if about_stats else str(e)) from None
        self.classes = _read(os.path.join(directory, "classes.txt")).splitlines()
        self.record = record
        self.directory = directory
        self.network = torch.jit.load(os.path.join(directory, "model.pt"))
        self.network.eval()

    def logits(self, features):
        """The network's logits ``[rows, n_classes]`` (float32 NumPy) of features ``[rows, n_mels, frames]``."""
        import torch
        x = torch.from_numpy(_np.ascontiguousarray(features, dtype=_np.float32))
        with torch.no_grad():
            return self.network(x.unsqueeze(1)).numpy()

    def predict(self, path_or_waveform, sr=None):
        """Classify an audio file (a path) or a mono waveform ``[samples]`` at ``sr`` Hz (default: the model's
        rate; another rate is resampled). Returns a :class:`Prediction`."""
        if isinstance(path_or_waveform, (str, bytes)) or hasattr(path_or_waveform, "__fspath__"):
            features = self.pipeline.load(os.fsdecode(path_or_waveform))
        else:
            y = path_or_waveform
            if getattr(y, "ndim", 1) != 1:
                raise ValueError("predict takes one mono waveform [samples]; for a batch call it per clip")
            features = self.pipeline(y, sr)
        features = _np.asarray(features, dtype=_np.float32)
        if features.ndim == 2:
            features = features[None]
        return Prediction(self.classes, self.logits(features))

    def __repr__(self):
        return f"melnorm.Model({self.directory!r}, classes={self.classes})"


def load_model(directory):
    """Load a saved model folder (``melnorm train --save-model DIR``). Refuses, with ValueError/OSError naming
    the file, another model format version, a truncated or edited file, statistics that do not match the
    pipeline."""
    return Model(directory)
