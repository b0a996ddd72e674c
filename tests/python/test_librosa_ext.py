"""librosa 0.10.2's outputs for 48 more cases (shared/reference/librosa_ext, see its README): melnorm's
librosa-signature functions, called as librosa was (through melnorm.compat.librosa), match every one.

Tolerances are the README's: spectra 1e-5 relative (Frobenius), dB values 1e-3 dB, filterbanks 1e-6
absolute, load samples exact, shapes exact. Each test is named after its case id.
"""
import json
import os
import warnings

import numpy as np
import pytest

import melnorm
import melnorm.compat.librosa as librosa

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
EXT = os.path.join(SHARED, "reference", "librosa_ext")
pytestmark = pytest.mark.skipif(not os.path.exists(os.path.join(EXT, "cases.json")), reason="no shared/reference/librosa_ext")


def cases(pred=lambda c: True):
    if not os.path.exists(os.path.join(EXT, "cases.json")):
        return []
    with open(os.path.join(EXT, "cases.json")) as f:
        return [c for c in json.load(f)["cases"] if pred(c)]


def inputs(case):
    """The case's inputs as librosa got them (scale_input multiplies, row takes one row)."""
    out = {}
    for key, value in case["inputs"].items():
        if key in ("scale_input", "row"):
            continue
        if isinstance(value, str) and value.endswith(".npy"):
            value = np.load(os.path.join(EXT, value))
            if "scale_input" in case["inputs"]:
                value = value * case["inputs"]["scale_input"]
            if "row" in case["inputs"]:
                value = value[case["inputs"]["row"]]
        elif key == "path":
            value = os.path.join(SHARED if os.path.exists(os.path.join(SHARED, value)) else REPO, value)
        out[key] = value
    return out


def params(case):
    p = dict(case["params"])
    if p.get("ref") == "max":
        p["ref"] = np.max
    return p


def call(case):
    kind, x, p = case["kind"], inputs(case), params(case)
    if kind == "stft":
        return librosa.stft(x["y"], **p)
    if kind == "filters.mel":
        return librosa.filters.mel(**p)
    if kind == "melspectrogram":
        return librosa.feature.melspectrogram(**x, **p)
    if kind in ("power_to_db", "amplitude_to_db", "db_to_power", "db_to_amplitude"):
        return getattr(librosa, kind)(*x.values(), **p)
    if kind == "pcen":
        return librosa.pcen(x["S"], **p)
    if kind == "mfcc":
        return librosa.feature.mfcc(**x, **p)
    if kind == "delta":
        return librosa.feature.delta(x["data"], **p)
    if kind == "load":
        return librosa.load(x["path"], **p)[0]
    raise AssertionError(f"unknown kind {kind}")


def rel_frobenius(a, b):
    return np.linalg.norm((np.asarray(a, np.complex128) - b).ravel()) / max(np.linalg.norm(np.ravel(b)), 1e-30)


def test_all_48_cases_are_here():
    assert len(cases()) == 48
    assert {c["kind"] for c in cases()} == {"stft", "filters.mel", "melspectrogram", "power_to_db", "amplitude_to_db",
                                             "db_to_power", "db_to_amplitude", "pcen", "mfcc", "delta", "load"}


@pytest.mark.parametrize("case", cases(lambda c: "output" in c), ids=lambda c: c["id"])
def test_librosa_ext(case):
    expected = np.load(os.path.join(EXT, case["output"]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = call(case)
    got = np.asarray(got)
    assert got.shape == expected.shape
    kind = case["kind"]
    if kind == "filters.mel":
        assert np.abs(got - expected).max() < 1e-6
    elif kind in ("power_to_db", "amplitude_to_db"):
        assert np.abs(got - expected).max() < 1e-3
        # complex input: the magnitude, with librosa's warning
        assert any(issubclass(w.category, UserWarning) and "complex" in str(w.message) for w in caught)
    elif kind == "load":
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == expected.dtype
    else:
        assert rel_frobenius(got, expected) < 1e-5
    if kind == "stft":
        assert got.dtype == expected.dtype  # complex64 for float32 input, as librosa


@pytest.mark.parametrize("case", cases(lambda c: "raises" in c), ids=lambda c: c["id"])
def test_librosa_ext_refused(case):
    assert case["raises"] == "ParameterError"
    with pytest.raises(melnorm.ParameterError) as e:
        call(case)
    assert isinstance(e.value, ValueError)
    # the message names the refused value
    bad = {k: v for k, v in case["params"].items() if k not in ("sr", "hop_length", "n_fft", "n_mels")}
    assert any(k in str(e.value) for k in bad) or any(str(v) in str(e.value) for v in bad.values())
