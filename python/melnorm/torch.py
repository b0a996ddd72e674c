"""PyTorch interop: a Dataset over an ``extract`` output folder, and the
normalization methods on (CPU) torch tensors.

>>> import melnorm.torch  # doctest: +SKIP
>>> ds = melnorm.torch.ExtractedDataset("out/samples")  # doctest: +SKIP
>>> x, y = ds[0]; x.shape  # [1, n_mels, frames]  # doctest: +SKIP
"""
import csv
import json
import os

import numpy as np
import torch

from . import normalize as _normalize_np

__all__ = ["ExtractedDataset", "normalize", "Normalize"]


class ExtractedDataset(torch.utils.data.Dataset):
    """The ``ok`` rows of a ``melnorm extract`` OUTDIR as ``(features, target)`` pairs.

    ``features``: float32 tensor ``[1, n_mels, frames]`` (a channel axis for
    Conv2d; ``channel_dim=False`` drops it). ``target``: the index of the
    row's label in ``classes`` (sorted labels of the whole manifest, so train
    and test subsets agree). ``split``: keep rows whose ``split`` column
    equals it (``"train"``, ``"test"``...). Packed output (``features.npy``)
    is memory-mapped, so opening a large dataset costs nothing; ``npy`` output
    loads one file per item. ``transform`` is applied to the features tensor.
    """

    def __init__(self, out_dir, *, split=None, classes=None, transform=None, channel_dim=True):
        self.out_dir = os.fspath(out_dir)
        manifest = os.path.join(self.out_dir, "manifest.csv")
        if not os.path.exists(manifest):
            raise OSError(f"{manifest}: no manifest; is {self.out_dir!r} the OUTDIR of melnorm extract?")
        with open(os.path.join(self.out_dir, "options.json")) as f:
            self.options = json.load(f)
        with open(manifest, newline="") as f:
            all_rows = [r for r in csv.DictReader(f) if r["status"] == "ok"]
        if split is not None:
            if all_rows and "split" not in all_rows[0]:
                raise ValueError(f"split={split!r} given but the manifest has no split column")
            splits = sorted({r["split"] for r in all_rows})
            if split not in splits:
                raise ValueError(f"split={split!r} is not in the manifest; its splits: {', '.join(splits)}")
        self.classes = list(classes) if classes is not None else sorted({r["label"] for r in all_rows})
        self.rows = [r for r in all_rows if split is None or r["split"] == split]
        index = {c: i for i, c in enumerate(self.classes)}
        unknown = sorted({r["label"] for r in self.rows} - set(index))
        if unknown:
            raise ValueError(f"labels {unknown} are not in classes")
        self.targets = [index[r["label"]] for r in self.rows]
        self.transform = transform
        self.channel_dim = channel_dim
        self._packed = None
        if self.options.get("format") == "packed":
            path = os.path.join(self.out_dir, "features.npy")
            if not os.path.exists(path):
                raise OSError(f"{path}: missing; the extraction has not finished (re-run it to resume)")
            self._packed = np.load(path, mmap_mode="r")

    def __len__(self):
        return len(self.rows)

    @property
    def pipeline(self):
        """The :class:`melnorm.Pipeline` these features were made with (and their statistics): use it on new
        audio to get exactly the features the model was trained on."""
        import melnorm
        return melnorm.Pipeline.from_outdir(self.out_dir)

    def features(self, i):
        """Row i's features as a float32 NumPy array [n_mels, frames]."""
        row = self.rows[i]
        if self._packed is not None:
            return np.asarray(self._packed[int(row["output"])], dtype=np.float32)
        return np.load(os.path.join(self.out_dir, row["output"])).astype(np.float32, copy=False)

    def __getitem__(self, i):
        x = torch.from_numpy(np.array(self.features(i), dtype=np.float32))
        if self.channel_dim:
            x = x.unsqueeze(0)
        if self.transform is not None:
            x = self.transform(x)
        return x, self.targets[i]


def normalize(X, method, *, scope="local", axis="all", stats=None, lengths=None, **params):
    """:func:`melnorm.normalize` on a CPU tensor ``[F, T]``, ``[B, F, T]`` or ``[B, 1, F, T]``.

    Returns a new float32 tensor of the same shape (the input is not changed).

    >>> melnorm.torch.normalize(torch.arange(6.).reshape(2, 3), "minmax")
    tensor([[0.0000, 0.2000, 0.4000],
            [0.6000, 0.8000, 1.0000]])
    """
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch.Tensor, got {type(X).__name__}; for NumPy use melnorm.normalize")
    if X.device.type != "cpu":
        raise ValueError(f"X is on {X.device}; melnorm normalizes on the CPU: pass X.cpu()")
    shape = X.shape
    if X.dim() == 4:
        if shape[1] != 1:
            raise ValueError(f"a 4-D X must be [B, 1, F, T] (one channel), got {list(shape)}")
        X = X.reshape(shape[0], shape[2], shape[3])
    if X.requires_grad:
        raise ValueError("X requires grad, but melnorm.torch.normalize is not differentiable (the result would have no "
                         "grad_fn): pass X.detach(), or normalize outside the autograd graph")
    if isinstance(lengths, torch.Tensor):
        lengths = lengths.cpu().numpy()
    out = _normalize_np(X.detach().numpy(), method, scope=scope, axis=axis, stats=stats, lengths=lengths, **params)
    return torch.from_numpy(out).reshape(shape)


class Normalize:
    """``normalize`` as a transform (for ``ExtractedDataset(transform=...)`` or a DataLoader).

    >>> t = melnorm.torch.Normalize("zscore", axis="band")
    >>> t(torch.tensor([[1., 3.], [2., 6.]]))
    tensor([[-1.,  1.],
            [-1.,  1.]])
    """

    def __init__(self, method, *, scope="local", axis="all", stats=None, **params):
        self.method, self.scope, self.axis, self.stats, self.params = method, scope, axis, stats, params

    def __call__(self, X):
        return normalize(X, self.method, scope=self.scope, axis=self.axis, stats=self.stats, **self.params)

    def __repr__(self):
        return f"melnorm.torch.Normalize({self.method!r}, scope={self.scope!r}, axis={self.axis!r})"
