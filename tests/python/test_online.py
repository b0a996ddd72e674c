"""melnorm.OnlineMelSpectrogram: chunks of any size give the offline Pipeline's frames."""
import numpy as np
import pytest

import melnorm

SR = 16000
# The torchaudio preset's 128 mels at n_fft 400 leave 3 filters empty; the library says so each time.
pytestmark = pytest.mark.filterwarnings("ignore:.*empty filters in the mel basis")


def signal(n=20817, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    return (0.4 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(n)).astype(np.float32)


def streamed(online, y, chunk):
    frames = [online.accept(y[i:i + chunk]) for i in range(0, len(y), chunk)]
    frames.append(online.finish())
    assert all(f.shape[0] == online.n_mels and f.dtype == np.float32 for f in frames)
    return np.concatenate(frames, axis=1)


@pytest.mark.parametrize("preset", ["librosa", "torchaudio"])
@pytest.mark.parametrize("pad_mode", ["constant", "reflect"])
@pytest.mark.parametrize("center", [True, False])
def test_chunks_equal_the_offline_pipeline(preset, pad_mode, center):
    y = signal()
    options = dict(sr=SR, preset=preset, pad_mode=pad_mode, center=center, db="ref1", top_db=None)
    want = melnorm.Pipeline(**options)(y)
    online = melnorm.OnlineMelSpectrogram(**options)
    for chunk in (1, 7, 160, 4096):
        online.reset()
        got = streamed(online, y, chunk)
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=0)
        assert online.frames_emitted == want.shape[1]


def test_linear_equals_melspectrogram():
    y = signal(5000)
    want = melnorm.MelSpectrogram(SR, preset="torchaudio")(y)
    online = melnorm.OnlineMelSpectrogram(sr=SR, preset="torchaudio", db="off")
    np.testing.assert_array_equal(streamed(online, y, 333), want)


def test_pcen_carries_its_state():
    y = signal()
    want = melnorm.Pipeline(sr=SR, normalize="pcen")(y)
    online = melnorm.OnlineMelSpectrogram(sr=SR, normalize="pcen")
    np.testing.assert_allclose(streamed(online, y, 160), want, rtol=1e-6, atol=0)


def test_global_zscore_with_fitted_stats():
    options = dict(sr=SR, db="ref1", top_db=None, normalize="zscore", scope="global", axis="band")
    features = melnorm.Pipeline(**{k: v for k, v in options.items() if k not in ("normalize", "scope", "axis")})
    stats = melnorm.Stats(128)
    for seed in (1, 2):
        stats.update(features(signal(8000, seed)))
    pipeline = melnorm.Pipeline(stats=stats, **options)
    y = signal()
    online = melnorm.OnlineMelSpectrogram.from_pipeline(pipeline)
    np.testing.assert_allclose(streamed(online, y, 4096), pipeline(y), rtol=1e-6, atol=0)
    np.testing.assert_array_equal(streamed(melnorm.OnlineMelSpectrogram(stats=stats, **options), y, 7), pipeline(y))


def test_int16_and_empty_chunks():
    y = signal(6000)
    pcm = np.round(y * 32767).astype(np.int16)
    online = melnorm.OnlineMelSpectrogram(sr=SR, db="off")
    assert online.accept(np.zeros(0, np.float32)).shape == (128, 0)
    got = streamed(online, pcm, 1000)
    np.testing.assert_array_equal(got, melnorm.Pipeline(sr=SR, db="off")(pcm))


def test_latency_and_properties():
    online = melnorm.OnlineMelSpectrogram(sr=SR, preset="torchaudio", db="off")
    assert (online.sample_rate, online.hop_length, online.lookahead_samples, online.latency_samples) == (SR, 200, 200, 399)
    # reflect padding (the torchaudio preset): frame 0 mirrors samples 1..200, so it waits for 201 samples
    assert online.accept(np.zeros(200, np.float32)).shape[1] == 0
    assert online.accept(np.zeros(1, np.float32)).shape[1] == 1
    assert online.accept(np.zeros(198, np.float32)).shape[1] == 0
    assert online.accept(np.zeros(1, np.float32)).shape[1] == 1  # frame 1 at 400 samples: its stamp 200 + look-ahead 200
    assert online.samples_accepted == 400 and not online.finished
    online.finish()
    assert online.finished
    assert online.pipeline.options["n_fft"] == "400"


@pytest.mark.parametrize("options, name", [
    ({}, "db"),  # Pipeline's defaults: db="max", top_db=80
    ({"db": "ref1"}, "top_db"),
    ({"db": "off", "pad_to": 1.0}, "pad_to"),
    ({"db": "off", "segment": 0.5}, "segment"),
    ({"db": "off", "normalize": "zscore"}, "scope"),
])
def test_whole_clip_options_are_refused_naming_them(options, name):
    with pytest.raises(ValueError, match=name) as e:
        melnorm.OnlineMelSpectrogram(sr=SR, **options)
    assert "allowed" in str(e.value)


def test_sliding_window_normalization():
    online = melnorm.OnlineMelSpectrogram(sr=SR, db="off", normalize="zscore", window_frames=8)
    out = streamed(online, signal(), 500)
    assert np.isfinite(out).all() and out.shape == (128, 41)


def test_bad_input_is_refused():
    online = melnorm.OnlineMelSpectrogram(sr=SR, db="off")
    online.accept(signal(100))
    with pytest.raises(ValueError, match="NaN"):
        online.accept(np.array([0.0, np.nan], np.float32))
    with pytest.raises(ValueError, match="1-D"):
        online.accept(np.zeros((2, 10), np.float32))
    assert online.samples_accepted == 100
    empty = melnorm.OnlineMelSpectrogram(sr=SR, db="off")
    with pytest.raises(ValueError, match="empty"):
        empty.finish()
    with pytest.raises(ValueError, match="sr"):
        melnorm.OnlineMelSpectrogram(db="off")
