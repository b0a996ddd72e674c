"""melnorm.load_model and plain torch.jit.load on a model saved by `melnorm train --save-model` (issue 13):
the same labels as `melnorm predict`, the same logits, and the same refusals of a damaged folder."""
import csv
import hashlib
import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import melnorm

torch = pytest.importorskip("torch")

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SAMPLES = os.path.join(ROOT, "data", "samples")
LABELS = os.path.join(SAMPLES, "LABELS.csv")
CLI = os.environ.get("MELNORM_BIN", os.path.join(ROOT, "build", "bin", "melnorm"))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A small model on the bundled clips (theo's held out), global z-score (so stats.json), and the CLI's
    predictions of every clip with logits."""
    tmp = tmp_path_factory.mktemp("model")
    model = tmp / "model"
    r = subprocess.run([CLI, "train", "--data", SAMPLES, "--labels", LABELS, "--holdout-column", "speaker",
                        "--holdout", "theo", "--n-fft", "256", "--hop", "128", "--n-mels", "16", "--pad-to", "1",
                        "--method", "zscore:global", "--epochs", "2", "--blocks", "2", "--channels", "4",
                        "--val-fraction", "0", "--threads", "1", "-q", "-o", str(tmp / "results"),
                        "--save-model", str(model)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([CLI, "predict", str(model), SAMPLES, "--logits", "--top-k", "2", "-q",
                        "-o", str(tmp / "predictions.csv")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with open(tmp / "predictions.csv") as f:
        rows = list(csv.DictReader(f))
    return model, rows


def test_load_model_predicts_the_cli_labels(saved):
    model_dir, rows = saved
    model = melnorm.load_model(model_dir)
    assert isinstance(model.pipeline, melnorm.Pipeline)
    assert model.classes == [str(d) for d in range(10)]
    assert len(rows) == 20
    for row in rows:
        p = model.predict(row["path"])
        assert p.label == row["label"], row["path"]
        assert abs(p.probability - float(row["probability"])) < 2e-6
        assert abs(sum(p.probabilities.values()) - 1) < 1e-5


def test_a_waveform_predicts_as_its_file(saved):
    model = melnorm.load_model(saved[0])
    path = os.path.join(SAMPLES, "7", "7_lucas_12.wav")
    y, sr = melnorm.load(path, sr=None)
    a, b = model.predict(path), model.predict(y, sr=sr)
    assert a.label == b.label
    np.testing.assert_array_equal(a.logits, b.logits)


def test_plain_torch_jit_load_gives_the_cli_logits(saved):
    model_dir, rows = saved
    network = torch.jit.load(os.path.join(model_dir, "model.pt"))  # no melnorm code in the network
    network.eval()
    pipeline = melnorm.load_model(model_dir).pipeline
    classes = open(os.path.join(model_dir, "classes.txt")).read().splitlines()
    for row in rows:
        features = torch.from_numpy(pipeline.load(row["path"]))[None, None]  # [1, 1, n_mels, frames]
        with torch.no_grad():
            z = network(features)[0].numpy()
        expected = np.array([float(row[f"logit_{c}"]) for c in classes], np.float32)
        np.testing.assert_array_equal(z, expected, err_msg=row["path"])


def _copy(saved_dir, tmp_path):
    target = tmp_path / "m"
    shutil.copytree(saved_dir, target)
    return target


def _reseal(model, name):
    record = json.loads((model / "model.json").read_text())
    data = (model / name).read_bytes()
    record["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (model / "model.json").write_text(json.dumps(record))


def test_damaged_folders_are_refused_naming_the_file(saved, tmp_path):
    m = _copy(saved[0], tmp_path)
    with open(m / "model.pt", "r+b") as f:
        f.truncate(100)
    with pytest.raises(ValueError, match=r"model\.pt.*truncated"):
        melnorm.load_model(m)

    m = _copy(saved[0], tmp_path / "v")
    record = json.loads((m / "model.json").read_text())
    record["format_version"] = 2
    (m / "model.json").write_text(json.dumps(record))
    with pytest.raises(ValueError, match=r"model\.json.*format_version 2"):
        melnorm.load_model(m)

    m = _copy(saved[0], tmp_path / "s")
    stats = json.loads((m / "stats.json").read_text())
    stats["fingerprint"]["n_fft"] = "512"
    (m / "stats.json").write_text(json.dumps(stats))
    _reseal(m, "stats.json")
    with pytest.raises(ValueError, match=r"stats\.json.*n_fft"):
        melnorm.load_model(m)
