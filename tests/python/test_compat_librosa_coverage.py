"""melnorm.compat.librosa beyond the feature core (issue 24 parts 3 and 4): every added name against a direct NumPy
implementation of librosa's formula (SciPy's where librosa calls SciPy, when it is installed), the refusals with
librosa's ParameterError naming the bad value, librosa 1.0's ``axes`` for the dB conversions (0.10's with
``axes=None``), resample's engines and display on matplotlib."""
import inspect
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import melnorm
import melnorm.compat.librosa as librosa

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
WAV = os.path.join(ROOT, "data", "samples", "7", "7_lucas_12.wav")
ParameterError = librosa.ParameterError


def noise(shape, seed=0, scale=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)


def burst(n_lead=5000, n_body=20000, n_tail=7000, seed=0):
    return np.concatenate([np.zeros(n_lead), noise(n_body, seed, 0.3), np.zeros(n_tail)]).astype(np.float32)


# --- layout, names, signatures ----------------------------------------------------------------------------------------

ADDED = {
    "": ["resample", "get_duration", "get_samplerate", "frames_to_time", "time_to_frames", "samples_to_frames",
         "frames_to_samples", "samples_to_time", "time_to_samples", "mel_frequencies", "fft_frequencies",
         "hz_to_mel", "mel_to_hz", "to_mono", "istft", "magphase"],
    "effects": ["trim", "split"],
    "util": ["normalize", "fix_length", "frame", "pad_center"],
    "feature": ["rms", "zero_crossing_rate", "spectral_centroid"],
}


@pytest.mark.parametrize("module,name", [(m, n) for m, names in ADDED.items() for n in names])
def test_every_name_of_the_issue_is_provided(module, name):
    mod = getattr(librosa, module) if module else librosa
    assert callable(getattr(mod, name))
    if not module:
        assert getattr(librosa.core, name) is getattr(librosa, name)


@pytest.mark.parametrize("module,name", [("", "beat"), ("", "cqt"), ("feature", "chroma_stft"),
                                         ("effects", "time_stretch"), ("util", "peak_pick"), ("filters", "chroma"),
                                         ("core", "griffinlim")])
def test_a_name_not_provided_says_what_is_and_suggests_librosa(module, name):
    mod = getattr(librosa, module) if module else librosa
    with pytest.raises(AttributeError) as e:
        getattr(mod, name)
    text = str(e.value)
    assert name in text and "librosa itself" in text
    assert ", ".join(sorted(n for n in mod.__all__ if not n.startswith("_"))) in text


# (function, keyword-only parameters with librosa's defaults); positional-or-keyword ones listed first
SIGNATURES = [
    (librosa.resample, [], dict(orig_sr=inspect._empty, target_sr=inspect._empty, res_type="soxr_hq", fix=True,
                                scale=False, axis=-1)),
    (librosa.get_duration, [], dict(y=None, sr=22050, S=None, n_fft=2048, hop_length=512, center=True, path=None)),
    (librosa.frames_to_time, ["frames"], dict(sr=22050, hop_length=512, n_fft=None)),
    (librosa.time_to_frames, ["times"], dict(sr=22050, hop_length=512, n_fft=None)),
    (librosa.frames_to_samples, ["frames"], dict(hop_length=512, n_fft=None)),
    (librosa.samples_to_frames, ["samples"], dict(hop_length=512, n_fft=None)),
    (librosa.samples_to_time, ["samples"], dict(sr=22050)),
    (librosa.time_to_samples, ["times"], dict(sr=22050)),
    (librosa.mel_frequencies, ["n_mels"], dict(fmin=0.0, fmax=11025.0, htk=False)),
    (librosa.fft_frequencies, [], dict(sr=22050, n_fft=2048)),
    (librosa.hz_to_mel, ["frequencies"], dict(htk=False)),
    (librosa.mel_to_hz, ["mels"], dict(htk=False)),
    (librosa.istft, ["stft_matrix"], dict(hop_length=None, win_length=None, n_fft=None, window="hann", center=True,
                                          dtype=None, length=None, out=None)),
    (librosa.magphase, ["D"], dict(power=1)),
    (librosa.power_to_db, ["S"], dict(ref=1.0, amin=1e-10, top_db=80.0, axes="auto")),
    (librosa.amplitude_to_db, ["S"], dict(ref=1.0, amin=1e-5, top_db=80.0, axes="auto")),
    (librosa.effects.trim, ["y"], dict(top_db=60, ref=np.max, frame_length=2048, hop_length=512, aggregate=np.max)),
    (librosa.effects.split, ["y"], dict(top_db=60, ref=np.max, frame_length=2048, hop_length=512, aggregate=np.max)),
    (librosa.util.normalize, ["S"], dict(norm=np.inf, axis=0, threshold=None, fill=None)),
    (librosa.util.fix_length, ["data"], dict(size=inspect._empty, axis=-1)),
    (librosa.util.pad_center, ["data"], dict(size=inspect._empty, axis=-1)),
    (librosa.util.frame, ["x"], dict(frame_length=inspect._empty, hop_length=inspect._empty, axis=-1,
                                     writeable=False, subok=False)),
    (librosa.feature.rms, [], dict(y=None, S=None, frame_length=2048, hop_length=512, center=True,
                                   pad_mode="constant", dtype=np.float32)),
    (librosa.feature.zero_crossing_rate, ["y"], dict(frame_length=2048, hop_length=512, center=True)),
    (librosa.feature.spectral_centroid, [], dict(y=None, sr=22050, S=None, n_fft=2048, hop_length=512, freq=None,
                                                 win_length=None, window="hann", center=True, pad_mode="constant")),
]


@pytest.mark.parametrize("func,positional,keywords", SIGNATURES, ids=lambda x: getattr(x, "__name__", None))
def test_librosas_signature_keyword_only_where_librosa_is(func, positional, keywords):
    params = inspect.signature(func).parameters
    for name in positional:
        assert params[name].kind == inspect.Parameter.POSITIONAL_OR_KEYWORD, name
    for name, default in keywords.items():
        if func is librosa.mel_frequencies and name == "n_mels":
            continue
        assert params[name].kind == inspect.Parameter.KEYWORD_ONLY, name
        assert params[name].default is default or params[name].default == default, name


# --- time and frequency conversions -----------------------------------------------------------------------------------

def test_frame_sample_time_conversions_are_librosas_formulas():
    f = np.array([0, 1, 10, 255])
    np.testing.assert_array_equal(librosa.frames_to_samples(f, hop_length=256), f * 256)
    np.testing.assert_array_equal(librosa.frames_to_samples(f, hop_length=256, n_fft=1024), f * 256 + 512)
    s = np.array([0, 255, 256, 1000, -1])
    np.testing.assert_array_equal(librosa.samples_to_frames(s, hop_length=256), np.floor(s / 256).astype(int))
    np.testing.assert_array_equal(librosa.samples_to_frames(s, hop_length=256, n_fft=512),
                                  np.floor((s - 256) / 256).astype(int))
    np.testing.assert_allclose(librosa.frames_to_time(f, sr=8000, hop_length=80), f * 80 / 8000)
    np.testing.assert_allclose(librosa.samples_to_time(s, sr=16000), s / 16000)
    t = np.array([0.0, 0.0099, 0.5, 1.23456])
    np.testing.assert_array_equal(librosa.time_to_samples(t, sr=8000), (t * 8000).astype(int))
    np.testing.assert_array_equal(librosa.time_to_frames(t, sr=8000, hop_length=80), (t * 8000).astype(int) // 80)
    assert librosa.frames_to_samples(3) == 1536 and librosa.time_to_frames(1.0) == 43  # scalars stay scalars
    assert np.ndim(librosa.frames_to_time(3)) == 0


def test_hz_mel_conversions_slaney_and_htk():
    hz = np.array([0.0, 200.0, 999.0, 1000.0, 4000.0, 11025.0])
    lin = hz * 3 / 200.0
    log = 15.0 + np.log(np.maximum(hz, 1e-9) / 1000.0) / (np.log(6.4) / 27.0)
    expected = np.where(hz >= 1000.0, log, lin)
    np.testing.assert_allclose(librosa.hz_to_mel(hz), expected, rtol=1e-12)
    np.testing.assert_allclose(librosa.mel_to_hz(expected), hz, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(librosa.hz_to_mel(hz, htk=True), 2595.0 * np.log10(1 + hz / 700.0), rtol=1e-12)
    np.testing.assert_allclose(librosa.mel_to_hz(librosa.hz_to_mel(hz, htk=True), htk=True), hz, atol=1e-9)
    assert librosa.hz_to_mel(4000.0) == pytest.approx(expected[4]) and np.ndim(librosa.hz_to_mel(60.0)) == 0
    mf = librosa.mel_frequencies(40, fmin=50.0, fmax=7600.0)
    np.testing.assert_allclose(mf, librosa.mel_to_hz(np.linspace(librosa.hz_to_mel(50.0), librosa.hz_to_mel(7600.0),
                                                                 40)))
    assert mf[0] == pytest.approx(50.0) and mf[-1] == pytest.approx(7600.0)
    np.testing.assert_allclose(librosa.fft_frequencies(sr=16000, n_fft=512), np.arange(257) * 16000 / 512)


def test_mel_frequencies_are_the_filterbanks_centres():
    # each triangle of filters.mel peaks at mel_frequencies(n_mels + 2)[1:-1] (htk=True: no bin lands exactly)
    sr, n_fft, n_mels = 16000, 4096, 20
    fb = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, norm=None)
    centres = librosa.mel_frequencies(n_mels + 2, fmin=0.0, fmax=sr / 2)[1:-1]
    peaks = librosa.fft_frequencies(sr=sr, n_fft=n_fft)[np.argmax(fb, axis=1)]
    assert np.all(np.abs(peaks - centres) <= sr / n_fft)


# --- util -------------------------------------------------------------------------------------------------------------

def test_util_frame_is_the_strided_view_of_librosa():
    x = np.arange(20.0)
    fr = librosa.util.frame(x, frame_length=5, hop_length=3)
    assert fr.shape == (5, 6)
    for t in range(6):
        np.testing.assert_array_equal(fr[:, t], x[3 * t:3 * t + 5])
    assert not fr.flags.writeable and np.shares_memory(fr, x)
    x2 = np.arange(40.0).reshape(2, 20)
    np.testing.assert_array_equal(librosa.util.frame(x2, frame_length=5, hop_length=3)[1], fr + 20)
    f0 = librosa.util.frame(x2.T.copy(), frame_length=5, hop_length=3, axis=0)
    assert f0.shape == (6, 5, 2)
    np.testing.assert_array_equal(f0[:, :, 0], fr.T)


@pytest.mark.parametrize("kw,match", [(dict(frame_length=25, hop_length=1), "n=20.*frame_length=25"),
                                      (dict(frame_length=5, hop_length=0), "hop_length: 0"),
                                      (dict(frame_length=0, hop_length=1), "frame_length: 0")])
def test_util_frame_refuses(kw, match):
    with pytest.raises(ParameterError, match=match):
        librosa.util.frame(np.arange(20.0), **kw)


def test_util_fix_length_and_pad_center():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(librosa.util.fix_length(x, size=5), np.pad(x, [(0, 0), (0, 2)]))
    np.testing.assert_array_equal(librosa.util.fix_length(x, size=2), x[:, :2])
    np.testing.assert_array_equal(librosa.util.fix_length(x, size=4, axis=0, mode="edge"),
                                  np.pad(x, [(0, 2), (0, 0)], mode="edge"))
    assert librosa.util.fix_length(x, size=3) is x
    np.testing.assert_array_equal(librosa.util.pad_center(np.ones(3), size=8), [0, 0, 1, 1, 1, 0, 0, 0])
    np.testing.assert_array_equal(librosa.util.pad_center(x, size=4, axis=0), np.pad(x, [(1, 1), (0, 0)]))
    with pytest.raises(ParameterError, match=r"Target size \(2\) must be at least input size \(3\)"):
        librosa.util.pad_center(np.ones(3), size=2)
    with pytest.raises(ParameterError, match="size=-1"):
        librosa.util.fix_length(x, size=-1)


def _normalize_ref(S, norm, axis, fill):
    mag = np.abs(S).astype(float)
    if norm == np.inf:
        length = mag.max(axis=axis, keepdims=True)
    elif norm == -np.inf:
        length = mag.min(axis=axis, keepdims=True)
    elif norm == 0:
        length = (mag > 0).sum(axis=axis, keepdims=True).astype(float)
    else:
        length = (mag ** norm).sum(axis=axis, keepdims=True) ** (1.0 / norm)
    small = length < np.finfo(S.dtype).tiny
    out = S / np.where(small, 1.0, length)
    if fill is False:
        out = np.where(small, 0.0, out)
    elif fill is True:
        out = np.where(small, (S.shape[axis] ** (-1.0 / norm)), out)
    return out


@pytest.mark.parametrize("norm", [np.inf, -np.inf, 0, 1, 2, 3.5])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_util_normalize_formula(norm, axis):
    S = noise((6, 7), seed=3).astype(np.float64)
    S[:, 2] = 0.0
    S[1, :] = 0.0
    got = librosa.util.normalize(S, norm=norm, axis=axis)
    np.testing.assert_allclose(got, _normalize_ref(S, norm, axis, None), rtol=1e-12)
    if norm not in (0, np.inf, -np.inf):
        np.testing.assert_allclose(librosa.util.normalize(S, norm=norm, axis=axis, fill=True),
                                   _normalize_ref(S, norm, axis, True), rtol=1e-12)
    np.testing.assert_allclose(librosa.util.normalize(S, norm=norm, axis=axis, fill=False),
                               _normalize_ref(S, norm, axis, False), rtol=1e-12)
    assert librosa.util.normalize(S, norm=None) is S


@pytest.mark.parametrize("kw,match", [(dict(norm="l2"), "Unsupported norm: 'l2'"), (dict(norm=-1), "norm: -1"),
                                      (dict(threshold=0), "threshold=0"), (dict(fill=2), "fill=2"),
                                      (dict(norm=0, fill=True), "norm=0 and fill=True")])
def test_util_normalize_refuses(kw, match):
    with pytest.raises(ParameterError, match=match):
        librosa.util.normalize(np.ones((3, 3)), **kw)
    with pytest.raises(ParameterError, match="finite"):
        librosa.util.normalize(np.array([1.0, np.nan]))


# --- audio: to_mono, get_duration, get_samplerate ---------------------------------------------------------------------

def test_to_mono_get_duration_get_samplerate():
    y = noise((2, 3, 100))
    np.testing.assert_allclose(librosa.to_mono(y), y.mean(axis=(0, 1)), rtol=1e-6)
    mono = noise(100)
    assert librosa.to_mono(mono) is mono
    with pytest.raises(ParameterError, match="floating-point"):
        librosa.to_mono(np.ones(10, np.int16))
    native, sr = melnorm.load(WAV, sr=None)
    assert librosa.get_samplerate(WAV) == sr == 8000
    assert librosa.get_duration(path=WAV) == pytest.approx(len(native) / sr)
    assert librosa.get_duration(y=mono, sr=50) == 2.0
    assert librosa.get_duration(y=y, sr=100) == 1.0
    S = np.zeros((1025, 11))
    assert librosa.get_duration(S=S, sr=22050) == (2048 + 512 * 10 - 2048) / 22050
    assert librosa.get_duration(S=S, sr=22050, center=False) == (2048 + 512 * 10) / 22050
    with pytest.warns(FutureWarning, match="path="):
        assert librosa.get_duration(filename=WAV) == pytest.approx(len(native) / sr)
    with pytest.raises(ParameterError, match="At least one of"):
        librosa.get_duration()
    with open(WAV, "rb") as f:
        assert librosa.get_samplerate(f) == 8000


# --- resample ---------------------------------------------------------------------------------------------------------

def test_resample_soxr_hq_is_the_cores_resampler():
    native, sr = melnorm.load(WAV, sr=None)
    core, _ = melnorm.load(WAV, sr=22050)  # the C++ core's libsoxr HQ
    got = librosa.resample(native, orig_sr=sr, target_sr=22050)
    assert got.shape == (math.ceil(len(native) * 22050 / 8000),) == core.shape and got.dtype == np.float32
    np.testing.assert_array_equal(got, core)


@pytest.mark.parametrize("res_type", ["soxr_qq", "soxr_lq", "soxr_mq", "soxr_hq", "soxr_vhq"])
def test_resample_every_soxr_quality_reproduces_a_sine(res_type):
    sr_in, sr_out = 16000, 22050
    t_in = np.arange(16000) / sr_in
    y = np.sin(2 * np.pi * 440 * t_in).astype(np.float32)
    out = librosa.resample(y, orig_sr=sr_in, target_sr=sr_out, res_type=res_type)
    assert out.shape == (22050,) and out.dtype == np.float32
    ideal = np.sin(2 * np.pi * 440 * np.arange(22050) / sr_out)
    err = np.max(np.abs(out[2000:-2000] - ideal[2000:-2000]))
    assert err < {"soxr_qq": 5e-2, "soxr_lq": 1e-2}.get(res_type, 1e-3), err
    y64 = librosa.resample(y.astype(np.float64), orig_sr=sr_in, target_sr=sr_out, res_type=res_type)
    assert y64.dtype == np.float64
    np.testing.assert_allclose(y64, out, atol=1e-5)


def test_resample_axes_channels_fix_and_scale():
    y = noise((2, 3, 4000), seed=1)
    out = librosa.resample(y, orig_sr=8000, target_sr=11025)
    n = math.ceil(4000 * 11025 / 8000)
    assert out.shape == (2, 3, n)
    np.testing.assert_array_equal(out[1, 2], librosa.resample(y[1, 2], orig_sr=8000, target_sr=11025))
    np.testing.assert_array_equal(librosa.resample(np.moveaxis(y, -1, 0), orig_sr=8000, target_sr=11025, axis=0),
                                  np.moveaxis(out, -1, 0))
    free = librosa.resample(y[0, 0], orig_sr=8000, target_sr=11025, fix=False)
    assert abs(len(free) - 4000 * 11025 / 8000) <= 1
    np.testing.assert_allclose(librosa.resample(y[0, 0], orig_sr=8000, target_sr=11025, scale=True),
                               out[0, 0] / np.sqrt(11025 / 8000), rtol=1e-6)
    assert librosa.resample(y, orig_sr=8000, target_sr=8000) is y


def _fft_resample_ref(x, num):
    """scipy.signal.resample written out: the spectrum cut/zero-padded, the even Nyquist bin split or joined."""
    nx = x.shape[-1]
    X = np.fft.fft(x, axis=-1)
    Y = np.zeros(x.shape[:-1] + (num,), complex)
    N = min(num, nx)
    Y[..., :(N + 1) // 2] = X[..., :(N + 1) // 2]
    Y[..., num - N // 2 + (N % 2 == 0):] = X[..., nx - N // 2 + (N % 2 == 0):]
    if N % 2 == 0:
        v = X[..., N // 2] if num > nx else X[..., N // 2] + X[..., nx - N // 2]
        if num > nx:
            Y[..., N // 2] = v / 2
            Y[..., num - N // 2] = v / 2
        else:
            Y[..., N // 2] = v
    return np.real(np.fft.ifft(Y, axis=-1)) * num / nx


@pytest.mark.parametrize("n,orig,target", [(1000, 8000, 16000), (1001, 16000, 8000), (999, 22050, 16000),
                                           (1000, 16000, 22050)])
@pytest.mark.parametrize("res_type", ["fft", "scipy"])
def test_resample_fft_is_scipys_formula(n, orig, target, res_type):
    y = noise(n, seed=2).astype(np.float64)
    got = librosa.resample(y, orig_sr=orig, target_sr=target, res_type=res_type)
    num = math.ceil(n * target / orig)
    np.testing.assert_allclose(got, _fft_resample_ref(y, num), atol=1e-12)
    scipy_signal = pytest.importorskip("scipy.signal")
    np.testing.assert_allclose(got, scipy_signal.resample(y, num), atol=1e-12)


@pytest.mark.parametrize("orig,target", [(8000, 16000), (16000, 8000), (22050, 16000), (44100, 22050), (16000, 22050)])
def test_resample_polyphase_is_scipys_resample_poly(orig, target):
    scipy_signal = pytest.importorskip("scipy.signal")
    y = noise((2, 3001), seed=4).astype(np.float64)
    got = librosa.resample(y, orig_sr=orig, target_sr=target, res_type="polyphase")
    g = math.gcd(orig, target)
    ref = scipy_signal.resample_poly(y, target // g, orig // g, axis=-1)
    ref = librosa.util.fix_length(ref, size=math.ceil(3001 * target / orig))
    np.testing.assert_allclose(got, ref, atol=1e-12)


@pytest.mark.parametrize("res_type,quality", [("kaiser_best", "soxr_vhq"), ("kaiser_fast", "soxr_hq"),
                                              ("sinc_best", "soxr_vhq"), ("sinc_medium", "soxr_hq"),
                                              ("sinc_fastest", "soxr_mq"), ("linear", "soxr_lq"),
                                              ("zero_order_hold", "soxr_qq")])
def test_resample_librosas_other_engines_map_to_a_named_soxr_quality_with_a_warning(res_type, quality):
    y = noise(2000, seed=5)
    with pytest.warns(UserWarning, match=f"res_type='{res_type}' is not computed.*res_type='{quality}'"):
        got = librosa.resample(y, orig_sr=8000, target_sr=16000, res_type=res_type)
    np.testing.assert_array_equal(got, librosa.resample(y, orig_sr=8000, target_sr=16000, res_type=quality))


def test_load_takes_librosas_res_types():
    native, sr = melnorm.load(WAV, sr=None, offset=0.1, duration=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vhq, rate = librosa.load(WAV, sr=16000, res_type="soxr_vhq", offset=0.1, duration=0.2)
    assert rate == 16000
    np.testing.assert_array_equal(vhq, librosa.resample(native, orig_sr=sr, target_sr=16000, res_type="soxr_vhq"))
    with pytest.warns(UserWarning, match="kaiser_fast"):
        fast, _ = librosa.load(WAV, sr=16000, res_type="kaiser_fast", offset=0.1, duration=0.2)
    np.testing.assert_array_equal(fast, librosa.load(WAV, sr=16000, offset=0.1, duration=0.2)[0])
    poly, _ = librosa.load(WAV, sr=16000, res_type="polyphase")
    assert poly.dtype == np.float32 and len(poly) == 2 * len(melnorm.load(WAV, sr=None)[0])


@pytest.mark.parametrize("kw,match", [(dict(res_type="best"), "res_type='best' is not supported; allowed: soxr_qq"),
                                      (dict(orig_sr=0), "orig_sr=0"), (dict(target_sr=-5), "target_sr=-5"),
                                      (dict(axis=3), "axis=3"),
                                      (dict(res_type="polyphase", orig_sr=8000.5), "integer-valued")])
def test_resample_refuses(kw, match):
    args = dict(orig_sr=8000, target_sr=16000) | kw
    with pytest.raises(ParameterError, match=match):
        librosa.resample(noise(100), **args)
    with pytest.raises(ParameterError, match="floating-point"):
        librosa.resample(np.ones(100, np.int16), orig_sr=8000, target_sr=16000)


# --- istft, magphase --------------------------------------------------------------------------------------------------

def _istft_ref(D, n_fft, hop, win_length, center, length):
    """Weighted overlap-add written out sample by sample of each frame."""
    win = np.zeros(n_fft)
    lp = (n_fft - win_length) // 2
    win[lp:lp + win_length] = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win_length) / win_length)
    T = D.shape[-1]
    full = n_fft + hop * (T - 1)
    y, w = np.zeros(full), np.zeros(full)
    for t in range(T):
        frame = np.fft.irfft(D[:, t], n=n_fft)
        y[t * hop:t * hop + n_fft] += frame * win
        w[t * hop:t * hop + n_fft] += win ** 2
    nz = w > np.finfo(float).tiny
    y[nz] /= w[nz]
    start = n_fft // 2 if center else 0
    y = y[start:]
    if length is None:
        return y[:full - 2 * start]
    return np.pad(y, (0, max(0, length - len(y))))[:length]


@pytest.mark.parametrize("n_fft,hop,win_length,center,length", [
    (512, 128, None, True, None), (512, 128, None, True, 3000), (256, 64, 200, False, None),
    (400, 100, None, True, 5000)])
def test_istft_is_weighted_overlap_add_and_inverts_stft(n_fft, hop, win_length, center, length):
    y = noise(4000, seed=6)
    D = librosa.stft(y, n_fft=n_fft, hop_length=hop, win_length=win_length, center=center)
    got = librosa.istft(D, hop_length=hop, win_length=win_length, n_fft=n_fft, center=center, length=length)
    ref = _istft_ref(D.astype(np.complex128), n_fft, hop, win_length or n_fft, center, length)
    assert got.dtype == np.float32 and got.shape == ref.shape
    np.testing.assert_allclose(got, ref, atol=1e-5)
    if center and length == 4000:
        np.testing.assert_allclose(got, y, atol=1e-5)
    inner = slice(n_fft, 3000 - n_fft)
    if center:
        np.testing.assert_allclose(got[inner], y[inner], atol=1e-5)
    y2 = noise((2, 4000), seed=7).astype(np.float64)
    D2 = librosa.stft(y2, n_fft=512, hop_length=128)
    back = librosa.istft(D2, hop_length=128, length=4000)
    assert back.dtype == np.float64
    np.testing.assert_allclose(back, y2, atol=1e-9)


def test_istft_refuses():
    D = np.zeros((257, 10), np.complex64)
    with pytest.raises(ParameterError, match="n_fft=1024"):
        librosa.istft(D, n_fft=1024)
    with pytest.raises(ParameterError, match="win_length=600"):
        librosa.istft(D, win_length=600)
    with pytest.raises(ParameterError, match="window='kaiser'"):
        librosa.istft(D, window="kaiser")


def test_magphase_formula_and_zero():
    D = (noise((5, 6), 8) + 1j * noise((5, 6), 9)).astype(np.complex64)
    D[0, 0] = 0
    mag, phase = librosa.magphase(D)
    np.testing.assert_allclose(mag, np.abs(D))
    np.testing.assert_allclose(phase[1:], D[1:] / np.abs(D[1:]), rtol=1e-6)
    assert phase[0, 0] == 1 + 0j and phase.dtype == np.complex64
    np.testing.assert_allclose(mag * phase, D, atol=1e-6)
    np.testing.assert_allclose(librosa.magphase(D, power=2)[0], np.abs(D) ** 2, rtol=1e-6)


# --- feature: rms, zero_crossing_rate, spectral_centroid --------------------------------------------------------------

def _rms_ref(y, fl, hop, center, pad_mode):
    if center:
        y = np.pad(y, [(0, 0)] * (y.ndim - 1) + [(fl // 2, fl // 2)], mode=pad_mode)
    n = 1 + (y.shape[-1] - fl) // hop
    out = np.stack([np.sqrt(np.mean(y[..., t * hop:t * hop + fl].astype(np.float64) ** 2, axis=-1)) for t in range(n)],
                   axis=-1)
    return out[..., None, :]


@pytest.mark.parametrize("fl,hop,center,pad_mode", [(2048, 512, True, "constant"), (2048, 500, True, "constant"),
                                                    (1000, 300, False, "constant"), (2048, 512, True, "reflect"),
                                                    (999, 512, True, "constant"), (64, 64, True, "edge"),
                                                    (1024, 16, True, "constant")])
def test_rms_from_y_is_the_frame_formula(fl, hop, center, pad_mode):
    y = burst()
    got = librosa.feature.rms(y=y, frame_length=fl, hop_length=hop, center=center, pad_mode=pad_mode)
    ref = _rms_ref(y, fl, hop, center, pad_mode)
    assert got.shape == ref.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-9)
    y2 = np.stack([y, y[::-1] * 0.5])
    np.testing.assert_allclose(librosa.feature.rms(y=y2, frame_length=fl, hop_length=hop, center=center,
                                                   pad_mode=pad_mode), _rms_ref(y2, fl, hop, center, pad_mode),
                               rtol=1e-5, atol=1e-9)


def test_rms_from_S_is_parsevals_formula():
    y = noise(8000, 10)
    S = np.abs(librosa.stft(y, n_fft=512, hop_length=128))
    got = librosa.feature.rms(S=S, frame_length=512)
    x = S.astype(np.float64) ** 2
    x[0] *= 0.5
    x[-1] *= 0.5
    np.testing.assert_allclose(got[0], np.sqrt(2 * x.sum(axis=0) / 512 ** 2), rtol=1e-5)
    with pytest.raises(ParameterError, match="frame_length is expected to be 512 or 513; found 2048"):
        librosa.feature.rms(S=S)
    with pytest.raises(ParameterError, match="Either `y` or `S`"):
        librosa.feature.rms()
    with pytest.raises(ParameterError, match="n=100.*frame_length=2048"):
        librosa.feature.rms(y=noise(100), center=False)


def test_zero_crossing_rate_formula():
    y = noise(5000, 11)
    y[100:300] = 0.0
    fl, hop = 256, 64
    got = librosa.feature.zero_crossing_rate(y, frame_length=fl, hop_length=hop)
    yp = np.pad(y, (fl // 2, fl // 2), mode="edge")
    yt = np.where(np.abs(yp) <= 1e-10, 0.0, yp)
    n = 1 + (len(yp) - fl) // hop
    ref = []
    for t in range(n):
        s = np.signbit(yt[t * hop:t * hop + fl])
        ref.append(np.sum(s[1:] != s[:-1]) / fl)
    np.testing.assert_allclose(got[0], ref)
    assert got.shape == (1, n)
    assert librosa.feature.zero_crossing_rate(np.stack([y, -y]), frame_length=fl, hop_length=hop).shape == (2, 1, n)
    first = np.signbit(yt[fl // 2:fl // 2 + fl])  # center=False: the first frame is y[:fl]
    uncentred = librosa.feature.zero_crossing_rate(y, frame_length=fl, hop_length=hop, center=False)
    np.testing.assert_allclose(uncentred[0, 0], np.sum(first[1:] != first[:-1]) / fl)


def test_spectral_centroid_formula():
    sr = 8000
    t = np.arange(8000) / sr
    y = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    got = librosa.feature.spectral_centroid(y=y, sr=sr, n_fft=512, hop_length=128)
    S = np.abs(librosa.stft(y, n_fft=512, hop_length=128)).astype(np.float64)
    f = np.arange(257) * sr / 512
    np.testing.assert_allclose(got[0], (f[:, None] * S).sum(0) / S.sum(0), rtol=1e-5)
    assert np.median(got) == pytest.approx(1000, rel=0.02)
    np.testing.assert_allclose(librosa.feature.spectral_centroid(S=S, sr=sr), got, rtol=1e-5)
    freq = np.linspace(0, 1, 257)
    np.testing.assert_allclose(librosa.feature.spectral_centroid(S=S, freq=freq)[0],
                               (freq[:, None] * S).sum(0) / S.sum(0), rtol=1e-6)
    with pytest.raises(ParameterError, match="non-negative"):
        librosa.feature.spectral_centroid(S=-S)
    with pytest.raises(ParameterError, match="real-valued"):
        librosa.feature.spectral_centroid(S=S.astype(complex))


# --- effects: trim, split ---------------------------------------------------------------------------------------------

def _nonsilent_ref(y, top_db, fl, hop):
    r = _rms_ref(y, fl, hop, True, "constant")[..., 0, :]
    db = 20 * np.log10(np.maximum(1e-5, r)) - 20 * np.log10(max(1e-5, r.max()))
    if db.ndim > 1:
        db = db.max(axis=tuple(range(db.ndim - 1)))
    return db > -top_db


@pytest.mark.parametrize("top_db,fl,hop", [(60, 2048, 512), (30, 1024, 256), (20, 512, 128)])
def test_trim_and_split_by_frame_rms_in_db(top_db, fl, hop):
    y = burst(seed=12)
    y[15000:17000] = 0.0  # a gap inside: split finds two intervals
    ns = _nonsilent_ref(y, top_db, fl, hop)
    idx = np.flatnonzero(ns)
    start, end = idx[0] * hop, min(len(y), (idx[-1] + 1) * hop)
    yt, interval = librosa.effects.trim(y, top_db=top_db, frame_length=fl, hop_length=hop)
    np.testing.assert_array_equal(interval, [start, end])
    np.testing.assert_array_equal(yt, y[start:end])
    edges = np.flatnonzero(np.diff(ns.astype(int))) + 1
    edges = np.concatenate([[0] if ns[0] else [], edges, [len(ns)] if ns[-1] else []]).astype(int)
    ref = np.minimum(edges * hop, len(y)).reshape(-1, 2)
    np.testing.assert_array_equal(librosa.effects.split(y, top_db=top_db, frame_length=fl, hop_length=hop), ref)
    if fl == 512:
        assert len(ref) == 2


def test_trim_multichannel_silence_and_ref():
    y = burst(seed=13)
    stereo = np.stack([y, np.roll(y, 3000)])
    yt, interval = librosa.effects.trim(stereo)
    ns = _nonsilent_ref(stereo, 60, 2048, 512)
    idx = np.flatnonzero(ns)
    np.testing.assert_array_equal(interval, [idx[0] * 512, min(stereo.shape[-1], (idx[-1] + 1) * 512)])
    assert yt.shape == (2, interval[1] - interval[0])
    # digital silence is its own reference (both at amin): librosa keeps it whole
    zeros = np.zeros(10000, np.float32)
    assert list(librosa.effects.trim(zeros)[1]) == [0, 10000]
    # ref: an amplitude, as librosa >= 0.9: with ref far above the signal everything is silent
    empty, iv = librosa.effects.trim(y, ref=1e4)
    assert empty.shape == (0,) and list(iv) == [0, 0]
    assert librosa.effects.split(y, ref=1e4).shape == (0, 2)
    with pytest.raises(ParameterError, match="floating-point"):
        librosa.effects.trim(np.ones(100, np.int16))


# --- librosa 1.0's dB conversions: axes -------------------------------------------------------------------------------

def _power_db_ref(S, ref, amin, top_db, axes):
    S = S.astype(np.float64)
    r = ref(S, axis=axes, keepdims=True) if callable(ref) else ref
    out = 10 * np.log10(np.maximum(amin, S)) - 10 * np.log10(np.maximum(amin, r))
    if top_db is not None:
        out = np.maximum(out, out.max(axis=axes, keepdims=True) - top_db)
    return out


def channels(seed=14):
    S = np.abs(noise((3, 16, 20), seed)) ** 2
    S *= np.array([1.0, 1e-3, 1e3])[:, None, None]  # channels 30 dB apart
    return S.astype(np.float32)


@pytest.mark.parametrize("ref", [1.0, np.max, np.median])
@pytest.mark.parametrize("top_db", [80.0, 20.0, None])
def test_power_to_db_auto_takes_reference_and_top_db_per_channel(ref, top_db):
    S = channels()
    got = librosa.power_to_db(S, ref=ref, top_db=top_db)
    np.testing.assert_allclose(got, _power_db_ref(S, ref, 1e-10, top_db, (-2, -1)), atol=2e-3)
    for c in range(3):  # each channel as if alone (and as 0.10 / melnorm.power_to_db on it)
        np.testing.assert_allclose(got[c], melnorm.power_to_db(S[c], ref=ref, top_db=top_db), atol=1e-4)


@pytest.mark.parametrize("ref", [1.0, np.max])
@pytest.mark.parametrize("top_db", [80.0, 20.0])
def test_power_to_db_axes_none_is_librosa_010(ref, top_db):
    S = channels()
    got = librosa.power_to_db(S, ref=ref, top_db=top_db, axes=None)
    np.testing.assert_array_equal(got, melnorm.power_to_db(S, ref=ref, top_db=top_db))
    np.testing.assert_allclose(got, _power_db_ref(S, ref, 1e-10, top_db, None), atol=2e-3)
    if ref is np.max and top_db == 80.0:  # the quiet channels sit below 0 dB, and the floor is the loudest channel's
        assert got[2].max() == pytest.approx(0, abs=1e-4) and got[1].max() < -50
        assert not np.allclose(got, librosa.power_to_db(S, ref=ref, top_db=top_db))


def test_power_to_db_one_and_two_d_are_the_same_in_every_version():
    S = channels()[0]
    for x in (S, S[0]):
        a = librosa.power_to_db(x, ref=np.max)
        np.testing.assert_allclose(a, librosa.power_to_db(x, ref=np.max, axes=None), atol=1e-5)
        np.testing.assert_allclose(a, melnorm.power_to_db(x, ref=np.max), atol=1e-5)


@pytest.mark.parametrize("axes", [-1, 0, (0, 2), 1])
def test_power_to_db_explicit_axes(axes):
    S = channels()
    got = librosa.power_to_db(S, ref=np.max, top_db=40.0, axes=axes)
    np.testing.assert_allclose(got, _power_db_ref(S, np.max, 1e-10, 40.0, axes), atol=1e-4)
    np.testing.assert_allclose(np.max(got, axis=axes), 0.0, atol=1e-4)
    def median(x, axis, keepdims):
        return np.percentile(x, 50, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(librosa.power_to_db(S, ref="p50", top_db=None, axes=axes),
                               _power_db_ref(S, median, 1e-10, None, axes), atol=1e-4)


@pytest.mark.parametrize("axes", ["auto", None, -1])
def test_amplitude_to_db_axes(axes):
    A = np.sqrt(channels())
    got = librosa.amplitude_to_db(A, ref=np.max, top_db=30.0, axes=axes)
    ax = (-2, -1) if axes == "auto" else axes
    ref = _power_db_ref(A.astype(np.float64) ** 2, lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims),
                        1e-10, 30.0, ax)
    np.testing.assert_allclose(got, ref, atol=2e-3)


def test_db_callable_ref_without_axis_keyword():
    S = channels()
    med = lambda x: float(np.median(x))  # noqa: E731 - a 0.10 script's reference: called on each channel
    np.testing.assert_allclose(librosa.power_to_db(S, ref=med), librosa.power_to_db(S, ref=np.median), atol=1e-4)
    np.testing.assert_allclose(librosa.power_to_db(S, ref=med, axes=None), melnorm.power_to_db(S, ref=med), atol=1e-4)
    np.testing.assert_allclose(librosa.power_to_db(S, ref=med, axes=-1),  # trailing axes: called on each row
                               librosa.power_to_db(S, ref=np.median, axes=-1), atol=1e-4)
    with pytest.raises(TypeError, match="axes=None"):  # other axes need ref(S, axis=..., keepdims=True)
        librosa.power_to_db(S, ref=med, axes=0)


@pytest.mark.parametrize("axes,match", [(3, "axes=3"), ("channel", "axes='channel'"), ((0, 5), r"axes=\(0, 5\)")])
def test_db_axes_refused(axes, match):
    with pytest.raises(ParameterError, match=match):
        librosa.power_to_db(channels(), axes=axes)
    with pytest.raises(ParameterError, match="amin=0"):
        librosa.power_to_db(channels(), amin=0)
    with pytest.raises(ParameterError, match="top_db=-1"):
        librosa.amplitude_to_db(channels(), top_db=-1)


def test_db_complex_input_warns_as_librosa():
    D = librosa.stft(noise((2, 2000), 15), n_fft=256)
    with pytest.warns(UserWarning, match="phase information will be discarded"):
        got = librosa.amplitude_to_db(D, ref=np.max)
    np.testing.assert_allclose(got, librosa.amplitude_to_db(np.abs(D), ref=np.max))


# --- display ----------------------------------------------------------------------------------------------------------

def test_display_specshow_and_waveshow_axes():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import QuadMesh
    fig, axs = plt.subplots(3)
    M = librosa.power_to_db(librosa.feature.melspectrogram(y=noise(8000, 16), sr=8000, n_mels=40))
    img = librosa.display.specshow(M, x_axis="time", y_axis="mel", sr=8000, ax=axs[0])
    assert isinstance(img, QuadMesh) and img.get_cmap().name == "magma" if M.min() >= 0 else "coolwarm"
    assert axs[0].get_yscale() == "symlog" and axs[0].get_xlabel() == "Time" and axs[0].get_ylabel() == "Hz"
    coords = img.get_coordinates()  # cell edges around centres: frames_to_time and mel_frequencies
    centres_x = 0.5 * (coords[0, 1:, 0] + coords[0, :-1, 0])
    np.testing.assert_allclose(centres_x, librosa.frames_to_time(np.arange(M.shape[1]), sr=8000), atol=1e-9)
    fig.colorbar(img, ax=axs[0])
    D = np.abs(librosa.stft(noise(4000, 17), n_fft=256))
    img2 = librosa.display.specshow(D, y_axis="log", x_axis="frames", sr=8000, ax=axs[1])
    assert axs[1].get_yscale() == "symlog" and img2.get_cmap().name == "magma"
    art = librosa.display.waveshow(burst(), sr=8000, ax=axs[2])
    assert axs[2].get_xlabel() == "Time" and art is not None
    librosa.display.waveshow(burst()[:2000], sr=8000, ax=axs[2], max_points=5000)
    with pytest.raises(ParameterError, match="chroma"):
        librosa.display.specshow(M, y_axis="chroma")
    plt.close(fig)


def test_display_without_matplotlib_names_the_package():
    code = ("import sys; sys.modules['matplotlib'] = None; import melnorm.compat.librosa as librosa\n"
            "try:\n    librosa.display\nexcept ImportError as e:\n    print('IMPORTERROR', e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy(),
                         timeout=60)
    assert "IMPORTERROR" in out.stdout and "python3-matplotlib" in out.stdout, out.stdout + out.stderr


def test_docstring_examples_of_the_compat_modules_run():
    import doctest
    for module in (librosa.core, librosa.feature, librosa.effects, librosa.util):
        failures, _ = doctest.testmod(module, extraglobs={"np": np, "melnorm": melnorm})
        assert failures == 0, module.__name__
