"""librosa 0.10's signatures and semantics beyond the reference cases: small NumPy implementations written from
librosa's documented formulas, edge cases (complex, 1-D, 3-D, S= vs y=, offset/duration vs slicing the whole
decode) and ParameterError on the inputs librosa refuses."""
import inspect
import io
import os
import warnings

import numpy as np
import pytest

import melnorm
import melnorm.compat.librosa as librosa

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
WAV = os.path.join(ROOT, "data", "samples", "7", "7_lucas_12.wav")


def noise(n, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, n).astype(np.float32)


def rel(a, b):
    return np.linalg.norm(np.ravel(a) - np.ravel(b)) / np.linalg.norm(np.ravel(b))


# --- layout and signatures ---------------------------------------------------------------------------------------------

def test_compat_module_has_librosas_layout():
    assert librosa.feature.melspectrogram is melnorm.melspectrogram
    assert librosa.filters.mel is melnorm.filters_mel
    # librosa 1.0's dB conversions (axes="auto"); melnorm.power_to_db keeps 0.10's (test_compat_librosa_coverage.py)
    assert librosa.core.power_to_db is librosa.power_to_db is not melnorm.power_to_db
    assert librosa.util.exceptions.ParameterError is librosa.ParameterError is melnorm.ParameterError
    assert issubclass(melnorm.ParameterError, ValueError)
    for name in ("stft", "load", "pcen", "db_to_power", "db_to_amplitude"):
        assert getattr(librosa.core, name) is getattr(melnorm, name)
    for name in ("mfcc", "delta"):
        assert getattr(librosa.feature, name) is getattr(melnorm, name)
    with pytest.raises(AttributeError):
        librosa.feature.chroma_stft  # noqa: B018 - not offered: no silent substitute


@pytest.mark.parametrize("func,keywords", [
    (melnorm.load, {"sr": 22050, "mono": True, "offset": 0.0, "duration": None, "dtype": np.float32, "res_type": "soxr_hq"}),
    (melnorm.stft, {"n_fft": 2048, "hop_length": None, "win_length": None, "window": "hann", "center": True,
                    "dtype": None, "pad_mode": "constant"}),
    (melnorm.filters_mel, {"n_mels": 128, "fmin": 0.0, "fmax": None, "htk": False, "norm": "slaney", "dtype": np.float32}),
    (melnorm.pcen, {"sr": 22050, "hop_length": 512, "gain": 0.98, "bias": 2.0, "power": 0.5, "time_constant": 0.4,
                    "eps": 1e-6, "b": None, "max_size": 1, "ref": None, "axis": -1, "max_axis": None, "zi": None,
                    "return_zf": False}),
    (melnorm.mfcc, {"sr": 22050, "S": None, "n_mfcc": 20, "dct_type": 2, "norm": "ortho", "lifter": 0}),
    (melnorm.delta, {"width": 9, "order": 1, "axis": -1, "mode": "interp"}),
    (melnorm.power_to_db, {"ref": 1.0, "amin": 1e-10, "top_db": 80.0}),
    (melnorm.amplitude_to_db, {"ref": 1.0, "amin": 1e-5, "top_db": 80.0}),
    (melnorm.db_to_power, {"ref": 1.0}),
])
def test_librosa_keywords_and_defaults(func, keywords):
    params = inspect.signature(func).parameters
    for name, default in keywords.items():
        assert name in params, name
        assert params[name].default is default or params[name].default == default, (name, params[name].default)


# --- load ---------------------------------------------------------------------------------------------------------------

def test_load_defaults_to_22050_hz_and_sr_none_keeps_the_native_rate():
    y, sr = melnorm.load(WAV)
    assert sr == 22050 and y.dtype == np.float32
    native, rate = melnorm.load(WAV, sr=None)
    assert rate == 8000
    assert abs(len(y) - int(np.ceil(len(native) * 22050 / 8000))) <= 1


@pytest.mark.parametrize("offset,duration", [(0.0, 0.1), (0.05, 0.2), (0.123, None), (0.0, None), (10.0, 1.0)])
def test_load_offset_and_duration_equal_slicing_the_whole_decode(offset, duration):
    full, sr = melnorm.load(WAV, sr=None)
    part, _ = melnorm.load(WAV, sr=None, offset=offset, duration=duration)
    start = int(offset * sr)
    stop = len(full) if duration is None else start + int(duration * sr)
    np.testing.assert_array_equal(part, full[start:stop])


def test_load_file_like_dtype_stereo_and_refusals(tmp_path):
    with open(WAV, "rb") as f:
        y, sr = melnorm.load(io.BytesIO(f.read()), sr=None)
    np.testing.assert_array_equal(y, melnorm.load(WAV, sr=None)[0])
    y64, _ = melnorm.load(WAV, sr=None, dtype=np.float64)
    assert y64.dtype == np.float64
    with pytest.raises(melnorm.ParameterError, match="res_type='bogus' is not supported"):
        melnorm.load(WAV, res_type="bogus")
    with pytest.warns(UserWarning, match="res_type='kaiser_best' is not computed by melnorm.*'soxr_vhq'"):
        melnorm.load(WAV, res_type="kaiser_best")  # resampy's: a named soxr quality (test_compat_librosa_coverage.py)
    with pytest.raises(melnorm.ParameterError, match="offset=-1"):
        melnorm.load(WAV, offset=-1.0)
    with pytest.raises(OSError):
        melnorm.load(tmp_path / "missing.wav")


# --- stft -----------------------------------------------------------------------------------------------------------------

def numpy_stft(y, n_fft, hop, win_length=None, center=True, pad_mode="constant", window="hann"):
    """librosa.stft's documented definition: pad n_fft//2 (np.pad), frame, window (periodic, centred), rfft."""
    win_length = win_length or n_fft
    n = np.arange(win_length)
    w = {"hann": 0.5 - 0.5 * np.cos(2 * np.pi * n / win_length),
         "hamming": 0.54 - 0.46 * np.cos(2 * np.pi * n / win_length)}[window]
    full = np.zeros(n_fft)
    full[(n_fft - win_length) // 2:(n_fft - win_length) // 2 + win_length] = w
    if center:
        y = np.pad(y.astype(np.float64), n_fft // 2, mode=pad_mode)
    frames = 1 + (len(y) - n_fft) // hop
    return np.stack([np.fft.rfft(full * y[t * hop:t * hop + n_fft]) for t in range(frames)], axis=1)


@pytest.mark.parametrize("kw", [dict(n_fft=512, hop=128), dict(n_fft=400, hop=160, pad_mode="reflect", window="hamming"),
                                dict(n_fft=256, hop=64, win_length=200, center=False), dict(n_fft=256, hop=64, pad_mode="edge"),
                                dict(n_fft=256, hop=100, pad_mode="symmetric")])
def test_stft_equals_the_numpy_definition(kw):
    y = noise(3000, 1)
    hop = kw.pop("hop")
    D = melnorm.stft(y, hop_length=hop, **kw)
    assert D.dtype == np.complex64
    ref = numpy_stft(y, hop=hop, **kw)
    assert D.shape == ref.shape and rel(D, ref) < 1e-6


def test_stft_dtype_default_hop_and_n_d_input():
    y = noise(4096, 2)
    D = melnorm.stft(y.astype(np.float64), n_fft=512)
    assert D.dtype == np.complex128 and D.shape == (257, 1 + 4096 // 128)  # hop = win_length // 4
    Y = np.stack([noise(4096, s) for s in range(6)]).reshape(2, 3, 4096)
    D3 = melnorm.stft(Y, n_fft=256, hop_length=64)
    assert D3.shape == (2, 3, 129, 65)
    np.testing.assert_array_equal(D3[1, 2], melnorm.stft(Y[1, 2], n_fft=256, hop_length=64))
    mag = np.abs(melnorm.stft(y, n_fft=256, hop_length=64))
    np.testing.assert_allclose(mag, np.abs(D3[0, 0]) * 0 + mag)


@pytest.mark.parametrize("kw,match", [
    (dict(n_fft=0), "n_fft=0"), (dict(n_fft=256, hop_length=0), "hop_length=0"),
    (dict(n_fft=256, win_length=300), "win_length=300"), (dict(n_fft=256, pad_mode="wrap"), "pad_mode='wrap'"),
    (dict(n_fft=8192, center=False), "n_fft=8192"),
])
def test_stft_refuses_what_librosa_refuses(kw, match):
    with pytest.raises(melnorm.ParameterError, match=match):
        melnorm.stft(noise(4096), **kw)


def test_stft_refuses_integer_and_non_finite_audio():
    with pytest.raises(melnorm.ParameterError, match="floating-point"):
        melnorm.stft(np.zeros(4096, np.int16))
    y = noise(4096)
    y[10] = np.nan
    with pytest.raises(melnorm.ParameterError, match="not finite"):
        melnorm.stft(y)


# --- filters.mel ------------------------------------------------------------------------------------------------------

def numpy_mel(sr, n_fft, n_mels, fmin=0.0, fmax=None, htk=False):
    """librosa.filters.mel(norm=None), from its documented formula (Slaney or HTK mel scale)."""
    fmax = sr / 2 if fmax is None else fmax

    def hz_to_mel(f):
        if htk:
            return 2595.0 * np.log10(1.0 + f / 700.0)
        f = np.asarray(f, float)
        return np.where(f >= 1000, 15 + np.log(np.maximum(f, 1e-10) / 1000) / (np.log(6.4) / 27), f / (200 / 3))

    def mel_to_hz(m):
        if htk:
            return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
        return np.where(m >= 15, 1000 * np.exp(np.log(6.4) / 27 * (m - 15)), 200 / 3 * m)

    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    fft_f = np.fft.rfftfreq(n_fft, 1 / sr)
    ramps = mel_f[:, None] - fft_f[None, :]
    fdiff = np.diff(mel_f)
    return np.stack([np.maximum(0, np.minimum(-ramps[i] / fdiff[i], ramps[i + 2] / fdiff[i + 1])) for i in range(n_mels)]), mel_f


@pytest.mark.parametrize("norm", [None, "slaney", 1, 2.0, np.inf])
@pytest.mark.parametrize("htk", [False, True])
def test_filters_mel_norms_equal_the_formula(norm, htk):
    W = melnorm.filters_mel(sr=16000, n_fft=512, n_mels=40, fmin=30.0, htk=htk, norm=norm)
    ref, mel_f = numpy_mel(16000, 512, 40, fmin=30.0, htk=htk)
    if norm == "slaney":
        ref = ref * (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]
    elif norm == np.inf:
        ref = ref / ref.max(axis=1, keepdims=True)
    elif norm is not None:
        ref = ref / (np.sum(ref ** norm, axis=1, keepdims=True) ** (1 / norm))
    assert W.dtype == np.float32 and W.shape == (40, 257)
    np.testing.assert_allclose(W, ref, atol=1e-6 * max(1.0, np.abs(ref).max()))
    assert melnorm.filters_mel(sr=16000, n_fft=512, n_mels=40, norm=norm, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize("norm", ["bogus", -1, "l2"])
def test_filters_mel_refuses_bad_norms(norm):
    with pytest.raises(melnorm.ParameterError, match="norm"):
        melnorm.filters_mel(sr=8000, n_fft=256, n_mels=20, norm=norm)


# --- melspectrogram ---------------------------------------------------------------------------------------------------

def test_melspectrogram_from_S_equals_from_y():
    y = noise(8000, 3)
    S = np.abs(melnorm.stft(y, n_fft=512, hop_length=128)) ** 2
    from_S = melnorm.melspectrogram(S=S, sr=8000, n_mels=40)
    from_y = melnorm.melspectrogram(y=y, sr=8000, n_fft=512, hop_length=128, n_mels=40)
    assert from_S.shape == from_y.shape and rel(from_S, from_y) < 1e-5
    W = melnorm.filters_mel(sr=8000, n_fft=512, n_mels=40)
    np.testing.assert_allclose(from_S, W @ S, rtol=1e-5, atol=1e-6)
    # N-D S: every leading axis is a batch
    S3 = np.stack([S, 2 * S])
    np.testing.assert_allclose(melnorm.melspectrogram(S=S3, sr=8000, n_mels=40)[1], 2 * from_S, rtol=1e-5)


def test_melspectrogram_any_rank_and_librosa_only_values():
    Y = np.stack([noise(4000, s) for s in range(8)]).reshape(2, 2, 2, 4000)
    M = melnorm.melspectrogram(y=Y, sr=8000, n_fft=256, hop_length=64, n_mels=20)
    assert M.shape == (2, 2, 2, 20, 63)
    np.testing.assert_array_equal(M[1, 0, 1], melnorm.melspectrogram(y=Y[1, 0, 1], sr=8000, n_fft=256, hop_length=64, n_mels=20))
    # power 1.5 and a numeric norm: librosa's |stft|**power through filters.mel
    y = Y[0, 0, 0]
    got = melnorm.melspectrogram(y=y, sr=8000, n_fft=256, hop_length=64, n_mels=20, power=1.5, norm=2.0)
    W = melnorm.filters_mel(sr=8000, n_fft=256, n_mels=20, norm=2.0)
    ref = W @ (np.abs(numpy_stft(y, 256, 64)) ** 1.5)
    assert rel(got, ref) < 1e-5
    with pytest.raises(melnorm.ParameterError, match="y .*or S"):
        melnorm.melspectrogram(sr=8000)
    with pytest.raises(TypeError, match="normalize"):
        melnorm.melspectrogram(S=np.ones((129, 4), np.float32), normalize="zscore")


# --- dB ---------------------------------------------------------------------------------------------------------------

def test_db_of_complex_input_takes_the_magnitude_and_warns():
    D = melnorm.stft(noise(4000, 4), n_fft=256, hop_length=64)
    with pytest.warns(UserWarning, match="power_to_db was called on complex input"):
        p = melnorm.power_to_db(D, ref=np.max)
    np.testing.assert_allclose(p, melnorm.power_to_db(np.abs(D), ref=np.max), atol=1e-6)
    with pytest.warns(UserWarning, match="amplitude_to_db was called on complex input"):
        a = melnorm.amplitude_to_db(D, ref=np.median)
    mag = np.abs(D)
    np.testing.assert_allclose(a, np.maximum(20 * np.log10(np.maximum(mag, 1e-5)) - 20 * np.log10(np.median(mag)),
                                             (20 * np.log10(np.maximum(mag, 1e-5))).max() - 20 * np.log10(np.median(mag)) - 80),
                               atol=1e-3)


def test_db_round_trips_and_refusals():
    S = np.abs(noise(500, 5)).reshape(5, 10, 10) + 0.1  # 3-D: one array, one top_db floor (librosa)
    back = melnorm.db_to_power(melnorm.power_to_db(S, ref=0.5, top_db=None), ref=0.5)
    np.testing.assert_allclose(back, S, rtol=1e-5)
    back = melnorm.db_to_amplitude(melnorm.amplitude_to_db(S, ref=2.0, top_db=None), ref=2.0)
    np.testing.assert_allclose(back, S, rtol=1e-5)
    with pytest.raises(melnorm.ParameterError, match="amin=0"):
        melnorm.power_to_db(S, amin=0)
    with pytest.raises(melnorm.ParameterError, match="top_db=-1"):
        melnorm.amplitude_to_db(S, top_db=-1)


# --- pcen -------------------------------------------------------------------------------------------------------------

def numpy_pcen(S, sr=22050, hop_length=512, gain=0.98, bias=2.0, power=0.5, time_constant=0.4, eps=1e-6, b=None,
               max_size=1, axis=-1, max_axis=None):
    """librosa.pcen's documented algorithm in NumPy (lfilter written out; maximum_filter1d with 'reflect')."""
    if b is None:
        t = time_constant * sr / hop_length
        b = (np.sqrt(1 + 4 * t ** 2) - 1) / (2 * t ** 2)
    S = S.astype(np.float64)
    ref = S
    if max_size > 1:
        if max_axis is None:
            max_axis = int(np.mod(1 - axis, 2))
        left = max_size // 2
        pad = [(0, 0)] * S.ndim
        pad[max_axis] = (left, max_size - 1 - left)
        P = np.moveaxis(np.pad(S, pad, mode="symmetric"), max_axis, -1)
        ref = np.moveaxis(np.max([P[..., i:i + S.shape[max_axis]] for i in range(max_size)], axis=0), -1, max_axis)
    R = np.moveaxis(ref, axis, -1)
    M = np.empty_like(R)
    z = np.full(R.shape[:-1], 1 - b)
    for t in range(R.shape[-1]):
        M[..., t] = b * R[..., t] + z
        z = (1 - b) * M[..., t]
    M = np.moveaxis(M, -1, axis)
    smooth = np.exp(-gain * (np.log(eps) + np.log1p(M / eps)))
    if power == 0:
        return np.log1p(S * smooth)
    if bias == 0:
        return np.exp(power * (np.log(S) + np.log(smooth)))
    return bias ** power * np.expm1(power * np.log1p(S * smooth / bias))


@pytest.mark.parametrize("kw", [dict(), dict(b=0.3), dict(power=0.0), dict(bias=0.0), dict(max_size=4),
                                dict(max_size=3, max_axis=1), dict(gain=0.5, eps=1e-3, time_constant=0.05)])
def test_pcen_equals_librosas_algorithm(kw):
    S = (np.abs(noise(40 * 30, 6)).reshape(40, 30) + 0.01) * 1000
    got = melnorm.pcen(S, sr=8000, hop_length=64, **kw)
    assert rel(got, numpy_pcen(S, sr=8000, hop_length=64, **kw)) < 1e-5


def test_pcen_n_d_axis_1_d_and_streaming_state():
    S = (np.abs(noise(2 * 3 * 20 * 25, 7)).reshape(2, 3, 20, 25) + 0.01) * 100
    got = melnorm.pcen(S, axis=-2, sr=8000, hop_length=64)  # time along axis -2
    assert rel(got, numpy_pcen(S, axis=-2, sr=8000, hop_length=64)) < 1e-5
    one = melnorm.pcen(S[0, 0, 0], sr=8000, hop_length=64)  # 1-D
    assert one.shape == (25,) and rel(one, numpy_pcen(S[0, 0, 0], sr=8000, hop_length=64)) < 1e-5
    whole, zf = melnorm.pcen(S, sr=8000, hop_length=64, return_zf=True)
    assert zf.shape == (2, 3, 20, 1)  # librosa's: S's shape with the time axis of length 1
    first, zi = melnorm.pcen(S[..., :10], sr=8000, hop_length=64, return_zf=True)
    second = melnorm.pcen(S[..., 10:], sr=8000, hop_length=64, zi=zi)
    np.testing.assert_allclose(np.concatenate([first, second], axis=-1), whole, rtol=1e-6)
    with pytest.warns(UserWarning, match="complex input"):
        melnorm.pcen(S[0, 0].astype(np.complex64), sr=8000, hop_length=64)


@pytest.mark.parametrize("kw,match", [(dict(power=-1), "power=-1"), (dict(gain=-1), "gain=-1"), (dict(bias=-1), "bias=-1"),
                                      (dict(eps=0), "eps=0"), (dict(time_constant=0), "time_constant=0"),
                                      (dict(max_size=0), "max_size=0"), (dict(max_size=2.0), "max_size=2.0"),
                                      (dict(b=1.5), "b=1.5")])
def test_pcen_refuses_what_librosa_refuses(kw, match):
    with pytest.raises(melnorm.ParameterError, match=match):
        melnorm.pcen(np.ones((4, 5), np.float32), **kw)


def test_pcen_max_filter_needs_2_d_or_max_axis():
    with pytest.raises(melnorm.ParameterError, match="1-dimensional"):
        melnorm.pcen(np.ones(5, np.float32), max_size=3)
    with pytest.raises(melnorm.ParameterError, match="requires you to specify max_axis"):
        melnorm.pcen(np.ones((2, 4, 5), np.float32), max_size=3)


# --- mfcc and delta ----------------------------------------------------------------------------------------------------

def numpy_dct2(x, norm):
    N = x.shape[0]
    k, n = np.arange(N)[:, None], np.arange(N)[None, :]
    y = 2 * np.cos(np.pi * k * (2 * n + 1) / (2 * N)) @ x
    if norm == "ortho":
        y[0] *= np.sqrt(1 / (4 * N))
        y[1:] *= np.sqrt(1 / (2 * N))
    return y


def test_mfcc_is_the_dct_of_the_log_mel_and_lifter():
    y = noise(8000, 8)
    S = melnorm.power_to_db(melnorm.melspectrogram(y=y, sr=8000, n_fft=256, hop_length=64, n_mels=40))
    m = melnorm.mfcc(y=y, sr=8000, n_fft=256, hop_length=64, n_mels=40, n_mfcc=13)
    assert m.shape == (13, S.shape[1]) and m.dtype == np.float32
    assert rel(m, numpy_dct2(S.astype(np.float64), "ortho")[:13]) < 1e-6
    np.testing.assert_allclose(melnorm.mfcc(S=S, n_mfcc=13), m, rtol=1e-6)
    lift = melnorm.mfcc(S=S, n_mfcc=13, lifter=22)
    w = 1 + 11 * np.sin(np.pi * np.arange(1, 14) / 22)
    np.testing.assert_allclose(lift, m * w[:, None], rtol=1e-5, atol=1e-4)
    assert melnorm.mfcc(S=np.stack([S, S]), n_mfcc=13).shape == (2, 13, S.shape[1])
    # dct types 3 and 4 invert / match scipy's definitions on a small vector
    x = np.arange(1.0, 5.0)[:, None].astype(np.float32)
    np.testing.assert_allclose(melnorm.mfcc(S=melnorm.mfcc(S=x, n_mfcc=4, dct_type=2), n_mfcc=4, dct_type=3), x, rtol=1e-5)
    with pytest.raises(melnorm.ParameterError, match="lifter=-1"):
        melnorm.mfcc(S=S, lifter=-1)
    with pytest.raises(melnorm.ParameterError, match="dct_type=5"):
        melnorm.mfcc(S=S, dct_type=5)


def test_delta_of_a_polynomial_and_edge_modes():
    t = np.arange(20.0)
    data = np.stack([3 * t + 1, 0.5 * t ** 2])
    d1 = melnorm.delta(data, width=5)
    np.testing.assert_allclose(d1[0], 3.0, atol=1e-10)  # interp: exact at the edges too
    d2 = melnorm.delta(data, width=5, order=2)
    np.testing.assert_allclose(d2[1], 1.0, atol=1e-10)
    near = melnorm.delta(data, width=3, mode="nearest")
    np.testing.assert_allclose(near[0, 1:-1], 3.0)
    assert near[0, 0] == pytest.approx((data[0, 1] - data[0, 0]) / 2)  # edge sample repeated
    const = melnorm.delta(data, width=3, mode="constant", axis=-1)
    assert const[0, 0] == pytest.approx(data[0, 1] / 2)
    assert melnorm.delta(data.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(melnorm.delta(data.T, width=5, axis=0), d1.T)


@pytest.mark.parametrize("kw,match", [(dict(width=2), "width=2"), (dict(width=4), "width=4"), (dict(order=0), "order=0"),
                                      (dict(order=1.5), "order=1.5"), (dict(width=41), "width=41"),
                                      (dict(mode="bogus"), "mode='bogus'")])
def test_delta_refuses_what_librosa_refuses(kw, match):
    with pytest.raises(melnorm.ParameterError, match=match):
        melnorm.delta(np.ones((3, 40)), **kw)


def test_docstring_examples_run():
    import doctest
    import melnorm._librosa
    import melnorm.compat.librosa
    for module in (melnorm._librosa, melnorm.compat.librosa):
        failures, tried = doctest.testmod(module, extraglobs={"np": np, "melnorm": melnorm})
        assert tried >= 1 and failures == 0, module.__name__


def test_filters_mel_warns_about_empty_filters_in_librosas_words():
    with pytest.warns(UserWarning, match="Empty filters detected in mel frequency basis") as caught:
        melnorm.filters_mel(sr=8000, n_fft=128, n_mels=128)
    assert len(caught) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        melnorm.filters_mel(sr=22050, n_fft=2048, n_mels=128)  # no empty filter, no warning
        melnorm.stft(noise(4096), n_fft=512)


def test_melspectrogram_hop_length_none_is_a_quarter_window_as_librosas_stft():
    y = noise(8000, 9)
    a = melnorm.melspectrogram(y=y, sr=8000, n_fft=512, hop_length=None, n_mels=20)
    b = melnorm.melspectrogram(y=y, sr=8000, n_fft=512, hop_length=128, n_mels=20)
    np.testing.assert_array_equal(a, b)
    c = melnorm.melspectrogram(y=y, sr=8000, n_fft=512, win_length=400, hop_length=None, n_mels=20)
    assert c.shape[-1] == 1 + 8000 // 100
