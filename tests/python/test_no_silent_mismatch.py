"""Each case where a front end used to do something other than what it was asked, silently (or misleadingly),
has a test here: the option asked for is the option used, a mismatch is refused naming what differs, and what
the library has to say reaches Python as Python says it."""
import csv
import os
import subprocess
import warnings
import wave

import numpy as np
import pytest

import melnorm
from melnorm import _melnorm

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SAMPLES = os.path.join(ROOT, "data", "samples")
CLI = os.environ.get("MELNORM_BIN", os.path.join(ROOT, "build", "bin", "melnorm"))
SHORT_CLIP = os.path.join(SAMPLES, "2", "2_theo_7.wav")  # 2037 samples at 8 kHz

ComplexWarning = getattr(getattr(np, "exceptions", np), "ComplexWarning")


def noise(n=16000, seed=0):
    return np.random.default_rng(seed).normal(scale=0.1, size=n).astype(np.float32)


def write_wav(path, sr, seconds, freq=440.0):
    n = int(sr * seconds)
    x = (np.sin(2 * np.pi * freq * np.arange(n) / sr) * 8000).astype(np.int16)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(sr)
        f.writeframes(x.tobytes())


def nothing_written(out_dir):
    return not os.path.exists(out_dir) or not os.listdir(out_dir)


# ---- an explicit option always wins over the preset ----

def test_torchaudio_preset_keeps_an_explicit_mel_norm():
    slaney = melnorm.MelSpectrogram(sr=16000, preset="torchaudio", n_mels=40, norm="slaney")
    plain = melnorm.MelSpectrogram(sr=16000, preset="torchaudio", n_mels=40)
    assert slaney.options["norm"] == "slaney" and plain.options["norm"] == "none"
    y = noise()
    assert not np.array_equal(slaney(y), plain(y))
    # The preset's other values stay: torchaudio's defaults with slaney-normalized filters, spelled out.
    spelled = melnorm.MelSpectrogram(sr=16000, n_fft=400, hop_length=200, pad_mode="reflect", mel_scale="htk",
                                     norm="slaney", n_mels=40)
    assert slaney(y).tobytes() == spelled(y).tobytes()


def test_an_explicit_option_overrides_the_preset_and_the_hop_follows_the_window():
    torchaudio = melnorm.Pipeline(preset="torchaudio", n_fft=512)
    assert torchaudio.options["n_fft"] == "512"
    assert torchaudio.options["hop_length"] == "256"  # torchaudio: hop = win_length // 2
    librosa = melnorm.Pipeline(n_fft=512)
    assert librosa.options["n_fft"] == "512" and librosa.options["hop_length"] == "128"  # librosa: win_length // 4
    assert melnorm.Pipeline(preset="torchaudio", n_fft=512, win_length=300).options["hop_length"] == "150"
    assert melnorm.Pipeline(preset="torchaudio", n_fft=512, hop_length=100).options["hop_length"] == "100"
    assert melnorm.Pipeline(preset="torchaudio").options["hop_length"] == "200"


# ---- statistics fitted at one rate are refused at another ----

STATS_OPTIONS = dict(n_fft=256, n_mels=32, normalize="zscore", scope="global")


@pytest.fixture(scope="module")
def stats_8k(tmp_path_factory):
    out = tmp_path_factory.mktemp("stats") / "A"
    melnorm.extract(SAMPLES, out, sr=8000, fit_stats=True, fit_on="all", **STATS_OPTIONS)
    return out / "stats.json"


def test_pipeline_refuses_statistics_of_another_rate(stats_8k):
    with pytest.raises(ValueError, match="sr: stats 8000 vs features 16000"):
        melnorm.Pipeline(sr=16000, stats=stats_8k, **STATS_OPTIONS)
    with pytest.raises(ValueError, match="sr: stats 8000 vs features 16000"):
        melnorm.Pipeline(sr=16000, stats=melnorm.Stats.load(str(stats_8k)), **STATS_OPTIONS)
    melnorm.Pipeline(sr=8000, stats=stats_8k, **STATS_OPTIONS)  # the rate they were fitted at


def test_extract_refuses_statistics_of_another_rate_and_writes_nothing(stats_8k, tmp_path):
    out = tmp_path / "B"
    with pytest.raises(ValueError, match="sr: stats 8000 vs features 16000"):
        melnorm.extract(SAMPLES, out, sr=16000, stats=stats_8k, **STATS_OPTIONS)
    assert nothing_written(out)


def test_a_refused_extract_does_not_block_the_corrected_run(stats_8k, tmp_path):
    out = tmp_path / "B"
    with pytest.raises(ValueError, match="statistics do not match the features"):
        melnorm.extract(SAMPLES, out, sr=16000, stats=stats_8k, **STATS_OPTIONS)
    # The same OUTDIR, the right statistics: not "was made with other options".
    summary = melnorm.extract(SAMPLES, out, sr=8000, stats=stats_8k, **STATS_OPTIONS)
    assert summary["rows"] == 20 and summary["failed"] == 0


def test_cli_refuses_statistics_of_another_rate(stats_8k, tmp_path):
    out = tmp_path / "C"
    r = subprocess.run([CLI, "extract", SAMPLES, "-o", str(out), "--quiet", "--stats", str(stats_8k), "--sr", "16000",
                        "--n-fft", "256", "--n-mels", "32", "--normalize", "zscore", "--scope", "global"],
                       capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    assert "sr: stats 8000 vs features 16000" in r.stderr
    assert nothing_written(out)


# ---- clips of different rates without sr ----

@pytest.fixture
def mixed(tmp_path):
    folder = tmp_path / "mixed"
    write_wav(folder / "a" / "low.wav", 8000, 0.5)
    write_wav(folder / "b" / "high.wav", 16000, 0.5)
    return folder


def test_mixed_rates_without_sr_are_refused_naming_files_and_rates(mixed, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ValueError) as e:
        melnorm.extract(mixed, out, n_fft=256, n_mels=32)
    message = str(e.value)
    for part in ("low.wav", "8000", "high.wav", "16000"):
        assert part in message, message
    assert nothing_written(out)


def test_mixed_rates_with_sr_or_native(mixed, tmp_path):
    summary = melnorm.extract(mixed, tmp_path / "sr", sr=8000, n_fft=256, n_mels=32)
    assert summary["rows"] == 2 and summary["failed"] == 0

    native = tmp_path / "native"
    summary = melnorm.extract(mixed, native, sr="native", n_fft=256, n_mels=32)
    assert summary["rows"] == 2 and summary["failed"] == 0
    rows = {r["source"]: r for r in csv.DictReader(open(native / "manifest.csv", newline=""))}
    for name, rate in (("a/low.wav", 8000), ("b/high.wav", 16000)):  # each at its own rate
        expected = melnorm.Pipeline(sr=rate, n_fft=256, n_mels=32).load(mixed / name)
        assert np.load(native / rows[name]["output"]).tobytes() == expected.tobytes()

    packed = tmp_path / "packed"
    with pytest.raises(ValueError, match="native"):
        melnorm.extract(mixed, packed, sr="native", format="packed", pad_to=0.5, n_fft=256, n_mels=32)
    assert nothing_written(packed)


# ---- fitting statistics needs a split (or fit_on="all", knowingly) ----

def test_fit_stats_without_a_split_is_refused(tmp_path):
    for labels in (None, "no-split"):
        kwargs = dict(STATS_OPTIONS, sr=8000, fit_stats=True)
        if labels:
            csv_path = tmp_path / "labels.csv"
            rows = list(csv.DictReader(open(os.path.join(SAMPLES, "LABELS.csv"), newline="")))
            with open(csv_path, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["path", "label"])
                w.writerows([os.path.join(os.path.abspath(SAMPLES), r["path"]), r["label"]] for r in rows)
            kwargs["labels"] = str(csv_path)
        out = tmp_path / f"out-{labels}"
        with pytest.raises(ValueError) as e:
            melnorm.extract(SAMPLES, out, **kwargs)
        assert "split_column" in str(e.value) and "fit_on" in str(e.value), str(e.value)
        assert "--" not in str(e.value)
        assert nothing_written(out)
        summary = melnorm.extract(SAMPLES, tmp_path / f"all-{labels}", fit_on="all", **kwargs)
        assert summary["rows"] == 20 and (tmp_path / f"all-{labels}" / "stats.json").exists()


# ---- inputs as given: int16 PCM, complex spectrograms, tensors that need grad ----

def test_int16_input_is_scaled_as_the_cli_scales_it():
    y = (noise(8000, seed=1) * 32767).astype(np.int16).reshape(2, 4000)
    scaled = y.astype(np.float32) / 32768
    p = melnorm.Pipeline(sr=8000, n_fft=256, n_mels=32, normalize="zscore", db="ref1")
    assert p(y).tobytes() == p(scaled).tobytes()
    m = melnorm.MelSpectrogram(sr=8000, n_fft=256, n_mels=32)
    assert m(y).tobytes() == m(scaled).tobytes()
    assert not np.array_equal(m(y), m(y.astype(np.float32)))  # not the raw integer values
    with pytest.raises(ValueError, match="int32"):
        m(y.astype(np.int32))


@pytest.mark.parametrize("to_db", [melnorm.power_to_db, melnorm.amplitude_to_db])
@pytest.mark.parametrize("ref", [1.0, np.max, "p99.5"])
def test_db_of_complex_input_is_of_its_magnitude(to_db, ref):
    rng = np.random.default_rng(2)
    S = (rng.normal(size=(16, 20)) + 1j * rng.normal(size=(16, 20))).astype(np.complex64)
    with pytest.warns(UserWarning, match="complex input") as record:
        out = to_db(S, ref=ref)
    assert not [w for w in record if issubclass(w.category, ComplexWarning)]
    assert sum(issubclass(w.category, UserWarning) for w in record) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = to_db(np.abs(S), ref=ref)
    assert out.tobytes() == expected.tobytes()


def test_a_tensor_that_requires_grad_is_refused():
    torch = pytest.importorskip("torch")
    y = torch.from_numpy(noise(8000))
    for f in (melnorm.MelSpectrogram(sr=8000, n_fft=256, n_mels=32),
              melnorm.Pipeline(sr=8000, n_fft=256, n_mels=32, normalize="zscore")):
        with pytest.raises(ValueError, match=r"\.detach\(\)"):
            f(y.clone().requires_grad_(True))
        out = f(y)
        assert isinstance(out, torch.Tensor) and out.numpy().tobytes() == f(y.numpy()).tobytes()
        assert f(y.clone().requires_grad_(True).detach()).numpy().tobytes() == out.numpy().tobytes()


# ---- the library's warnings and errors, in Python's terms ----

def test_a_warning_per_item_is_one_python_warning(capfd):
    mel = melnorm.MelSpectrogram(sr=8000, n_fft=2048, hop_length=512)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mel(np.zeros((50, 1000), np.float32))  # n_fft is too large for each of the 50 items
    messages = [str(w.message) for w in caught]
    assert len(caught) == 1, messages[:3]
    assert issubclass(caught[0].category, UserWarning) and "n_fft=2048 is too large" in messages[0]
    out, err = capfd.readouterr()
    assert err == "" and out == ""


def test_a_library_warning_points_at_the_caller():
    mel = melnorm.MelSpectrogram(sr=8000, n_fft=2048, hop_length=512)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mel(np.zeros(1000, np.float32))
        melnorm.Pipeline(sr=8000, n_fft=2048, n_mels=32).load(SHORT_CLIP)
    assert len(caught) == 2
    # As warnings.warn(..., stacklevel=2) from the user's call: this file, not melnorm/__init__.py.
    assert [w.filename for w in caught] == [__file__, __file__]


def test_a_warning_is_raised_by_the_call_that_caused_it():
    # What melnorm.dask runs on a worker: one clip shorter than n_fft (2048 by default).
    plan = _melnorm.ExtractPlan(dict(input=SAMPLES, out_dir="unused", sr=8000))
    source = next(i for i in range(len(plan)) if plan.source_name(i).endswith("2_theo_7.wav"))
    with warnings.catch_warnings(record=True) as during:
        warnings.simplefilter("always")
        _melnorm.ExtractWorker(plan).process(source)
    with warnings.catch_warnings(record=True) as later:
        warnings.simplefilter("always")
        melnorm.Pipeline(sr=8000, n_fft=256, n_mels=32)(np.zeros(8000, np.float32))  # warns about nothing
    assert [str(w.message) for w in later] == []
    assert any("2_theo_7.wav" in str(w.message) for w in during)


@pytest.mark.parametrize("call, expected", [
    (lambda out: melnorm.Pipeline(segment_hop=0.5), "segment_hop needs segment"),
    (lambda out: melnorm.Pipeline(pad_to=1.0, segment=1.0), "pad_to and segment"),
    (lambda out: melnorm.Pipeline(normalize="pcen", scope="global"), "pcen is local only"),
    (lambda out: melnorm.Pipeline(normalize="pcen", db="max"), "db=max contradicts normalize=pcen"),
    (lambda out: melnorm.Pipeline(params={"ddof": 1}), "params needs normalize"),
    (lambda out: melnorm.Pipeline(sr=8000, fmax=5000), "fmax=5000"),
    (lambda out: melnorm.extract(SAMPLES, out, format="packed"),
     "format='packed' needs fixed-size rows: add segment='SECONDS' or pad_to='SECONDS'"),
    (lambda out: melnorm.extract(SAMPLES, out, normalize="zscore", scope="global"), "scope global needs"),
], ids=["segment_hop", "pad_to+segment", "pcen-global", "pcen-db", "params", "fmax", "packed", "global"])
def test_library_errors_use_python_names(call, expected, tmp_path):
    with pytest.raises(ValueError) as e:
        call(tmp_path / "out")
    assert expected in str(e.value)
    assert "--" not in str(e.value), str(e.value)
    assert nothing_written(tmp_path / "out")


@pytest.mark.parametrize("make", [
    lambda out: melnorm.Pipeline(n_mel=40),
    lambda out: melnorm.MelSpectrogram(n_mel=40),
    lambda out: melnorm.melspectrogram(np.zeros(4000, np.float32), n_mel=40),
    lambda out: melnorm.extract(SAMPLES, out, n_mel=40),
], ids=["Pipeline", "MelSpectrogram", "melspectrogram", "extract"])
def test_an_unknown_keyword_gets_a_did_you_mean(make, tmp_path):
    with pytest.raises(ValueError, match="did you mean 'n_mels'"):
        make(tmp_path / "out")
    assert nothing_written(tmp_path / "out")


def test_pcen_fingerprint_says_the_rate_and_hop_it_runs_at():
    """The fingerprint is what changes output bytes: PCEN at the pipeline's rate and hop and PCEN told another
    rate and hop give different bytes, so their fingerprints differ."""
    own = melnorm.Pipeline(sr=8000, n_fft=256, n_mels=32, normalize="pcen")
    other = melnorm.Pipeline(sr=8000, n_fft=256, n_mels=32, normalize="pcen", params={"sr": 22050, "hop_length": 512})
    y = noise(8000)
    assert own(y).tobytes() != other(y).tobytes()
    assert own.fingerprint != other.fingerprint
    assert "sr=8000" in own.fingerprint["params"] and "hop_length=64" in own.fingerprint["params"]


def test_db_none_is_linear_as_db_off():
    y = np.random.default_rng(3).standard_normal(8000).astype(np.float32)
    off = melnorm.MelSpectrogram(sr=8000, n_fft=256, n_mels=20)(y)
    none = melnorm.MelSpectrogram(sr=8000, n_fft=256, n_mels=20, db=None)(y)
    assert none.tobytes() == off.tobytes()
    assert (off >= 0).all()  # linear power, not dB


def test_torch_normalize_refuses_a_tensor_that_requires_grad():
    import torch
    import melnorm.torch
    X = torch.rand(2, 8, 10, requires_grad=True)
    with pytest.raises(ValueError, match=r"\.detach\(\)"):
        melnorm.torch.normalize(X, "zscore")
    assert melnorm.torch.normalize(X.detach(), "zscore").shape == X.shape
