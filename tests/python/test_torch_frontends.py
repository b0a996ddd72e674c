"""melnorm.torch.KaldiFbank and WhisperLogMel: the reference outputs of ../shared/reference/frontends (torchaudio
0.13.1's kaldi.fbank, AST's and BEATs' preprocessing, Whisper's log_mel_spectrogram), live parity with
torchaudio.compliance.kaldi.fbank over its options, refusals naming the keyword, gradcheck, TorchScript, batches,
dtypes and devices."""
import importlib.util
import json
import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from conftest import REFERENCE  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
FRONTENDS = os.path.join(REFERENCE, "frontends")


def _frontends():
    """melnorm.torch where it imports (the compiled extension built); else the pure-torch file itself, which needs
    neither the extension nor torchaudio (test_melnorm_torch_reexports_the_frontends checks the re-export)."""
    try:
        import melnorm.torch as mt
        mt.KaldiFbank, mt.WhisperLogMel
        return mt
    except (ImportError, AttributeError):
        path = os.path.join(ROOT, "python", "melnorm", "_torch_frontends.py")
        spec = importlib.util.spec_from_file_location("melnorm_torch_frontends_source", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


ft = _frontends()
KaldiFbank, WhisperLogMel = ft.KaldiFbank, ft.WhisperLogMel


def frontend_cases(*kinds):
    path = os.path.join(FRONTENDS, "cases.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [c for c in json.load(f)["cases"] if c["kind"] in kinds]


def case_params(*kinds):
    cases = frontend_cases(*kinds)
    marks = [] if cases else [pytest.mark.skip(reason=f"no reference cases under {FRONTENDS}")]
    return [pytest.param(c, id=c["id"]) for c in cases] or [pytest.param(None, id="missing", marks=marks)]


def load(name):
    return np.load(os.path.join(FRONTENDS, name))


def assert_close(ours, ref, log_domain):
    """The README's tolerances: log-domain 0.03 absolute and 3e-4 relative (Frobenius), linear 1e-4 relative."""
    ours, ref = np.asarray(ours, np.float64), np.asarray(ref, np.float64)
    assert ours.shape == ref.shape
    diff = np.linalg.norm(ours - ref)
    if log_domain:
        assert np.abs(ours - ref).max() <= 0.03
        assert diff <= 3e-4 * np.linalg.norm(ref)
    else:
        assert diff <= 1e-4 * np.linalg.norm(ref)


def run(module, x):
    with torch.no_grad():
        return module(torch.from_numpy(x)).numpy()


# --- the reference outputs -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", case_params("kaldi.fbank"))
def test_kaldi_fbank_matches_the_torchaudio_reference_outputs(case):
    params = dict(case["params"])
    scale = params.pop("input_scale", 1.0)  # the int16-scaled case: the input multiplied first
    module = KaldiFbank(sample_frequency=float(case["sr"]), waveform_scale=scale, **params)
    ours = run(module, load(case["input"]))
    assert_close(ours, load(case["output"]), log_domain=params.get("use_log_fbank", True))


@pytest.mark.parametrize("case", case_params("ast"))
def test_ast_feature_extractor_is_one_kaldi_fbank_call_with_max_frames_and_mean_std(case):
    p = case["params"]
    # transformers' ASTFeatureExtractor: fbank, zero-pad/trim to max_length frames, then (x - mean) / (2 std)
    module = KaldiFbank(sample_frequency=float(case["sr"]), htk_compat=True, use_energy=False, window_type="hanning",
                        num_mel_bins=128, dither=0.0, frame_shift=10, max_frames=p["max_length"], mean=p["mean"],
                        std=2 * p["std"])
    ours = run(module, load(case["input"]))
    assert ours.shape == (p["max_length"], 128)
    assert_close(ours, load(case["output"]), log_domain=True)


@pytest.mark.parametrize("case", case_params("beats"))
def test_beats_preprocess_is_kaldi_fbank_with_waveform_scale_and_mean_std(case):
    p = case["params"]
    module = KaldiFbank(sample_frequency=float(case["sr"]), num_mel_bins=128, frame_length=25, frame_shift=10,
                        waveform_scale=2 ** 15, mean=p["mean"], std=2 * p["std"])
    assert_close(run(module, load(case["input"])), load(case["output"]), log_domain=True)


@pytest.mark.parametrize("case", case_params("whisper"))
def test_whisper_log_mel_matches_the_whisper_reference_outputs(case):
    module = WhisperLogMel(n_mels=case["params"]["n_mels"])
    ours = run(module, load(case["input"]))
    assert ours.shape == (case["params"]["n_mels"], 3000)
    assert_close(ours, load(case["output"]), log_domain=True)


# --- live parity with torchaudio -------------------------------------------------------------------------------------

FBANK_GRID = {
    "defaults": {},
    "hanning": dict(window_type="hanning"),
    "hamming": dict(window_type="hamming"),
    "blackman": dict(window_type="blackman", blackman_coeff=0.45),
    "rectangular": dict(window_type="rectangular"),
    "nosnip": dict(snip_edges=False),
    "nosnip_shift_past_window": dict(snip_edges=False, frame_length=10.0, frame_shift=25.0),
    "nosnip_odd_shift": dict(snip_edges=False, frame_length=20.0, frame_shift=7.0, window_type="hamming"),
    "energy": dict(use_energy=True),
    "energy_htk": dict(use_energy=True, htk_compat=True),
    "energy_windowed": dict(use_energy=True, raw_energy=False, energy_floor=0.5),
    "energy_no_floor": dict(use_energy=True, energy_floor=0.0),
    "magnitude": dict(use_power=False),
    "linear": dict(use_log_fbank=False, num_mel_bins=40),
    "linear_magnitude_energy": dict(use_log_fbank=False, use_power=False, use_energy=True, htk_compat=True),
    "subtract_mean": dict(subtract_mean=True, use_energy=True),
    "no_power_of_two": dict(round_to_power_of_two=False, frame_length=25.0),
    "no_power_of_two_32ms": dict(round_to_power_of_two=False, frame_length=32.0, window_type="blackman"),
    "plain": dict(preemphasis_coefficient=0.0, remove_dc_offset=False),
    "preemphasis_1": dict(preemphasis_coefficient=1.0),
    "band": dict(low_freq=300.0, high_freq=3400.0, num_mel_bins=30),
    "band_from_nyquist": dict(low_freq=0.0, high_freq=-1000.0, num_mel_bins=4),
    "many_bins": dict(num_mel_bins=128, frame_length=50.0, frame_shift=12.5),
    "8k": dict(sample_frequency=8000.0, num_mel_bins=40),
    "22k_odd_window": dict(sample_frequency=22050.0, num_mel_bins=64),  # 551 samples, padded to 1024
}


def torchaudio_fbank(x, **kw):
    """torchaudio's fbank; for a float64 input with its mel banks computed in float64 too (it builds them in the
    default dtype, float32, whose rounding reaches 2e-5 in a weight)."""
    kaldi = pytest.importorskip("torchaudio.compliance.kaldi")
    default = torch.get_default_dtype()
    torch.set_default_dtype(x.dtype)
    try:
        return kaldi.fbank(x.unsqueeze(0), **kw).numpy()
    finally:
        torch.set_default_dtype(default)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(FBANK_GRID))
def test_kaldi_fbank_equals_torchaudio_fbank_on_random_input(name, dtype):
    kw = FBANK_GRID[name]
    sr = kw.get("sample_frequency", 16000.0)
    x = torch.from_numpy(np.random.default_rng(len(name)).uniform(-0.5, 0.5, int(sr * 0.37))).to(getattr(torch, dtype))
    ref = torchaudio_fbank(x, **dict(kw, sample_frequency=sr))
    ours = run(KaldiFbank(**kw).to(getattr(torch, dtype)), x.numpy())
    assert ours.shape == ref.shape
    log_domain = kw.get("use_log_fbank", True)
    if dtype == "float64":  # the float32 window's rounding leaks 3e-8 into the weakest bins: 1e-5 relative there
        np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=5e-5 if log_domain else 0.0)
    else:
        assert_close(ours, ref, log_domain)


def test_kaldi_fbank_dither_draws_from_the_generator_as_torchaudio_draws_from_the_global_one():
    kaldi = pytest.importorskip("torchaudio.compliance.kaldi")
    x = torch.from_numpy(np.random.default_rng(5).uniform(-0.1, 0.1, 8000).astype(np.float32))
    module = KaldiFbank(dither=1.0)
    a = module(x, generator=torch.Generator().manual_seed(7))
    b = module(x, generator=torch.Generator().manual_seed(7))
    c = module(x, generator=torch.Generator().manual_seed(8))
    torch.manual_seed(7)
    ref = kaldi.fbank(x.unsqueeze(0), dither=1.0)
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)
    torch.testing.assert_close(a, ref, rtol=1e-5, atol=1e-4)


# --- refusals ----------------------------------------------------------------------------------------------------------

KALDI_REFUSALS = [
    (dict(frame_length=0.1), "frame_length=0.1"),  # 1 sample at 16 kHz
    (dict(frame_shift=0.05), "frame_shift=0.05"),  # 0 samples
    (dict(frame_length=25.0625, round_to_power_of_two=False), "frame_length=25.0625"),  # 401 samples, odd
    (dict(num_mel_bins=3), "num_mel_bins=3"),
    (dict(num_mel_bins=40.0), "num_mel_bins=40.0"),
    (dict(low_freq=-1.0), "low_freq=-1.0"),
    (dict(low_freq=8000.0), "low_freq=8000.0"),
    (dict(high_freq=9000.0), "high_freq=9000.0"),
    (dict(high_freq=-8000.0), "high_freq=-8000.0"),
    (dict(low_freq=5000.0, high_freq=4000.0), "low_freq=5000.0 and high_freq=4000.0"),
    (dict(window_type="hann"), "window_type='hann'"),
    (dict(preemphasis_coefficient=1.5), "preemphasis_coefficient=1.5"),
    (dict(sample_frequency=0.0), "sample_frequency=0.0"),
    (dict(sample_frequency=float("nan")), "sample_frequency=nan"),
    (dict(vtln_warp=0.9), "vtln_warp=0.9"),
    (dict(energy_floor=-1.0), "energy_floor=-1.0"),
    (dict(dither=float("inf")), "dither=inf"),
    (dict(waveform_scale="2"), "waveform_scale='2'"),
    (dict(std=0.0), "std=0.0"),
    (dict(mean=float("nan")), "mean=nan"),
    (dict(max_frames=0), "max_frames=0"),
]


@pytest.mark.parametrize("kw,message", KALDI_REFUSALS, ids=[m.split("=")[0] + "=" + str(list(k.values())[-1])
                                                            for k, m in KALDI_REFUSALS])
def test_kaldi_fbank_refuses_a_bad_keyword_naming_it_and_what_is_allowed(kw, message):
    with pytest.raises(ValueError, match="allowed") as e:
        KaldiFbank(**kw)
    assert message in str(e.value)


@pytest.mark.parametrize("kw,message", [
    (dict(sample_rate=22050), "sample_rate=22050"),
    (dict(n_mels=0), "n_mels=0"),
    (dict(n_fft=1), "n_fft=1"),
    (dict(hop_length=0), "hop_length=0"),
], ids=["sample_rate", "n_mels", "n_fft", "hop_length"])
def test_whisper_log_mel_refuses_a_bad_keyword_naming_it(kw, message):
    with pytest.raises(ValueError, match="allowed") as e:
        WhisperLogMel(**kw)
    assert message in str(e.value)


def test_whisper_log_mel_refuses_another_rate_saying_to_resample():
    with pytest.raises(ValueError, match="resample"):
        WhisperLogMel(sample_rate=8000)


def test_kaldi_fbank_refuses_a_waveform_shorter_than_one_window_naming_the_sample_counts():
    for snip_edges in (True, False):
        with pytest.raises(ValueError, match="has 399 samples, fewer than one window of 400 samples"):
            KaldiFbank(snip_edges=snip_edges)(torch.zeros(399))
    with pytest.raises(ValueError, match="floating-point"):
        KaldiFbank()(torch.zeros(1000, dtype=torch.int16))


def test_whisper_log_mel_without_pad_or_trim_refuses_audio_too_short_to_reflect():
    with pytest.raises(ValueError, match="has 200 samples"):
        WhisperLogMel(pad_or_trim=False)(torch.zeros(200))
    assert WhisperLogMel(pad_or_trim=False)(torch.zeros(16000)).shape == (80, 100)


# --- autograd, TorchScript, batches, dtypes, devices ----------------------------------------------------------------

GRADCHECK_FBANK = {
    "log_energy": dict(sample_frequency=4000.0, frame_length=8.0, frame_shift=4.0, num_mel_bins=6, use_energy=True,
                       energy_floor=0.0),
    "nosnip_magnitude_mean": dict(sample_frequency=4000.0, frame_length=8.0, frame_shift=4.0, num_mel_bins=5,
                                  snip_edges=False, use_power=False, subtract_mean=True, mean=1.0, std=2.0),
    "windowed_energy_htk": dict(sample_frequency=4000.0, frame_length=6.0, frame_shift=3.0, num_mel_bins=4,
                                round_to_power_of_two=False, use_energy=True, raw_energy=False, htk_compat=True,
                                energy_floor=0.0, window_type="hamming"),
}


@pytest.mark.parametrize("name", list(GRADCHECK_FBANK))
def test_kaldi_fbank_passes_gradcheck_on_a_tiny_double_input(name):
    module = KaldiFbank(**GRADCHECK_FBANK[name]).double()
    x = torch.from_numpy(np.random.default_rng(3).uniform(-1, 1, 80)).requires_grad_(True)
    assert torch.autograd.gradcheck(module, (x,), eps=1e-6, atol=1e-5)


def test_whisper_log_mel_passes_gradcheck_on_a_tiny_double_input_and_backpropagates_at_full_size():
    module = WhisperLogMel(n_fft=16, hop_length=4, n_mels=4, pad_or_trim=False).double()
    x = torch.from_numpy(np.random.default_rng(4).uniform(-1, 1, 40)).requires_grad_(True)
    assert torch.autograd.gradcheck(module, (x,), eps=1e-6, atol=1e-5)
    y = torch.from_numpy(np.random.default_rng(4).uniform(-1, 1, 16000).astype(np.float32)).requires_grad_(True)
    WhisperLogMel()(y).sum().backward()
    assert torch.isfinite(y.grad).all() and y.grad.abs().sum() > 0


@pytest.mark.parametrize("kw", [{}, dict(snip_edges=False, use_energy=True, htk_compat=True),
                                dict(window_type="blackman", subtract_mean=True, use_power=False, raw_energy=False),
                                dict(num_mel_bins=128, max_frames=50, mean=-4.2677393, std=9.1379948,
                                     window_type="hanning", htk_compat=True),
                                dict(waveform_scale=2.0 ** 15, num_mel_bins=128, mean=15.41663, std=13.11164)],
                         ids=["defaults", "nosnip_energy_htk", "blackman_magnitude", "ast", "beats"])
def test_kaldi_fbank_scripted_equals_eager(kw):
    module = KaldiFbank(**kw)
    scripted = torch.jit.script(module)
    x = torch.from_numpy(np.random.default_rng(6).uniform(-1, 1, (2, 7000)).astype(np.float32))
    torch.testing.assert_close(scripted(x), module(x), rtol=0, atol=0)
    torch.testing.assert_close(scripted(x[0]), module(x[0]), rtol=0, atol=0)


def test_kaldi_fbank_scripted_dithers_from_the_global_generator():
    scripted = torch.jit.script(KaldiFbank(dither=1.0))
    x = torch.zeros(4000)
    torch.manual_seed(1)
    a = scripted(x)
    torch.manual_seed(1)
    assert torch.equal(a, scripted(x))
    torch.testing.assert_close(a, KaldiFbank(dither=1.0)(x, generator=torch.Generator().manual_seed(1)))


def test_whisper_log_mel_scripted_equals_eager():
    for module in (WhisperLogMel(), WhisperLogMel(n_mels=128, pad_or_trim=False)):
        scripted = torch.jit.script(module)
        x = torch.from_numpy(np.random.default_rng(7).uniform(-1, 1, (2, 24000)).astype(np.float32))
        torch.testing.assert_close(scripted(x), module(x), rtol=0, atol=0)


def test_kaldi_fbank_batch_equals_each_item_on_its_own():
    module = KaldiFbank(subtract_mean=True, use_energy=True, max_frames=60, mean=1.0, std=3.0)
    x = torch.from_numpy(np.random.default_rng(8).uniform(-1, 1, (2, 3, 6000)).astype(np.float32))
    out = module(x)
    assert out.shape == (2, 3, 60, 24)
    for i in range(2):
        for j in range(3):
            torch.testing.assert_close(out[i, j], module(x[i, j]), rtol=1e-6, atol=1e-5)


def test_whisper_log_mel_batch_equals_each_item_with_its_own_peak():
    x = torch.from_numpy(np.random.default_rng(9).uniform(-1, 1, (3, 16000)).astype(np.float32))
    x[1] *= 1e-3  # another peak: a batch-wide max would floor this item differently
    module = WhisperLogMel()
    out = module(x)
    assert out.shape == (3, 80, 3000)
    for i in range(3):
        torch.testing.assert_close(out[i], module(x[i]), rtol=1e-6, atol=1e-5)


def test_kaldi_fbank_max_frames_pads_with_the_normalized_zero_and_trims():
    module = KaldiFbank(max_frames=100, mean=-4.0, std=8.0)
    x = torch.from_numpy(np.random.default_rng(10).uniform(-1, 1, 16000).astype(np.float32))
    padded = module(x)
    plain = KaldiFbank()(x)
    assert padded.shape == (100, 23)
    torch.testing.assert_close(padded[:98], (plain + 4.0) / 8.0)
    assert torch.all(padded[98:] == 0.5)  # (0 - mean) / std
    assert KaldiFbank(max_frames=10)(x).shape == (10, 23)


def test_frontends_to_float64_convert_their_buffers_and_compute_in_float64():
    x = torch.from_numpy(np.random.default_rng(11).uniform(-1, 1, 8000))
    fbank = KaldiFbank(num_mel_bins=40).to(torch.float64)
    assert fbank.window.dtype == torch.float64 and fbank.mel_banks.dtype == torch.float64
    out = fbank(x)
    assert out.dtype == torch.float64
    np.testing.assert_allclose(out.numpy(), torchaudio_fbank(x, num_mel_bins=40), rtol=1e-5, atol=5e-5)
    whisper = WhisperLogMel().to(torch.float64)
    assert whisper.mel_filters.dtype == torch.float64
    y = whisper(x)
    assert y.dtype == torch.float64
    torch.testing.assert_close(y.float(), WhisperLogMel()(x.float()), rtol=1e-4, atol=1e-4)


def test_frontends_keep_their_window_and_filters_as_buffers():
    assert {"window", "mel_banks"} <= set(KaldiFbank().state_dict())
    assert {"window", "mel_filters"} <= set(WhisperLogMel().state_dict())
    assert WhisperLogMel(n_mels=128).mel_filters.shape == (128, 201)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_frontends_on_cuda_equal_the_cpu():
    x = torch.from_numpy(np.random.default_rng(12).uniform(-1, 1, (2, 20000)).astype(np.float32))
    for module in (KaldiFbank(num_mel_bins=80, use_energy=True), KaldiFbank(snip_edges=False, max_frames=300),
                   WhisperLogMel(n_mels=128)):
        cpu = module(x)
        gpu = module.to("cuda")(x.cuda())
        assert gpu.device.type == "cuda"
        torch.testing.assert_close(gpu.cpu(), cpu, rtol=1e-4, atol=1e-3)
        torch.testing.assert_close(torch.jit.script(module)(x.cuda()).cpu(), cpu, rtol=1e-4, atol=1e-3)
    g = torch.Generator(device="cuda").manual_seed(0)
    assert KaldiFbank(dither=1.0).to("cuda")(x.cuda(), generator=g).shape == (2, 123, 23)


def test_melnorm_torch_reexports_the_frontends():
    try:
        importlib.import_module("melnorm")
    except ImportError as e:
        pytest.skip(f"melnorm's compiled extension is not importable ({e}): set PYTHONPATH=build/python")
    import melnorm.torch as mt
    assert mt.KaldiFbank.__module__ == "melnorm._torch_frontends"
    assert mt.WhisperLogMel.__module__ == "melnorm._torch_frontends"
