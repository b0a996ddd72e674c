"""melnorm.compat.torchaudio against torchaudio 0.13, run live."""
import io
import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ta = pytest.importorskip("torchaudio")
sf = pytest.importorskip("soundfile")
import melnorm.compat.torchaudio as mt  # noqa: E402

FSDD = "/work/shared/data/fsdd/recordings"
SHAPES = [(4000,), (2, 4000), (3, 2, 4000)]
DTYPES = [torch.float32, torch.float64]


def _close(a, b, dtype):
    assert a.shape == b.shape and a.dtype == b.dtype
    tol = 1e-4 if dtype == torch.float32 else 1e-10
    scale = max(float(b.abs().max()), 1e-30)
    assert float((a - b).abs().max()) <= tol * scale


def _x(shape, dtype, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=g, dtype=torch.float64).to(dtype) * 0.3


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [{}, dict(sample_rate=8000, n_fft=256, hop_length=80, n_mels=40, f_min=50.0),
                                dict(n_fft=512, win_length=400, power=1.0, norm="slaney", mel_scale="slaney"),
                                dict(center=False, normalized=True, pad=3, n_mels=64)])
def test_melspectrogram_and_mfcc(shape, dtype, kw):
    x = _x(shape, dtype)
    mk = {k: v for k, v in kw.items() if k != "sample_rate"}
    sr = kw.get("sample_rate", 16000)
    # torchaudio's modules need .to(dtype) for float64; melnorm's follow the input's dtype
    _close(mt.transforms.MelSpectrogram(**kw)(x), ta.transforms.MelSpectrogram(**kw).to(dtype)(x), dtype)
    _close(mt.transforms.MFCC(sr, n_mfcc=13, melkwargs=mk)(x), ta.transforms.MFCC(sr, n_mfcc=13, melkwargs=mk).to(dtype)(x),
           dtype)
    _close(mt.transforms.MFCC(sr, log_mels=True, norm=None, melkwargs=mk)(x),
           ta.transforms.MFCC(sr, log_mels=True, norm=None, melkwargs=mk).to(dtype)(x), dtype)


def test_melspectrogram_fast_path_and_grad():
    m = mt.transforms.MelSpectrogram(sample_rate=8000)
    assert m._core is not None
    x = _x((2, 8000), torch.float32).requires_grad_()
    y = m(x)
    assert y.grad_fn is not None  # autograd: the pure-torch path
    y.sum().backward()
    assert x.grad is not None and x.grad.shape == x.shape


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw", [{}, dict(power=None), dict(n_fft=256, hop_length=64, normalized="frame_length"),
                                dict(window_fn=torch.hamming_window, power=1.0, onesided=False)])
def test_spectrogram(shape, dtype, kw):
    x = _x(shape, dtype)
    a, b = mt.transforms.Spectrogram(**kw)(x), ta.transforms.Spectrogram(**kw).to(dtype)(x)
    assert a.shape == b.shape and a.dtype == b.dtype
    assert torch.allclose(a, b, rtol=1e-4, atol=1e-6 * float(b.abs().max()))
    f = mt.functional.spectrogram(x, 0, torch.hann_window(400, dtype=dtype), 400, 200, 400, 2.0, False)
    _close(f, ta.functional.spectrogram(x, 0, torch.hann_window(400, dtype=dtype), 400, 200, 400, 2.0, False), dtype)


@pytest.mark.parametrize("shape", [(40, 30), (2, 40, 30), (3, 2, 40, 30)])
@pytest.mark.parametrize("stype", ["power", "magnitude"])
@pytest.mark.parametrize("top_db", [None, 20.0, 80.0])
def test_amplitude_to_db(shape, stype, top_db):
    g = torch.Generator().manual_seed(1)
    x = torch.rand(shape, generator=g, dtype=torch.float64) ** 8
    x[..., 0, 0] = 0
    if len(shape) == 4:
        x[1] *= 1e-6  # one quiet batch item: its own max (per item, over its channels)
    for dtype in DTYPES:
        a = mt.transforms.AmplitudeToDB(stype, top_db)(x.to(dtype))
        _close(a, ta.transforms.AmplitudeToDB(stype, top_db)(x.to(dtype)), dtype)
        _close(mt.functional.amplitude_to_DB(x.to(dtype), 10.0, 1e-10, 0.0, top_db),
               ta.functional.amplitude_to_DB(x.to(dtype), 10.0, 1e-10, 0.0, top_db), dtype)


@pytest.mark.parametrize("args", [(201, 0.0, 8000.0, 128, 16000, None, "htk"), (257, 20.0, 4000.0, 40, 8000, "slaney",
                                                                                  "slaney"), (513, 0.0, 11025.0, 80, 22050, None, "slaney")])
def test_melscale_fbanks_and_melscale(args):
    _close(mt.functional.melscale_fbanks(*args), ta.functional.melscale_fbanks(*args), torch.float32)
    spec = torch.rand(2, args[0], 7)
    kw = dict(n_mels=args[3], sample_rate=args[4], f_min=args[1], f_max=args[2], n_stft=args[0], norm=args[5],
              mel_scale=args[6])
    _close(mt.transforms.MelScale(**kw)(spec), ta.transforms.MelScale(**kw)(spec), torch.float32)
    _close(mt.functional.create_dct(13, 40, "ortho"), ta.functional.create_dct(13, 40, "ortho"), torch.float32)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rates", [(16000, 8000), (8000, 22050), (44100, 16000)])
@pytest.mark.parametrize("method", [("sinc_interp_hann", "sinc_interpolation"), ("sinc_interp_kaiser", "kaiser_window")])
def test_resample(shape, dtype, rates, method):
    x = _x(shape, dtype)
    b = ta.functional.resample(x, *rates, resampling_method=method[1])
    _close(mt.functional.resample(x, *rates, resampling_method=method[0]), b, dtype)
    _close(mt.transforms.Resample(*rates, resampling_method=method[0], dtype=dtype)(x),
           ta.transforms.Resample(*rates, resampling_method=method[1], dtype=dtype)(x), dtype)
    _close(mt.transforms.Resample(*rates, resampling_method=method[0])(x),
           ta.transforms.Resample(*rates, resampling_method=method[1]).to(dtype)(x), dtype)
    _close(mt.functional.resample(x, *rates, lowpass_filter_width=16, rolloff=0.9, resampling_method=method[0]),
           ta.functional.resample(x, *rates, lowpass_filter_width=16, rolloff=0.9, resampling_method=method[1]), dtype)


@pytest.mark.parametrize("shape", [(3, 2, 40, 50), (2, 40, 50)])
@pytest.mark.parametrize("cls,kw", [("FrequencyMasking", {}), ("TimeMasking", {}), ("TimeMasking", {"p": 0.5})])
@pytest.mark.parametrize("iid", [False, True])
def test_masking_same_draws(shape, cls, kw, iid):
    if iid and len(shape) != 4:
        pytest.skip("torchaudio 0.13 uses iid masks only on 4-D input")
    x = torch.rand(shape)
    torch.manual_seed(5)
    a = getattr(mt.transforms, cls)(20, iid_masks=iid, **kw)(x)
    torch.manual_seed(5)
    b = getattr(ta.transforms, cls)(20, iid_masks=iid, **kw)(x)
    assert torch.equal(a, b)


def _files(tmp_path):
    y = (np.random.default_rng(0).standard_normal((8000, 2)) * 0.2).clip(-1, 1)
    out = {}
    for name, sub in [("pcm16.wav", "PCM_16"), ("pcm24.wav", "PCM_24"), ("pcm32.wav", "PCM_32"),
                      ("float.wav", "FLOAT"), ("u8.wav", "PCM_U8"), ("f16.flac", "PCM_16"), ("v.ogg", "VORBIS")]:
        p = str(tmp_path / name)
        sf.write(p, y, 8000, subtype=sub)
        out[name] = p
    out["fsdd.wav"] = os.path.join(FSDD, "0_george_0.wav") if os.path.isdir(FSDD) else out["pcm16.wav"]
    return out


def test_info_and_load_against_torchaudio(tmp_path):
    files = _files(tmp_path)
    expect = {"pcm16.wav": ("PCM_S", 16, torch.int16), "pcm24.wav": ("PCM_S", 24, torch.int32),
              "pcm32.wav": ("PCM_S", 32, torch.int32), "float.wav": ("PCM_F", 32, torch.float32),
              "u8.wav": ("PCM_U", 8, torch.uint8), "f16.flac": ("FLAC", 16, torch.int16),
              "v.ogg": ("VORBIS", 0, torch.float32), "fsdd.wav": ("PCM_S", 16, torch.int16)}
    for name, path in files.items():
        i, j = mt.info(path), ta.info(path)
        head = sf.info(path)
        assert (i.sample_rate, i.num_channels, i.num_frames) == (head.samplerate, head.channels, head.frames)
        assert (i.sample_rate, i.num_channels, i.encoding, i.bits_per_sample) == \
            (j.sample_rate, j.num_channels, j.encoding, j.bits_per_sample), name
        assert (i.encoding, i.bits_per_sample) == expect[name][:2]
        a, ra = mt.load(path)
        b, rb = ta.load(path)
        assert ra == rb and a.dtype == torch.float32 and a.shape == b.shape, name
        tol = 1e-6 if name != "v.ogg" else 1e-4
        assert float((a - b).abs().max()) <= tol, name
        a, _ = mt.load(path, normalize=False)
        b, _ = ta.load(path, normalize=False)
        assert a.dtype == expect[name][2] == b.dtype, name
        if not a.is_floating_point():
            assert torch.equal(a, b), name
        a, _ = mt.load(path, frame_offset=100, num_frames=500, channels_first=False)
        b, _ = ta.load(path, frame_offset=100, num_frames=500, channels_first=False)
        assert a.shape == b.shape and float((a - b).abs().max()) <= tol, name
    with open(files["pcm16.wav"], "rb") as f:
        a, _ = mt.load(f)
    assert torch.equal(a, ta.load(files["pcm16.wav"])[0])
    a, _ = mt.load(io.BytesIO(open(files["f16.flac"], "rb").read()))
    assert a.shape == (2, 8000)


def test_load_mp3(tmp_path):
    mp3 = [os.path.join(d, f) for d in ("tests/data", "/work/shared/data") if os.path.isdir(d)
           for f in os.listdir(d) if f.endswith(".mp3")]
    if not mp3:
        p = str(tmp_path / "a.mp3")
        try:
            sf.write(p, np.zeros((8000, 1)) + 0.1, 8000, format="MP3")
        except Exception:
            pytest.skip("no MP3 file and libsndfile cannot write MP3")
        mp3 = [p]
    i = mt.info(mp3[0])
    assert i.encoding == "MP3" and i.bits_per_sample == 0
    a, r = mt.load(mp3[0])
    assert a.dtype == torch.float32 and a.dim() == 2 and r == i.sample_rate


@pytest.mark.parametrize("ext,kw", [("wav", dict(encoding="PCM_S", bits_per_sample=16)), ("wav", {}),
                                    ("flac", dict(bits_per_sample=16)), ("wav", dict(encoding="PCM_F", bits_per_sample=64))])
def test_save_round_trip_bit_for_bit(tmp_path, ext, kw):
    src = torch.from_numpy(np.random.default_rng(1).integers(-32768, 32767, (2, 3000)).astype(np.int16))
    x = src.float() / 32768.0 if kw.get("bits_per_sample") == 16 else torch.rand(2, 3000) * 2 - 1
    if ext == "flac" or kw.get("bits_per_sample") == 64:
        x = src.float() / 32768.0 if ext == "flac" else x.double()
    p = str(tmp_path / f"o.{ext}")
    mt.save(p, x, 8000, **kw)
    y, r = mt.load(p)
    assert r == 8000 and torch.equal(y, x.float())
    z, _ = ta.load(p)
    assert torch.equal(y, z)
    assert sorted(os.listdir(tmp_path)) == [f"o.{ext}"]  # no temporary left
    mt.save(p, src, 8000)  # int16 -> PCM_S 16, as torchaudio
    assert mt.info(p).bits_per_sample == 16 and torch.equal(mt.load(p, normalize=False)[0], src) or ext == "flac"


def test_save_refusals_leave_no_file(tmp_path):
    p = str(tmp_path / "o.wav")
    with pytest.raises(ValueError, match="bits_per_sample=12.*allowed"):
        mt.save(p, torch.zeros(1, 10), 8000, encoding="PCM_S", bits_per_sample=12)
    with pytest.raises(ValueError, match="format='mp4'.*allowed"):
        mt.save(str(tmp_path / "o.mp4"), torch.zeros(1, 10), 8000)
    with pytest.raises(ValueError, match="backend='ffmpeg'.*allowed"):
        mt.load(p, backend="ffmpeg")
    assert os.listdir(tmp_path) == []


def test_bad_arguments_name_the_keyword():
    with pytest.raises(ValueError, match="resampling_method='cubic'.*allowed"):
        mt.transforms.Resample(16000, 8000, resampling_method="cubic")
    with pytest.raises(ValueError, match="stype='db'.*allowed"):
        mt.transforms.AmplitudeToDB("db")
    with pytest.raises(ValueError, match="norm='l2'.*allowed"):
        mt.functional.melscale_fbanks(201, 0.0, 8000.0, 40, 16000, norm="l2")
    with pytest.raises(ValueError, match="normalized='x'.*allowed"):
        mt.transforms.Spectrogram(normalized="x")
    with pytest.raises(ValueError, match="dct_type=3.*allowed"):
        mt.transforms.MFCC(dct_type=3)


def test_unprovided_name():
    with pytest.raises(AttributeError, match="no 'StreamReader'.*offers load, info, save"):
        mt.StreamReader
    with pytest.raises(AttributeError, match="no 'models'.*not provided"):
        mt.models
    import importlib
    for sub in ("transforms", "functional", "compliance", "compliance.kaldi"):
        importlib.import_module("melnorm.compat.torchaudio." + sub)
