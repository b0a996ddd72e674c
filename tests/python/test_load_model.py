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


def _long_track(tmp_path):
    """3.15 s at 8 kHz: five bundled clips back to back, written as PCM16 WAV by the CLI's own decoder's peer."""
    import wave
    clips = [melnorm.load(os.path.join(SAMPLES, str(d), f), sr=None)[0]
             for d in range(3) for f in sorted(os.listdir(os.path.join(SAMPLES, str(d))))]
    y = np.concatenate(clips)[:8000 * 3 + 1234]
    y = np.pad(y, (0, max(0, 8000 * 3 + 1234 - len(y))))
    path = tmp_path / "long.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
        w.writeframes((np.clip(y, -1, 32767 / 32768) * 32768).astype("<i2").tobytes())
    return path


def test_predict_classifies_a_long_file_whole_in_windows_as_the_cli(saved, tmp_path):
    """Model.predict, like `melnorm predict`: windows of the model's 1 s input every 0.5 s, the last aligned to the
    end, the same probabilities as the CLI's file row; segment=False refuses; a short segment needs pad_short."""
    model_dir, _ = saved
    model = melnorm.load_model(model_dir)
    path = _long_track(tmp_path)
    p = model.predict(path)
    assert [round(s, 3) for s, _ in p.windows] == [0.0, 0.5, 1.0, 1.5, 2.0, 2.154]
    assert round(p.windows[-1][1], 3) == 3.154 and len(p.logits) == 6
    r = subprocess.run([CLI, "predict", str(model_dir), str(path), "-q", "-o", str(tmp_path / "p.csv")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with open(tmp_path / "p.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 7 and rows[-1]["segment"] == "file"
    assert p.label == rows[-1]["label"] and abs(p.probability - float(rows[-1]["probability"])) < 2e-6
    for row, (start, _) in zip(rows, p.windows):
        assert row["start"] == f"{start:.3f}"
    vote = model.predict(path, aggregate="vote")
    assert abs(sum(vote.probabilities.values()) - 1) < 1e-5
    with pytest.raises(ValueError, match=r"longer than the model's input \(1 s\), and segment=False refuses"):
        model.predict(path, segment=False)
    with pytest.raises(ValueError, match=r"segment=0.5 s is shorter than the model's input .* add pad_short"):
        model.predict(path, segment=0.5)
    assert len(model.predict(path, segment=0.5, pad_short=True).windows) == 7
    with pytest.raises(ValueError, match="aggregate='median' is not supported"):
        model.predict(path, aggregate="median")


def test_model_stream_gives_the_labels_of_predict_stream(saved, tmp_path):
    """Model.stream, fed in odd-sized blocks, prints what `melnorm predict --stream FILE` prints: the same starts,
    labels and probabilities, the last window aligned to the end."""
    model_dir, _ = saved
    model = melnorm.load_model(model_dir)
    path = _long_track(tmp_path)
    r = subprocess.run([CLI, "predict", str(model_dir), "--stream", str(path), "--every", "0.25"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    cli = list(csv.DictReader(r.stdout.splitlines()))
    y, sr = melnorm.load(str(path), sr=None)
    stream = model.stream(sr, every=0.25)
    got = []
    for i in range(0, len(y), 777):
        got += stream.accept(y[i:i + 777])
    got += stream.finish()
    assert len(got) == len(cli) > 5
    for (start, end, p), row in zip(got, cli):
        assert f"{start:.3f}" == row["start"] and f"{end:.3f}" == row["end"]
        assert p.label == row["label"] and abs(p.probability - float(row["probability"])) < 2e-6
    with pytest.raises(ValueError, match="shorter than the model's input"):
        model.stream(sr, window=0.5)
    with pytest.raises(ValueError, match="before any audio arrived"):
        model.stream(sr).finish()
