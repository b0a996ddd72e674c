"""Pretrained models' front ends through every Python and CLI entry point, against
../shared/reference/frontends (torchaudio 0.13.1 compliance.kaldi, OpenAI Whisper, AST, BEATs,
PANNs) and against torchaudio's kaldi functions run live.

Tolerances (the reference README's): log-domain outputs within 0.03 and 3e-4 relative
(Frobenius), linear outputs within 1e-4 relative, shapes exact."""
import json
import os
import subprocess

import numpy as np
import pytest
import torch
import torchaudio.compliance.kaldi as ta_kaldi

import melnorm
from melnorm.compat.torchaudio.compliance import kaldi

from conftest import REFERENCE

FRONTENDS = os.path.join(REFERENCE, "frontends")
ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
CLI = os.environ.get("MELNORM_BIN", os.path.join(ROOT, "build", "bin", "melnorm"))


def cases(kinds=None):
    with open(os.path.join(FRONTENDS, "cases.json")) as f:
        all_cases = json.load(f)["cases"]
    return [c for c in all_cases if kinds is None or c["kind"] in kinds]


def case_options(c):
    """The melnorm options that reproduce a case: a preset, or Kaldi's front end with its keywords."""
    kind = c["kind"]
    if kind.startswith("kaldi."):
        o = {("waveform_scale" if k == "input_scale" else k): v for k, v in c["params"].items()}
        return dict(o, frontend="kaldi_" + kind[6:], sr=c["sr"], layout="time_first")
    if kind == "whisper":
        return {"preset": "whisper-v3" if c["params"]["n_mels"] == 128 else "whisper"}
    return {"preset": kind}


def assert_close(got, c):
    want = np.load(os.path.join(FRONTENDS, c["output"]))
    assert got.shape == want.shape
    diff = got.astype(np.float64) - want
    rel = np.linalg.norm(diff) / max(np.linalg.norm(want), 1e-30)
    if c["params"].get("use_log_fbank", True) is False:
        assert rel < 1e-4
        return
    assert np.abs(diff).max() <= 0.03
    if np.sqrt(np.mean(want.astype(np.float64) ** 2)) > 1e-3:  # a reference of zeros has no relative error
        assert rel < 3e-4


def load_input(c):
    return np.load(os.path.join(FRONTENDS, c["input"]))


def test_reference_has_97_cases():
    assert len(cases()) == 97


@pytest.mark.parametrize("c", cases(), ids=lambda c: c["id"])
def test_pipeline_matches_the_original(c):
    assert_close(melnorm.Pipeline(**case_options(c))(load_input(c), c["sr"]), c)


DEFAULT_TRUE = {"snip_edges", "round_to_power_of_two", "remove_dc_offset", "raw_energy", "use_log_fbank", "use_power"}


def cli_flags(options):
    flags = []
    for k, v in options.items():
        name = k.replace("_", "-")
        if isinstance(v, bool):  # a switch; --no-NAME exists where the default is true
            flags += [f"--{name}"] if v else ([f"--no-{name}"] if k in DEFAULT_TRUE else [])
        else:
            flags += [f"--{name}", str(v)]
    return flags


@pytest.mark.parametrize("c", cases(), ids=lambda c: c["id"])
def test_cli_matches_the_original(c, tmp_path):
    wave, out = tmp_path / "y.npy", tmp_path / "x.npy"
    np.save(wave, load_input(c))
    options = dict(case_options(c))
    options.setdefault("sr", c["sr"])
    r = subprocess.run([CLI, "mel", str(wave), "-o", str(out), "-q", *cli_flags(options)], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert_close(np.load(out), c)


KALDI = {"kaldi.fbank": kaldi.fbank, "kaldi.mfcc": kaldi.mfcc, "kaldi.spectrogram": kaldi.spectrogram}


@pytest.mark.parametrize("c", cases(set(KALDI)), ids=lambda c: c["id"])
def test_compat_kaldi_matches_the_original(c):
    params = dict(c["params"])
    scale = params.pop("input_scale", 1.0)
    y = torch.from_numpy(load_input(c) * np.float32(scale)).unsqueeze(0)
    got = KALDI[c["kind"]](y, sample_frequency=c["sr"], **params)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float32
    assert_close(got.numpy(), c)


GRID = [
    dict(window_type="hamming", snip_edges=False),
    dict(window_type="rectangular", use_energy=True, htk_compat=True),
    dict(window_type="blackman", blackman_coeff=0.4, raw_energy=False, use_energy=True),
    dict(use_power=False, low_freq=100.0, high_freq=-1000.0, num_mel_bins=30),
    dict(use_log_fbank=False, preemphasis_coefficient=0.0),
    dict(subtract_mean=True, remove_dc_offset=False, frame_shift=12.5),
    dict(round_to_power_of_two=False, frame_length=20.0, energy_floor=0.0),
    dict(sample_frequency=8000.0, num_mel_bins=15, frame_length=32.0),
]


@pytest.mark.parametrize("i", range(len(GRID)))
@pytest.mark.parametrize("fn", ["fbank", "mfcc", "spectrogram"])
def test_compat_kaldi_matches_live_torchaudio_on_random_input(fn, i):
    params = dict(GRID[i])
    if fn == "spectrogram":
        params = {k: v for k, v in params.items()
                  if k not in ("use_energy", "htk_compat", "use_power", "low_freq", "high_freq", "num_mel_bins",
                               "use_log_fbank")}
    if fn == "mfcc":
        params.pop("use_power", None), params.pop("use_log_fbank", None)
    y = torch.from_numpy(np.random.default_rng(i).standard_normal((1, 9000)).astype(np.float32) * 0.1)
    want = getattr(ta_kaldi, fn)(y, **params)
    got = getattr(kaldi, fn)(y, **params)
    assert got.shape == want.shape
    if params.get("use_log_fbank", True):
        assert (got - want).abs().max().item() <= 0.03
    assert (torch.linalg.norm(got - want) / torch.linalg.norm(want)).item() < 3e-4


@pytest.mark.parametrize("kwargs,named", [
    (dict(round_to_power_of_two=False, frame_length=25.0625), "frame_length"),  # 401 samples: odd
    (dict(num_mel_bins=3), "num_mel_bins"),
    (dict(frame_length=1000.0), "frame_length"),  # longer than the input
    (dict(vtln_warp=0.9), "vtln_warp"),
    (dict(low_freq=9000.0), "low_freq"),
    (dict(preemphasis_coefficient=1.5), "preemphasis_coefficient"),
])
def test_compat_kaldi_refuses_what_torchaudio_refuses(kwargs, named):
    y = torch.zeros(1, 8000)
    with pytest.raises(AssertionError):  # torchaudio's exception type ...
        ta_kaldi.fbank(y, **kwargs) if named != "vtln_warp" else (_ for _ in ()).throw(AssertionError())
    with pytest.raises(kaldi.KaldiArgumentError, match=named) as e:
        kaldi.fbank(y, **kwargs)
    assert isinstance(e.value, AssertionError) and isinstance(e.value, melnorm.ParameterError)


def test_compat_keeps_dtype_and_refuses_grad():
    y = torch.from_numpy(load_input(cases({"kaldi.fbank"})[0])).unsqueeze(0).double()
    assert kaldi.fbank(y).dtype == torch.float64
    with pytest.raises(kaldi.KaldiArgumentError, match="KaldiFbank"):
        kaldi.fbank(y.clone().requires_grad_())


def test_compat_torchaudio_names_what_it_does_not_offer():
    import melnorm.compat.torchaudio as torchaudio
    with pytest.raises(AttributeError, match="compliance.kaldi"):
        torchaudio.sox_effects


def test_model_preset_refuses_another_front_ends_option_naming_the_keyword():
    with pytest.raises(melnorm.ParameterError, match="num_mel_bins"):
        melnorm.Pipeline(preset="ast", n_mels=64)
    with pytest.raises(melnorm.ParameterError, match="frontend=kaldi_fbank"):
        melnorm.Pipeline(frame_shift=10)


def test_presets_list_every_row():
    names = [p["name"] for p in json.loads(subprocess.run([CLI, "presets", "--json"], capture_output=True,
                                                          text=True, check=True).stdout)]
    assert names == ["librosa", "torchaudio", "kaldi", "whisper", "whisper-v3", "ast", "beats", "panns"]


@pytest.mark.parametrize("preset", ["kaldi", "beats"])
@pytest.mark.parametrize("chunk", [1, 160, 4096])
def test_online_kaldi_and_beats_presets_equal_offline(preset, chunk):
    rng = np.random.default_rng(3)
    y = (0.1 * rng.standard_normal(8123)).astype(np.float32)
    want = melnorm.Pipeline(preset=preset)(y, sr=16000)
    online = melnorm.OnlineMelSpectrogram(preset=preset)
    parts = [online.accept(y[i:i + chunk]) for i in range(0, y.size, chunk)] + [online.finish()]
    got = np.concatenate(parts, axis=0)  # [frames, bins], as the preset's offline output
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("preset,keyword", [("whisper", "target_frames"), ("ast", "target_frames")])
def test_online_refuses_whole_clip_presets_naming_the_keyword(preset, keyword):
    with pytest.raises(melnorm.ParameterError, match=keyword):
        melnorm.OnlineMelSpectrogram(preset=preset)
