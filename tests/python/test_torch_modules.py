"""melnorm.torch's nn.Modules: equal to the C++ path, differentiable (gradcheck), TorchScript-able, usable in
nn.Sequential inside a training loop, on CUDA when there is one."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import melnorm  # noqa: E402
import melnorm.torch as mt  # noqa: E402


def signals(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)


def db(x):
    return 10 * np.log10(np.maximum(x, 1e-10))


@pytest.mark.parametrize("options", [
    dict(sr=16000, n_fft=512, hop_length=160, n_mels=64),
    dict(sr=8000, n_fft=256, hop_length=64, win_length=200, window="hamming", n_mels=40, htk=True, norm=None),
    dict(sr=16000, preset="torchaudio", n_mels=80),
    dict(sr=22050, power=1, pad_mode="reflect", fmin=50.0, fmax=8000.0),
])
def test_mel_spectrogram_module_equals_the_cpp_path_within_1e_4_db(options):
    y = signals((3, 2, 12000), 1)
    module = mt.LibrosaMelSpectrogram(**options)
    with torch.no_grad():
        ours = module(torch.from_numpy(y)).numpy()
    ref = melnorm.MelSpectrogram(**options)(y)
    assert ours.shape == ref.shape
    # 1e-4 dB where the values are within 80 dB of the clip's peak (below that float32 FFT rounding shows)
    peak = db(ref).max()
    keep = db(ref) > peak - 80
    assert np.abs(db(ours) - db(ref))[keep].max() < 1e-4


def test_mel_spectrogram_module_refuses_stages_after_the_spectrogram():
    with pytest.raises(ValueError, match="PowerToDB"):
        mt.LibrosaMelSpectrogram(sr=16000, db="max")
    with pytest.raises(ValueError, match="hop_length=0"):
        mt.LibrosaMelSpectrogram(sr=16000, hop_length=0)


@pytest.mark.parametrize("kw", [dict(ref="max"), dict(ref=1.0, top_db=None), dict(ref="p99.5", floor="relative"),
                                dict(ref="max", top_db=40.0)])
def test_power_to_db_module_is_melnorm_power_to_db_per_item(kw):
    S = np.abs(signals((4, 16, 30), 2)) ** 3
    out = mt.PowerToDB(**kw)(torch.from_numpy(S)).numpy()
    for i in range(4):
        np.testing.assert_allclose(out[i], melnorm.power_to_db(S[i], **kw), atol=2e-4)


def test_amplitude_to_db_module_is_melnorm_amplitude_to_db_per_item():
    S = np.abs(signals((2, 8, 20), 3))
    out = mt.AmplitudeToDBReMax(ref=np.float64(0.5).item(), top_db=60.0)(torch.from_numpy(S)).numpy()
    for i in range(2):
        np.testing.assert_allclose(out[i], melnorm.amplitude_to_db(S[i], ref=0.5, top_db=60.0), atol=2e-4)
    with pytest.raises(melnorm.ParameterError, match="top_db"):
        mt.AmplitudeToDBReMax(top_db=-1.0)


# Normalize's cases come from the registry: every statistics method with its defaults, and with each parameter moved
# off its default (within its declared range), on every axis the method declares.
STATISTICS = [m for m in melnorm.methods() if m["kind"] == "statistics"]


def _off_default(p):
    value = min(p["default"] + 1, p["max"])
    return value if value != p["default"] else (p["min"] + p["default"]) / 2


def _local_cases():
    for m in STATISTICS:
        axes = ("all", "band", "frame") if m["supports_frame_axis"] else ("all", "band")
        for params in [{}] + [{p["name"]: _off_default(p)} for p in m["params"]]:
            for axis in axes:
                yield pytest.param(m["name"], params, axis, id=f"{m['name']}-{axis}-{params}")


def test_the_registry_has_statistics_methods_and_parameters_to_vary():
    assert len(STATISTICS) >= 5 and sum(len(m["params"]) for m in STATISTICS) >= 3


@pytest.mark.parametrize("method,params,axis", list(_local_cases()))
def test_normalize_module_local_equals_melnorm_normalize(method, params, axis):
    X = signals((3, 12, 25), 4) * 20 - 40
    out = mt.Normalize(method, axis=axis, **params)(torch.from_numpy(X).unsqueeze(1)).squeeze(1).numpy()
    np.testing.assert_allclose(out, melnorm.normalize(X, method, axis=axis, **params), atol=2e-5)


@pytest.mark.parametrize("method", [m["name"] for m in melnorm.methods()])
def test_normalize_module_takes_every_statistics_method_and_refuses_the_rest_by_name(method):
    info = next(m for m in melnorm.methods() if m["name"] == method)
    X = torch.from_numpy(signals((2, 6, 9), 10))
    if info["kind"] == "statistics":
        torch.testing.assert_close(mt.Normalize(method)(X), torch.from_numpy(melnorm.normalize(X.numpy(), method)),
                                   atol=2e-5, rtol=0)
        return
    allowed = ", ".join(m["name"] for m in STATISTICS)
    with pytest.raises(ValueError, match=f"'{method}' is a {info['kind']} method.*allowed: {allowed} ") as e:
        mt.Normalize(method)
    if hasattr(mt, method.upper()):
        assert f"melnorm.torch.{method.upper()}" in str(e.value)


def test_normalize_module_none_is_the_identity_and_unknown_names_list_the_methods():
    X = torch.randn(2, 3, 4)
    assert mt.Normalize("none")(X) is X
    with pytest.raises(ValueError, match="allowed: " + ", ".join(m["name"] for m in melnorm.methods())):
        mt.Normalize("nope")


def test_a_statistics_method_without_torch_math_goes_through_the_library(monkeypatch):
    # What a newly registered statistics method gets before anyone writes its torch form: the library's numbers.
    method = STATISTICS[-1]["name"]
    monkeypatch.setattr(mt, "_TORCH_LOCAL", tuple(m for m in mt._TORCH_LOCAL if m != method))
    X = signals((3, 12, 25), 4) * 20 - 40
    for axis in ("all", "band"):
        module = mt.Normalize(method, axis=axis)
        assert module.library_local
        out = module(torch.from_numpy(X).double())
        assert out.dtype == torch.float64
        np.testing.assert_allclose(out.numpy(), melnorm.normalize(X, method, axis=axis), atol=2e-5)


@pytest.mark.parametrize("method", [m["name"] for m in STATISTICS if m["supports_global"]])
@pytest.mark.parametrize("axis", ["all", "band"])
def test_normalize_module_global_keeps_fitted_maps_as_buffers(method, axis):
    train = signals((6, 10, 40), 5) * 30
    stats = melnorm.Stats(10)
    stats.update(train)
    module = mt.Normalize(method, scope="global", axis=axis, stats=stats)
    X = signals((2, 10, 40), 6) * 30
    expected = melnorm.normalize(X, method, scope="global", axis=axis, stats=stats)
    np.testing.assert_allclose(module(torch.from_numpy(X)).numpy(), expected, atol=2e-5)
    # state_dict carries the fit: a module made without those statistics gives the same result once loaded
    other = mt.Normalize(method, scope="global", axis=axis, stats=_other_stats())
    assert not np.allclose(other(torch.from_numpy(X)).numpy(), expected, atol=1e-3)
    other.load_state_dict(module.state_dict())
    np.testing.assert_allclose(other(torch.from_numpy(X)).numpy(), expected, atol=2e-5)


def _other_stats():
    s = melnorm.Stats(10)
    s.update(signals((3, 10, 40), 9) * 3 + 5)
    return s


def test_gradcheck_through_normalize_and_power_to_db():
    torch.manual_seed(0)
    S = (torch.rand(2, 5, 7, dtype=torch.float64) + 0.01).requires_grad_()
    assert torch.autograd.gradcheck(mt.PowerToDB(ref="max", top_db=None), (S,))
    assert torch.autograd.gradcheck(mt.PowerToDB(ref=1.0, top_db=80.0), (S,))
    X = torch.randn(2, 5, 7, dtype=torch.float64, requires_grad=True)
    for method in ("zscore", "minmax", "zscore-minmax"):
        for axis in ("all", "band", "frame"):
            assert torch.autograd.gradcheck(mt.Normalize(method, axis=axis), (X,)), (method, axis)
    assert torch.autograd.gradcheck(mt.PCEN(sr=8000, hop_length=64), ((S * 100).detach().requires_grad_(),))


def test_every_module_scripts_and_the_script_gives_the_same_numbers():
    y = torch.from_numpy(signals((2, 8000), 7))
    S = torch.from_numpy(np.abs(signals((2, 16, 20), 8)))
    stats = melnorm.Stats(16)
    stats.update(signals((4, 16, 20), 9))
    cases = [(mt.LibrosaMelSpectrogram(sr=8000, n_fft=256, hop_length=64, n_mels=16), y),
             (mt.PowerToDB(), S), (mt.PowerToDB(ref="p99"), S), (mt.AmplitudeToDBReMax(ref=1.0, top_db=None), S),
             (mt.Normalize("zscore", axis="band"), S), (mt.Normalize("minmax"), S),
             (mt.Normalize("robust-zscore", axis="frame"), S), (mt.Normalize("robust", scope="global", stats=stats), S),
             (mt.Normalize("none"), S),
             (mt.PCEN(sr=8000, hop_length=64), S)]
    for module, x in cases:
        scripted = torch.jit.script(module)
        torch.testing.assert_close(scripted(x), module(x))


def test_sequential_trains_in_a_tiny_loop():
    torch.manual_seed(0)
    y = torch.from_numpy(signals((16, 4000), 10))
    target = torch.randint(0, 2, (16,))
    y[target == 1] *= torch.sin(torch.arange(4000) * 0.3)  # a learnable spectral difference
    front = torch.nn.Sequential(mt.LibrosaMelSpectrogram(sr=8000, n_fft=256, hop_length=128, n_mels=32), mt.PowerToDB(),
                                mt.Normalize("zscore", axis="band"))
    model = torch.nn.Sequential(front, torch.nn.Flatten(), torch.nn.Linear(32 * 32, 2))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(y), target)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert losses[-1] < 0.5 * losses[0]
    # the front end equals melnorm's C++ path: dB per item, then z-score per band
    with torch.no_grad():
        ours = front(y).numpy()
    ref = melnorm.Pipeline(sr=8000, n_fft=256, hop_length=128, n_mels=32, db="max", top_db=80,
                           normalize="zscore", axis="band")(y.numpy())
    np.testing.assert_allclose(ours, ref, atol=2e-3)


def test_gradients_reach_the_waveform():
    y = torch.from_numpy(signals((1, 4000), 11)).double().requires_grad_()
    front = torch.nn.Sequential(mt.LibrosaMelSpectrogram(sr=8000, n_fft=256, hop_length=128, n_mels=16), mt.PowerToDB())
    front(y).sum().backward()
    assert y.grad is not None and torch.isfinite(y.grad).all() and y.grad.abs().sum() > 0


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_modules_on_cuda_equal_cpu():
    y = torch.from_numpy(signals((2, 8000), 12))
    front = torch.nn.Sequential(mt.LibrosaMelSpectrogram(sr=8000, n_fft=256, hop_length=64, n_mels=16), mt.PowerToDB(),
                                mt.Normalize("zscore", axis="band"))
    cpu = front(y)
    gpu = front.to("cuda")(y.to("cuda")).cpu()
    torch.testing.assert_close(gpu, cpu, atol=1e-3, rtol=1e-4)


def test_spec_augment_masks_are_seeded_bounded_and_off_in_eval():
    X = torch.ones(4, 2, 32, 50)
    aug = mt.SpecAugment(freq_mask_param=6, time_mask_param=9, n_freq_masks=2, n_time_masks=1, mask_value=-1.0, seed=7)
    out = aug(X)
    assert out.shape == X.shape and int(aug.calls) == 1
    masked = out == -1.0
    # a frequency mask covers whole bands, a time mask whole frames; widths within their bounds
    for item in masked.reshape(-1, 32, 50):
        bands = item.all(dim=1)
        frames = item.all(dim=0)
        assert int(bands.sum()) <= 2 * 6 and int(frames.sum()) <= 9
        assert torch.equal(item, bands.unsqueeze(1) | frames.unsqueeze(0))
    assert masked.any()
    # the same seed and call count give the same masks; the next call gives others; items differ
    again = mt.SpecAugment(freq_mask_param=6, time_mask_param=9, n_freq_masks=2, n_time_masks=1, mask_value=-1.0, seed=7)
    assert torch.equal(again(X), out)
    assert not torch.equal(aug(X), out)
    assert not torch.equal(masked[0, 0], masked[1, 0]) or not torch.equal(masked[1, 1], masked[2, 1])
    # the call count is state: a module loaded from a state_dict continues the sequence
    resumed = mt.SpecAugment(freq_mask_param=6, time_mask_param=9, n_freq_masks=2, n_time_masks=1, mask_value=-1.0, seed=7)
    resumed.load_state_dict(aug.state_dict())
    assert torch.equal(resumed(X), aug(X))
    aug.eval()
    assert torch.equal(aug(X), X)
    scripted = torch.jit.script(mt.SpecAugment(freq_mask_param=6, time_mask_param=9, seed=3))
    assert torch.equal(scripted(X), mt.SpecAugment(freq_mask_param=6, time_mask_param=9, seed=3)(X))
    with pytest.raises(ValueError, match="freq_mask_param=-1"):
        mt.SpecAugment(freq_mask_param=-1)


def test_spec_augment_widths_cover_their_range():
    aug = mt.SpecAugment(freq_mask_param=4, time_mask_param=0, seed=1)
    widths = set()
    for _ in range(20):
        widths |= {int(w) for w in (aug(torch.ones(16, 20, 10)) == 0).all(dim=2).sum(dim=1)}
    assert widths == {0, 1, 2, 3, 4}



def test_amplitude_to_db_is_renamed_and_the_old_name_warns_once_naming_torchaudios_meaning():
    """torchaudio's AmplitudeToDB is power re 1 without top_db; melnorm's was 20*log10 re max: the name moved to
    AmplitudeToDBReMax, and the old one warns (once) what differs, computing as before."""
    import warnings
    mt._warned_amplitude_to_db = False
    S = torch.rand(2, 8, 10) + 0.1
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        old = mt.AmplitudeToDB()
        mt.AmplitudeToDB()
    future = [x for x in w if issubclass(x.category, FutureWarning)]
    assert len(future) == 1, [str(x.message) for x in w]
    assert "AmplitudeToDBReMax" in str(future[0].message) and "10*log10 re 1" in str(future[0].message)
    assert torch.equal(old(S), mt.AmplitudeToDBReMax()(S))


def test_mel_spectrogram_is_renamed_and_the_old_name_warns_once_naming_torchaudios_defaults():
    """torchaudio's MelSpectrogram() is sample_rate=16000, n_fft=400, HTK mels; melnorm's module takes librosa's
    keywords and defaults: it is LibrosaMelSpectrogram now, and the old name warns once what differs."""
    import warnings
    mt._warned_mel_spectrogram = False
    y = torch.randn(2, 4000)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        old = mt.MelSpectrogram(sr=8000, n_fft=256, hop_length=64, n_mels=16)
        mt.MelSpectrogram(sr=8000)
    future = [x for x in w if issubclass(x.category, FutureWarning)]
    assert len(future) == 1, [str(x.message) for x in w]
    message = str(future[0].message)
    assert "LibrosaMelSpectrogram" in message and "n_fft=400" in message
    assert "melnorm.compat.torchaudio.transforms.MelSpectrogram" in message
    assert torch.equal(old(y), mt.LibrosaMelSpectrogram(sr=8000, n_fft=256, hop_length=64, n_mels=16)(y))
    assert mt.LibrosaMelSpectrogram().n_fft == 2048  # librosa's default, not torchaudio's 400


def test_spec_augment_refuses_torchaudios_positional_order_and_answers_its_keywords():
    """torchaudio.transforms.SpecAugment(n_time_masks, time_mask_param, n_freq_masks, freq_mask_param) would be
    read in another order here: refused. Its keywords are answered where they mean the same."""
    with pytest.raises(TypeError, match=r"keywords only.*n_time_masks, time_mask_param"):
        mt.SpecAugment(2, 80, 2, 27)
    X = torch.arange(2 * 16 * 20, dtype=torch.float32).reshape(2, 16, 20)
    zero = mt.SpecAugment(n_time_masks=2, time_mask_param=5, n_freq_masks=1, freq_mask_param=4, seed=3,
                          iid_masks=True, p=1.0, zero_masking=True)
    same = mt.SpecAugment(n_time_masks=2, time_mask_param=5, n_freq_masks=1, freq_mask_param=4, seed=3)
    assert torch.equal(zero(X), same(X))
    mean = mt.SpecAugment(n_time_masks=2, time_mask_param=5, n_freq_masks=1, freq_mask_param=4, seed=3,
                          zero_masking=False)
    out = mean(X)
    masked = out != X
    assert masked.any() and torch.all(out[masked] == X.mean())
    with pytest.raises(ValueError, match="iid_masks=False"):
        mt.SpecAugment(iid_masks=False)
    with pytest.raises(ValueError, match=r"p=0\.5.*allowed: 1\.0"):
        mt.SpecAugment(p=0.5)
    with pytest.raises(ValueError, match="zero_masking and mask_value"):
        mt.SpecAugment(zero_masking=True, mask_value=1.0)
    with pytest.raises(TypeError, match=r"unknown keyword\(s\) n_mask.*allowed: freq_mask_param"):
        mt.SpecAugment(n_mask=3)
    with pytest.raises(ValueError, match="mask_value='median'"):
        mt.SpecAugment(mask_value="median")
    scripted = torch.jit.script(mt.SpecAugment(time_mask_param=5, freq_mask_param=4, seed=3, mask_value="mean"))
    assert torch.equal(scripted(X), mt.SpecAugment(time_mask_param=5, freq_mask_param=4, seed=3, mask_value="mean")(X))
