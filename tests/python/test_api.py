"""The Python API's behaviour: dtypes, layouts, threads, statistics, errors, docstring examples."""
import doctest
import os

import numpy as np
import pytest

import melnorm

SAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "data", "samples")


def noise(n, seed=0):
    return np.random.default_rng(seed).normal(0, 0.1, n).astype(np.float32)


def test_docstring_examples_run():
    failures, tried = doctest.testmod(melnorm, extraglobs={"np": np, "melnorm": melnorm})
    assert tried > 5 and failures == 0


def test_load_matches_soundfile_scaling_and_resamples():
    # sr=None keeps the file's rate; the default is librosa's 22050 Hz (test_librosa_compat.py)
    y, sr = melnorm.load(os.path.join(SAMPLES, "7", "7_lucas_12.wav"), sr=None)
    assert sr == 8000 and y.dtype == np.float32 and y.ndim == 1
    assert np.abs(y).max() <= 1.0
    y16, sr16 = melnorm.load(os.path.join(SAMPLES, "7", "7_lucas_12.wav"), sr=16000)
    assert sr16 == 16000 and len(y16) == int(np.ceil(len(y) * 2))


def test_float64_and_strided_input_give_the_float32_result():
    y = noise(16000)
    a = melnorm.melspectrogram(y, sr=16000)
    b = melnorm.melspectrogram(y.astype(np.float64), sr=16000)
    wide = np.zeros(32000, np.float32)
    wide[::2] = y
    c = melnorm.melspectrogram(wide[::2], sr=16000)  # a non-contiguous view
    assert a.dtype == b.dtype == c.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_batch_on_threads_equals_one_by_one():
    Y = np.stack([noise(8000, seed) for seed in range(5)])
    batch = melnorm.melspectrogram(Y, sr=8000, n_fft=512, hop_length=128, n_threads=3)
    assert batch.shape[0] == 5
    for i in range(5):
        np.testing.assert_array_equal(batch[i], melnorm.melspectrogram(Y[i], sr=8000, n_fft=512, hop_length=128))


def test_normalize_with_lengths_and_global_stats():
    X = np.random.default_rng(1).normal(-40, 10, (3, 8, 20)).astype(np.float32)
    out = melnorm.normalize(X, "zscore", axis="band", lengths=[20, 12, 5])
    assert np.all(out[1, :, 12:] == 0) and np.all(out[2, :, 5:] == 0)
    np.testing.assert_allclose(out[0].mean(axis=1), 0, atol=1e-5)
    stats = melnorm.Stats(8)
    stats.update(X[:2])
    other = melnorm.Stats(8)
    other.update(X[2:])
    stats.merge(other)
    whole = melnorm.Stats(8)
    whole.update(X)
    assert stats.count == whole.count == 3 * 8 * 20
    assert stats.mean == pytest.approx(whole.mean, rel=1e-12)
    g = melnorm.normalize(X, "zscore", scope="global", stats=whole)
    assert g.mean() == pytest.approx(0, abs=1e-5) and g.std() == pytest.approx(1, abs=1e-4)


def test_stats_save_load_round_trip(tmp_path):
    s = melnorm.Stats(4)
    s.update(np.random.default_rng(2).normal(-30, 5, (4, 50)).astype(np.float32))
    s.save(tmp_path / "stats.json")
    t = melnorm.Stats.load(tmp_path / "stats.json")
    assert t.count == s.count and t.mean == s.mean and t.band_std == s.band_std
    assert t.percentile(50) == pytest.approx(s.percentile(50))


def test_methods_lists_the_registry_with_its_declarations():
    methods = melnorm.methods()
    assert len({m["name"] for m in methods}) == len(methods) > 0 and "none" not in [m["name"] for m in methods]
    for m in methods:
        assert m["description"] and m["unit"] and m["range"], m["name"]
        assert m["input"] in ("features", "linear-magnitude"), m["name"]
        assert m["needs_frame_rate"] == any(p["name"] in ("sr", "hop_length") for p in m["params"]), m["name"]


def test_methods_docstring_and_stubs_name_exactly_the_returned_keys():
    import ast
    import re
    keys = {k for m in melnorm.methods() for k in m}
    param_keys = {k for m in melnorm.methods() for p in m["params"] for k in p}
    assert all(set(m) == keys for m in melnorm.methods())
    doc = " ".join(melnorm.methods.__doc__.split())
    listed = lambda text: {k.strip() for k in text.split(",")}  # noqa: E731
    assert listed(re.search(r"Keys: ([^.]*)\.", doc).group(1)) == keys
    assert listed(re.search(r"has the keys: ([^.]*)\.", doc).group(1)) == param_keys
    with open(os.path.join(os.path.dirname(melnorm.__file__), "__init__.pyi")) as f:
        stubs = {c.name: {a.target.id for a in c.body if isinstance(a, ast.AnnAssign)}
                 for c in ast.parse(f.read()).body if isinstance(c, ast.ClassDef)}
    assert stubs["MethodInfo"] == keys and stubs["MethodParam"] == param_keys
    # melnorm.methods() lists the registry without the identity; the library knows it under its kind
    assert melnorm._melnorm.method("none")["kind"] == "identity"
    assert {m["kind"] for m in melnorm.methods()} <= {"statistics", "filter"}


@pytest.mark.parametrize("method", [m["name"] for m in melnorm.methods()])
def test_every_method_keeps_constant_input_finite_and_refuses_nan(method):
    x = np.full((3, 4), 0.25, np.float32)
    assert np.isfinite(melnorm.normalize(x, method)).all()
    x[1, 2] = np.nan
    with pytest.raises(ValueError, match="band 1, frame 2 is NaN"):
        melnorm.normalize(x, method)


def test_power_to_db_percentile_ref_is_numpys_percentile_and_gain_invariant_with_relative_floor():
    S = np.random.default_rng(3).random((40, 60)).astype(np.float32) ** 4 + 1e-12
    ref = np.percentile(S, 99.5)
    expect = 10 * np.log10(np.maximum(S, 1e-10)) - 10 * np.log10(ref)
    got = melnorm.power_to_db(S, ref="p99.5", top_db=None)
    assert np.abs(got - expect).max() < 1e-3
    assert np.array_equal(melnorm.power_to_db(S, ref="max"), melnorm.power_to_db(S, ref=np.max))
    quiet = melnorm.power_to_db(S * 1e-6, ref="p99.5", floor="relative")
    assert np.abs(quiet - melnorm.power_to_db(S, ref="p99.5", floor="relative")).max() < 1e-3
    assert np.abs(melnorm.power_to_db(S * 1e-6, ref="p99.5") - melnorm.power_to_db(S, ref="p99.5")).max() > 1


@pytest.mark.parametrize("call, exc, message", [
    (lambda: melnorm.melspectrogram(noise(100), sr=8000, hop_length=0), ValueError, "hop_length=0 must be a positive integer"),
    (lambda: melnorm.melspectrogram(noise(100), sr=8000, window="kaiser"), ValueError, "window='kaiser'"),
    (lambda: melnorm.melspectrogram(noise(100), sr=8000, fmax=5000), ValueError, "fmax=5000 must be <= sr/2"),
    (lambda: melnorm.melspectrogram(np.float32(0.5), sr=8000), melnorm.ParameterError, "samples axis"),  # N-D is a batch (librosa)
    (lambda: melnorm.melspectrogram(np.array([0.0, np.nan] * 100, np.float32), sr=8000), ValueError, "sample 1 is NaN"),
    (lambda: melnorm.melspectrogram(noise(100), sr=8000, preset="kaldy"), ValueError, "unknown preset 'kaldy'"),
    (lambda: melnorm.normalize(np.zeros((2, 3), np.float32), "l2"), ValueError, "method='l2' is not known"),
    (lambda: melnorm.normalize(np.zeros(3, np.float32), "zscore"), ValueError, "[F, T] or [B, F, T]"),
    (lambda: melnorm.normalize(np.zeros((2, 3), np.float32), "zscore", scope="global"), ValueError, "needs fitted statistics"),
    (lambda: melnorm.normalize(np.zeros((1, 2, 3), np.float32), "zscore", lengths=[4]), ValueError, "longer than the 3 frames"),
    (lambda: melnorm.normalize(np.zeros((2, 3), np.float32), "zscore", ddof=5), ValueError, "ddof=5 must be in [0, 1]"),
    (lambda: melnorm.power_to_db(np.ones(3), amin=0), ValueError, "amin=0 must be strictly positive"),
    (lambda: melnorm.power_to_db(np.ones(3), ref="p101"), ValueError, "db='p101': the percentile must be a number in (0, 100]"),
    (lambda: melnorm.power_to_db(np.ones(3), ref="median"), ValueError, "db='median' is not supported"),
    (lambda: melnorm.power_to_db(np.ones(3), floor="floating"), ValueError, "db_floor='floating'"),
    (lambda: melnorm.load("/no/such/file.wav"), OSError, "no such file"),
    (lambda: melnorm.Stats.load("/no/such/stats.json"), OSError, "no such statistics file"),
])
def test_bad_input_raises_the_documented_exception(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)


def test_pipeline_load_of_a_long_file_streams_and_equals_the_loaded_waveforms_features(tmp_path):
    """A file of 2**20 samples or more is decoded and framed in blocks (Pipeline::run_file): the same bytes as the
    features of its loaded waveform, before and with normalization."""
    import wave
    sr = 22050
    n = (1 << 20) + 4321
    y = (0.3 * np.sin(np.arange(n) / 9.0) + 0.01 * np.random.default_rng(0).standard_normal(n)).astype(np.float32)
    path = tmp_path / "long.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(sr)
        w.writeframes((y * 32767).astype("<i2").tobytes())
    for options in (dict(db="max", top_db=80), dict(normalize="zscore"), dict(db="off", normalize="pcen")):
        p = melnorm.Pipeline(sr=sr, **options)
        decoded, rate = melnorm.load(str(path), sr=None)
        assert rate == sr
        np.testing.assert_array_equal(p.load(path), p(decoded))
