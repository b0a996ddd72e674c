"""PyTorch interop: the MelSpectrogram object, torchaudio parity, the extract Dataset, tensor normalization,
and the README's training loop."""
import os
import pickle
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torchaudio = pytest.importorskip("torchaudio")

import melnorm  # noqa: E402
import melnorm.torch  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SAMPLES = os.path.join(ROOT, "data", "samples")
LABELS = os.path.join(SAMPLES, "LABELS.csv")


def signals(batch, n, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (batch, n)).astype(np.float32)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_melspectrogram_matches_torchaudio_slaney_constant_within_1e_3_db(seed):
    rng = np.random.default_rng(seed)
    sr = int(rng.choice([8000, 16000, 22050]))
    n_fft = int(rng.choice([256, 400, 512, 1024]))
    hop = n_fft // 4
    y = signals(4, int(rng.integers(sr // 2, 2 * sr)), seed)
    ta = torchaudio.transforms.MelSpectrogram(sample_rate=sr, n_fft=n_fft, hop_length=hop, n_mels=40,
                                              mel_scale="slaney", norm="slaney", pad_mode="constant")
    with torch.no_grad():
        ref = ta(torch.from_numpy(y)).numpy()
    ours = melnorm.melspectrogram(y, sr=sr, n_fft=n_fft, hop_length=hop, n_mels=40, pad_mode="constant")
    assert ours.shape == ref.shape
    db = lambda s: 10 * np.log10(np.maximum(s, 1e-10))  # noqa: E731
    assert np.max(np.abs(db(ours) - db(ref))) < 1e-3


def test_mel_spectrogram_object_pickles_and_threads_give_the_same_result():
    mel = melnorm.MelSpectrogram(sr=16000, n_fft=512, hop_length=160, n_mels=64, n_threads=2)
    y = signals(6, 16000).reshape(2, 3, 16000)
    out = mel(y)
    assert out.shape == (2, 3, 64, 101) and out.dtype == np.float32
    one = melnorm.MelSpectrogram(sr=16000, n_fft=512, hop_length=160, n_mels=64, n_threads=1)
    np.testing.assert_array_equal(out, one(y))
    np.testing.assert_array_equal(out[1, 2], melnorm.melspectrogram(y[1, 2], sr=16000, n_fft=512, hop_length=160,
                                                                      n_mels=64))
    back = pickle.loads(pickle.dumps(mel))
    assert back.options == mel.options and back.n_threads == 2
    np.testing.assert_array_equal(back(y), out)


def test_mel_spectrogram_object_takes_and_returns_torch_tensors():
    mel = melnorm.MelSpectrogram(sr=8000, n_fft=256, hop_length=64, n_mels=32)
    x = torch.from_numpy(signals(3, 8000)).double()
    out = mel(x)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32 and tuple(out.shape) == (3, 32, 126)
    np.testing.assert_allclose(out.numpy(), mel(x.float().numpy()), rtol=1e-6)


def test_mel_spectrogram_object_bad_arguments():
    with pytest.raises(ValueError, match="hop_length=0 must be a positive integer"):
        melnorm.MelSpectrogram(hop_length=0)
    with pytest.raises(ValueError, match="n_threads=0 must be >= 1"):
        melnorm.MelSpectrogram(n_threads=0)
    with pytest.raises(ValueError, match="unknown preset 'kaldy' .did you mean 'kaldi'"):
        melnorm.MelSpectrogram(preset="kaldy")


def test_docstring_examples_run():
    import doctest
    failures, tried = doctest.testmod(melnorm.torch, extraglobs={"torch": torch, "melnorm": melnorm})
    assert tried >= 3 and failures == 0


def test_torch_normalize_equals_numpy_and_keeps_the_shape():
    X = torch.randn(4, 1, 16, 30, dtype=torch.float64)
    out = melnorm.torch.normalize(X, "zscore", axis="band")
    assert out.shape == X.shape and out.dtype == torch.float32
    np.testing.assert_allclose(out[:, 0].numpy(), melnorm.normalize(X[:, 0].numpy(), "zscore", axis="band"))
    # the Normalize module computes in torch, in the input's dtype (tests/python/test_torch_modules.py)
    module_out = melnorm.torch.Normalize("zscore", axis="band")(X)
    assert module_out.dtype == torch.float64 and module_out.shape == X.shape
    torch.testing.assert_close(module_out.float(), out, atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match=r"\[B, 1, F, T\]"):
        melnorm.torch.normalize(torch.zeros(2, 3, 4, 5), "minmax")
    with pytest.raises(TypeError, match="melnorm.normalize"):
        melnorm.torch.normalize(np.zeros((3, 4)), "minmax")


@pytest.mark.parametrize("fmt", ["packed", "npy"])
def test_extracted_dataset_reads_both_formats(tmp_path, fmt):
    out = tmp_path / fmt
    labels = tmp_path / "labels.csv"  # the samples' labels with speaker lucas held out as the test split
    with open(LABELS) as f:
        lines = f.read().splitlines()
    with open(labels, "w") as f:
        f.write(lines[0] + "\n")
        for line in lines[1:]:
            path, label, speaker, _ = line.split(",")
            split = "test" if speaker == "lucas" else "train"
            f.write(f"{os.path.abspath(os.path.join(SAMPLES, path))},{label},{speaker},{split}\n")
    melnorm.extract(SAMPLES, out, labels=labels, sr=8000, n_fft=512, hop_length=128, n_mels=40, pad_to=1.0,
                    format=fmt, normalize="minmax")
    train = melnorm.torch.ExtractedDataset(out, split="train")
    test = melnorm.torch.ExtractedDataset(out, split="test")
    everything = melnorm.torch.ExtractedDataset(out)
    assert len(train) + len(test) == len(everything) == 20
    assert len(test) == sum(r["speaker"] == "lucas" for r in everything.rows) > 0
    assert train.classes == test.classes == [str(d) for d in range(10)]
    x, y = train[0]
    assert tuple(x.shape) == (1, 40, 63) and x.dtype == torch.float32
    assert train.classes[y] == train.rows[0]["label"]
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    with pytest.raises(ValueError, match="split='val' is not in the manifest"):
        melnorm.torch.ExtractedDataset(out, split="val")
    # DataLoader workers started with spawn receive the dataset pickled: it reopens the OUTDIR.
    copy = pickle.loads(pickle.dumps(train))
    assert torch.equal(copy[3][0], train[3][0]) and copy[3][1] == train[3][1]


def test_packed_rows_are_read_only_views_that_outlive_the_dataset_and_equal_the_npy_rows(tmp_path):
    import gc
    common = dict(sr=8000, n_fft=512, hop_length=128, n_mels=40, pad_to=1.0, normalize="zscore")
    melnorm.extract(SAMPLES, tmp_path / "packed", format="packed", **common)
    melnorm.extract(SAMPLES, tmp_path / "npy", format="npy", **common)
    packed = melnorm.torch.ExtractedDataset(tmp_path / "packed")
    npy = melnorm.torch.ExtractedDataset(tmp_path / "npy")
    assert len(packed) == len(npy) == 20
    rows = [packed.features(i) for i in range(len(packed))]
    assert all(r.dtype == np.float32 and r.shape == (40, 63) and not r.flags.writeable for r in rows)
    with pytest.raises(ValueError, match="read-only"):
        rows[0][0, 0] = 1.0
    x, _ = packed[0]
    x += 1.0  # the dataset's tensors are copies: a transform may change them in place
    del packed
    gc.collect()  # the rows keep the mapping of features.npy, not the dataset
    for i, row in enumerate(rows):
        expected = npy.features(i)
        assert expected.flags.writeable  # npy rows are read from their files (copies)
        np.testing.assert_array_equal(row, expected)
    np.testing.assert_array_equal(x[0].numpy(), rows[0] + 1.0)


def test_readme_training_loop_runs(tmp_path, monkeypatch):
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    block = re.search(r"<!-- training-example -->\s*```python\n(.*?)```", readme, re.S)
    assert block, "README.md has no training example block"
    code = block.group(1)
    assert len(code.strip().splitlines()) <= 10
    monkeypatch.chdir(ROOT)
    code = code.replace('"out/', f'"{tmp_path}/')
    scope = {}
    exec(compile(code, "README.md", "exec"), scope)
    assert np.isfinite(float(scope["loss"]))
