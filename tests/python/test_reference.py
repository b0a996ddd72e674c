"""Every ../shared/reference case through the Python API (librosa 0.10.2, torchaudio 0.13.1, seed 001)."""
import os

import numpy as np
import pytest

import melnorm
from conftest import REFERENCE, reference_cases


def load(name):
    return np.load(os.path.join(REFERENCE, name))


def rel_frobenius(a, b):
    return np.linalg.norm(a.astype(np.float64) - b) / max(np.linalg.norm(b.astype(np.float64)), 1e-30)


@pytest.mark.parametrize("case", reference_cases("mel"), ids=lambda c: c["name"])
def test_librosa_mel_and_db_reference(case):
    p = case["params"]
    S = melnorm.melspectrogram(load(case["input"]), sr=case["sr"], n_fft=p["n_fft"], hop_length=p["hop_length"],
                               window=p["window"], center=p["center"], pad_mode=p["pad_mode"], power=p["power"],
                               n_mels=p["n_mels"], fmin=p["fmin"], fmax=p["fmax"], htk=p["htk"], norm=p["norm"])
    assert S.dtype == np.float32
    assert rel_frobenius(S, load(case["mel"])) < 1e-5
    to_db = melnorm.power_to_db if case["db_function"] == "power_to_db" else melnorm.amplitude_to_db
    amin = 1e-10 if case["db_function"] == "power_to_db" else 1e-5
    assert np.abs(to_db(S, ref=1.0, amin=amin, top_db=None) - load(case["db_ref1"])).max() < 0.01
    assert np.abs(to_db(S, ref=np.max, amin=amin, top_db=80.0) - load(case["db_refmax_top80"])).max() < 0.01


@pytest.mark.parametrize("case", reference_cases("torchaudio_defaults"), ids=lambda c: c["name"])
def test_torchaudio_defaults_reference(case):
    S = melnorm.melspectrogram(load(case["input"]), sr=case["sr"], preset="torchaudio")
    assert rel_frobenius(S, load(case["mel"])) < 1e-5


@pytest.mark.parametrize("case", reference_cases("pcen"), ids=lambda c: c["name"])
def test_librosa_pcen_reference_and_streaming(case):
    p = case["params"]
    pc = p["pcen"]
    M = load(case["mel"]) * np.float32(pc["input_scale"])
    kw = dict(sr=case["sr"], hop_length=p["hop_length"], gain=pc["gain"], bias=pc["bias"], power=pc["power"],
              time_constant=pc["time_constant"], eps=pc["eps"])
    whole = melnorm.pcen(M, **kw)
    assert rel_frobenius(whole, load(case["pcen"])) < 1e-4
    # chunked with zi/zf (librosa's streaming state) == one call
    zi, parts = None, []
    for start in range(0, M.shape[1], 7):
        out, zi = melnorm.pcen(M[:, start:start + 7], zi=zi, return_zf=True, **kw)
        parts.append(out)
    np.testing.assert_array_equal(np.concatenate(parts, axis=1), whole)


def test_seed001_reference():
    (case,) = reference_cases("seed001_normalize_melspec")
    out = melnorm.normalize(load(case["input"]), "zscore-minmax", eps=case["eps"])
    assert np.abs(out - load(case["output"])).max() < 1e-6
