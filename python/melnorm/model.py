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
    (class -> probability, in the model's class order), the network's
    ``logits`` ``[rows, n_classes]`` (one row per window or segment) and
    ``windows``: the ``(start, end)`` seconds each row saw. The clip's
    probabilities come from the rows by ``aggregate``: ``"mean"`` (softmax of
    the mean logits) or ``"vote"`` (each class's share of the rows' labels;
    a tie goes to the higher mean logit)."""

    def __init__(self, classes, logits, windows=None, aggregate="mean"):
        self.logits = logits
        self.windows = windows if windows is not None else [(0.0, None)] * len(logits)
        self.aggregate = aggregate
        mean = logits.astype(_np.float64).mean(axis=0)
        if aggregate == "vote":
            votes = _np.bincount(_np.argmax(logits, axis=1), minlength=logits.shape[1]).astype(_np.float64)
            p = (votes / votes.sum()).astype(_np.float32)
            best = max(range(len(p)), key=lambda k: (p[k], mean[k]))
        else:
            e = _np.exp(mean - mean.max())
            p = (e / e.sum()).astype(_np.float32)
            best = int(_np.argmax(p))
        self.probabilities = dict(zip(classes, (float(v) for v in p)))
        self.label, self.probability = classes[best], float(p[best])

    def __repr__(self):
        return (f"Prediction(label={self.label!r}, probability={self.probability:.4f}"
                + (f", windows={len(self.windows)}" if len(self.windows) > 1 else "") + ")")


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

    def predict(self, path_or_waveform, sr=None, *, segment=None, hop=None, aggregate="mean", pad_short=False):
        """Classify an audio file (a path) or a mono waveform ``[samples]`` at ``sr`` Hz (default: the model's
        rate; another rate is resampled). Returns a :class:`Prediction`.

        As ``melnorm predict``: a clip longer than the model's input is classified whole, in windows of the
        input's length every ``hop`` seconds (default: half of it), the last aligned to the clip's end, and
        aggregated by ``aggregate`` (``"mean"`` or ``"vote"``); ``segment=S`` asks for windows of S seconds
        (one shorter than the model's input is refused unless ``pad_short=True``); ``segment=False`` refuses a
        clip longer than the input instead. ``Prediction.windows`` says which seconds each row saw."""
        if aggregate not in ("mean", "vote"):
            raise ValueError(f"aggregate={aggregate!r} is not supported; allowed: 'mean', 'vote'")
        core = self.pipeline._core
        if isinstance(path_or_waveform, (str, bytes)) or hasattr(path_or_waveform, "__fspath__"):
            what = os.fsdecode(path_or_waveform)
            y, rate = core.load(what)
        else:
            what = "waveform"
            y = _np.asarray(path_or_waveform, dtype=_np.float32)
            if y.ndim != 1:
                raise ValueError("predict takes one mono waveform [samples]; for a batch call it per clip")
            rate = sr if sr is not None else core.sample_rate
            if rate is None:
                raise ValueError("sr: this model takes each clip's own rate; pass the waveform's: predict(y, sr=...)")
        whole_only = segment is False
        windows = core.windows(len(y), int(rate), None if segment is False else segment, hop, whole_only, pad_short)
        pieces = _np.zeros((len(windows), windows[0][1]), _np.float32)
        for i, (begin, length) in enumerate(windows):
            piece = y[begin:begin + length]
            pieces[i, :len(piece)] = piece
        if len(windows) == 1 and windows[0][1] == len(y):
            pieces = y[None]
        features = _np.asarray(self.pipeline._run(pieces, rate, what), dtype=_np.float32)
        if features.ndim == 3:  # [windows, n_mels, frames]
            features = features[:, None]
        rows = features.reshape((-1,) + features.shape[2:])  # [windows x segments, n_mels, frames]
        duration = len(y) / rate
        if core.segmented:  # the model's own segments of the one window: every segment_hop seconds
            described = core.describe()
            seg = float(described["segment"])
            step = float(described.get("segment_hop", described["segment"]))
            spans = [(k * step, min(k * step + seg, duration)) for k in range(features.shape[1])]
        else:
            spans = [(begin / rate, min((begin + length) / rate, duration)) for begin, length in windows]
        return Prediction(self.classes, self.logits(rows), spans, aggregate)

    def stream(self, sr=None, *, window=None, every=None, pad_short=False):
        """Labels a live stream as ``melnorm predict --stream`` does: a :class:`Stream` whose ``accept(samples)``
        returns the ``(start, end, Prediction)`` that became due, every ``every`` seconds (default: half the
        window) over the last ``window`` seconds (default: the model's input). ``sr``: the stream's rate
        (default: the model's)."""
        return Stream(self, sr, window, every, pad_short)

    def __repr__(self):
        return f"melnorm.Model({self.directory!r}, classes={self.classes})"


class Stream:
    """A live stream through a saved model (:meth:`Model.stream`): the same labels as ``melnorm predict --stream``
    and as ``predict --segment WINDOW --segment-hop EVERY`` on the same audio."""

    def __init__(self, model, sr, window, every, pad_short):
        core = model.pipeline._core
        self.model, self.sr = model, int(sr if sr is not None else (core.sample_rate or 0))
        if self.sr <= 0:
            raise ValueError("sr: this model takes each clip's own rate; give the stream's: model.stream(sr=...)")
        described = core.describe()
        pad_to = None if described.get("pad_to") in (None, "none") else float(described["pad_to"])
        segment = None if described.get("segment") in (None, "none") else float(described["segment"])
        w = float(window) if window is not None else pad_to or segment or 1.0
        e = float(every) if every is not None else w / 2
        if not (w > 0 and w * self.sr >= 1):
            raise ValueError(f"window={w} must be positive seconds")
        if not (e > 0 and e * self.sr >= 1):
            raise ValueError(f"every={e} must be positive seconds (at least one sample)")
        if pad_to is not None and w > pad_to + 1e-9:
            raise ValueError(f"window={w} s is longer than the model's input ({pad_to} s): the rest of each window "
                             "would be cut off")
        if pad_to is not None and w < pad_to - 1e-9 and not pad_short:
            raise ValueError(f"window={w} s is shorter than the model's input ({pad_to} s): each window would be "
                             "zero-padded, unlike the clips it was trained on; leave out window, or add "
                             "pad_short=True to pad on purpose")
        self.window, self.every = int(round(w * self.sr)), max(1, int(round(e * self.sr)))
        self._buffer = _np.zeros(0, _np.float32)
        self._start = 0  # the stream sample the buffer begins at
        self._total = 0
        self._next_end = self.window
        self._labels = 0

    def _label(self, end, length):
        begin = end - length
        y = self._buffer[begin - self._start:end - self._start]
        features = _np.asarray(self.model.pipeline._run(y, self.sr, f"stream at {begin / self.sr} s"), _np.float32)
        rows = features if features.ndim == 3 else features[None]
        return begin / self.sr, end / self.sr, Prediction(self.model.classes, self.model.logits(rows))

    def accept(self, samples):
        """Appends mono samples; returns the labels that became due, in time order."""
        samples = _np.asarray(samples, dtype=_np.float32).reshape(-1)
        self._buffer = _np.concatenate([self._buffer, samples])
        self._total += len(samples)
        due = []
        while self._next_end <= self._total:
            due.append(self._label(self._next_end, self.window))
            self._next_end += self.every
            self._labels += 1
        keep = min(max(0, self._next_end - self.window), max(0, self._total - self.window))
        if keep > self._start:
            self._buffer = self._buffer[keep - self._start:]
            self._start = keep
        return due

    def finish(self):
        """The end of the stream: one label over all of it when it was shorter than a window, or one over the
        last window when audio came after the last label's end. Refuses an empty stream."""
        if self._total == 0:
            raise ValueError("the stream ended before any audio arrived")
        if self._labels == 0:
            self._labels += 1
            return [self._label(self._total, self._total)]
        if self._total > self._next_end - self.every:
            self._labels += 1
            return [self._label(self._total, self.window)]
        return []


def load_model(directory):
    """Load a saved model folder (``melnorm train --save-model DIR``). Refuses, with ValueError/OSError naming
    the file, another model format version, a truncated or edited file, statistics that do not match the
    pipeline."""
    return Model(directory)
