"""Noise-following dB floors (issue 17): db_floor='noise' | 'noise_percentile' through every front end."""
import numpy as np
import pytest

import melnorm


def _clip(gain=1.0):
    rng = np.random.default_rng(3)
    y = 0.01 * rng.standard_normal(16000)
    y[:8000] += 0.3 * np.sin(2 * np.pi * 700 * np.arange(8000) / 16000)
    return (gain * y).astype(np.float32)


def test_power_to_db_noise_floor_is_per_band_gain_invariant_and_refuses_batches():
    S = np.abs(np.random.default_rng(0).standard_normal((4, 60))).astype(np.float32) ** 2 + 1e-3
    S[:, 10:20] *= 1e4
    db = melnorm.power_to_db(S, ref=np.max, top_db=None, floor="noise")
    assert np.isfinite(db).all()
    quiet = np.argsort(S.sum(axis=0))[:12]  # 20 % of 60 frames
    floors = 10 * np.log10(S[:, quiet].mean(axis=1) / S.max())
    np.testing.assert_allclose(db.min(axis=1), floors, atol=1e-3)
    np.testing.assert_allclose(melnorm.power_to_db(S * 1e-5, ref=np.max, top_db=None, floor="noise"), db, atol=1e-3)
    with pytest.raises(ValueError, match="floor='noise' takes one spectrogram"):
        melnorm.power_to_db(np.ones((2, 4, 60), np.float32), floor="noise")
    with pytest.raises(ValueError, match="allowed: absolute, relative, noise, noise_percentile"):
        melnorm.power_to_db(S, floor="noisy")


@pytest.mark.parametrize("floor", ["noise", "noise_percentile"])
def test_pipeline_noise_floor_keeps_float_gain_invariance(floor):
    p = melnorm.Pipeline(sr=16000, n_mels=40, db="max", db_floor=floor, db_floor_percentile=10)
    assert p.options["db_floor"] == floor and p.fingerprint["db_floor_percentile"] == "10"
    assert "db_floor_percentile" not in melnorm.Pipeline(sr=16000, db_floor="relative").fingerprint
    a, b = p(_clip(), sr=16000), p(_clip(10 ** (-60 / 20)), sr=16000)
    np.testing.assert_allclose(a, b, atol=1e-3)
    absolute = melnorm.Pipeline(sr=16000, n_mels=40, db="max")(_clip(), sr=16000)
    assert a.min() > absolute.min() + 1.0  # the noise is gated above amin


def test_a_stream_refuses_a_noise_floor_naming_it():
    with pytest.raises(ValueError, match="db_floor=noise follows the whole clip's noise"):
        melnorm.OnlineMelSpectrogram(sr=16000, db="ref1", top_db=None, db_floor="noise")
