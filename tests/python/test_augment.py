"""Training-time perturbations (issue 27): melnorm.augment, `melnorm augment` and melnorm.torch's RandomGain,
Requantize and AddRandomNoise draw the same numbers from (seed, epoch, clip)."""
import os
import subprocess

import numpy as np
import pytest
import torch

import melnorm
import melnorm.torch as mt

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
CLI = os.environ.get("MELNORM_BIN", os.path.join(ROOT, "build", "bin", "melnorm"))
SAMPLE = os.path.join(ROOT, "data", "samples")


def _clip(n=4000, amplitude=0.5, seed=0):
    t = np.arange(n) / 8000.0
    rng = np.random.default_rng(seed)
    return (amplitude * np.sin(2 * np.pi * 440 * t) + 0.01 * rng.standard_normal(n)).astype(np.float32)


def _pcm16(n=3000):
    return (np.round(20000 * np.sin(0.01 * np.arange(n))) / 32768.0).astype(np.float32)


def test_augment_is_seeded_by_seed_epoch_and_clip():
    y = _clip()
    kw = dict(gain_db=(-60, 0), bits=16, tpdf_dither=True, noise_snr_db=(10, 30))
    first = melnorm.augment(y, seed=7, epoch=1, clip=3, **kw)
    assert first.dtype == np.float32 and first.shape == y.shape
    assert np.array_equal(melnorm.augment(y, seed=7, epoch=1, clip=3, **kw), first)
    for other in (dict(seed=8, epoch=1, clip=3), dict(seed=7, epoch=2, clip=3), dict(seed=7, epoch=1, clip=4)):
        assert not np.array_equal(melnorm.augment(y, **other, **kw), first), other


def test_a_zero_db_gain_with_16_bits_leaves_pcm16_input_unchanged():
    y = _pcm16()
    assert np.array_equal(melnorm.augment(y, seed=3, gain_db=0, bits=16), y)
    assert torch.equal(mt.Requantize(16, seed=3)(mt.RandomGain(0.0, 0.0, seed=3)(torch.from_numpy(y))),
                       torch.from_numpy(y))


@pytest.mark.parametrize("color", ["white", "pink"])
def test_the_torch_transforms_equal_melnorm_augment_for_the_same_seed_epoch_and_clips(color):
    rows = np.stack([_clip(seed=s, amplitude=a) for s, a in ((1, 0.5), (2, 0.05), (3, 0.9))])
    clips = [11, 4, 250]
    chain = torch.nn.Sequential(mt.AddRandomNoise(15, 35, color=color, seed=5), mt.RandomGain(-50, 6, seed=5),
                                mt.Requantize(16, tpdf_dither=True, seed=5))
    x = torch.from_numpy(rows)
    for m in chain:
        x = m(x, epoch=3, clip=clips)
    want = np.stack([melnorm.augment(r, seed=5, epoch=3, clip=c, noise_snr_db=(15, 35), noise_color=color,
                                     gain_db=(-50, 6), bits=16, tpdf_dither=True) for r, c in zip(rows, clips)])
    # gain and re-quantization are bit-exact; the noise's float64 sums may differ in the last bit, which can move
    # a sample across a rounding boundary of the 16-bit grid: at most one step, rarely
    step = 1 / 32768
    diff = np.abs(x.numpy() - want)
    assert diff.max() <= step + 1e-9
    assert np.mean(diff > 0) < 1e-3


def test_gain_and_requantize_alone_are_bit_exact_with_the_library():
    rows = np.stack([_clip(seed=s) for s in range(4)])
    x = mt.Requantize(12, tpdf_dither=True, seed=9)(mt.RandomGain(-40, 0, seed=9)(torch.from_numpy(rows), epoch=2),
                                                     epoch=2)
    for i, r in enumerate(rows):
        assert np.array_equal(x[i].numpy(), melnorm.augment(r, seed=9, epoch=2, clip=i, gain_db=(-40, 0), bits=12,
                                                            tpdf_dither=True))


def test_the_cli_writes_what_melnorm_augment_computes():
    wav = os.path.join(SAMPLE, "0", "0_george_5.wav")
    out = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"melnorm_augment_{os.getpid()}.npy")
    subprocess.run([CLI, "augment", wav, "-o", out, "--train-gain", "-40:0", "--train-bits", "16", "--train-noise",
                    "20:30", "--seed", "4", "--epoch", "2", "--clip", "17", "-q"], check=True)
    try:
        y, _ = melnorm.load(wav, sr=None)
        want = melnorm.augment(y, seed=4, epoch=2, clip=17, gain_db=(-40, 0), bits=16, noise_snr_db=(20, 30))
        assert np.array_equal(np.load(out), want)
    finally:
        os.remove(out)


def test_a_generator_seeds_the_draws_and_each_call_draws_afresh():
    x = torch.from_numpy(np.stack([_clip(seed=s) for s in range(3)]))

    def run(seed):
        g = torch.Generator().manual_seed(seed)
        gain, noise = mt.RandomGain(-30, 0, generator=g), mt.AddRandomNoise(10, 20, generator=g)
        return [gain(noise(x)) for _ in range(2)]

    a, b, c = run(1), run(1), run(2)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], a[1]) and not torch.equal(a[0], c[0])
    levels = 20 * torch.log10(a[0].abs().amax(dim=1) / x.abs().amax(dim=1))
    assert bool(((levels > -31) & (levels < 1)).all())


def test_the_gain_is_uniform_in_its_range_and_eval_mode_is_the_identity():
    x = torch.full((2000, 8), 0.5)
    g = mt.RandomGain(-30.0, -10.0, seed=0)
    db = 20 * torch.log10(g(x)[:, 0] / 0.5)
    assert -30.001 <= float(db.min()) < -29 and -11 < float(db.max()) <= -9.999
    assert abs(float(db.mean()) + 20) < 0.5
    g.eval()
    assert g(x) is x


def test_noise_is_added_at_the_drawn_snr():
    x = torch.from_numpy(np.stack([_clip(16000, seed=s) for s in range(3)]))
    for color in ("white", "pink"):
        y = mt.AddRandomNoise(20.0, 20.0, color=color, seed=1)(x)
        snr = 10 * torch.log10((x.double() ** 2).mean(1) / ((y - x).double() ** 2).mean(1))
        assert torch.allclose(snr, torch.full_like(snr, 20.0), atol=0.01), (color, snr)
    silent = torch.zeros(2, 100)
    assert torch.equal(mt.AddRandomNoise(0.0, 0.0, seed=1)(silent), silent)


@pytest.mark.parametrize("call, match", [
    (lambda: mt.RandomGain(0, -10), r"RandomGain: \(0, -10\) must be min <= max"),
    (lambda: mt.RandomGain(-200, 0), r"within \[-120, 60\]"),
    (lambda: mt.Requantize(4), r"bits=4 must be an integer in \[8, 24\]"),
    (lambda: mt.AddRandomNoise(10, 20, color="brown"), r"color='brown': allowed are 'white' and 'pink'"),
    (lambda: mt.RandomGain(seed=1, generator=torch.Generator()), "seed and generator are alternatives"),
    (lambda: mt.RandomGain(seed=1)(torch.zeros(2, 10), clip=[1]), "clip: 1 indices for 2 clips"),
    (lambda: mt.RandomGain(seed=1)(torch.zeros(2, 10, dtype=torch.int16)), "floating-point tensor"),
])
def test_the_torch_transforms_refuse_bad_arguments_by_keyword(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("kw, match", [
    (dict(gain_db=(0, -10)), "gain_db: the range from 0 to -10 dB must have its minimum first"),
    (dict(gain_db="loud"), "gain_db='loud' must be a number of dB or a .min, max. pair"),
    (dict(bits=4), "bits=4 must be in \\[8, 24\\]"),
    (dict(tpdf_dither=True), "tpdf_dither dithers the re-quantization: give bits too"),
    (dict(noise_snr_db=(10, 20), noise_color="brown"), "noise_color='brown' is not a noise color; allowed: white, pink"),
    (dict(gain_db=0, epoch=-1), "epoch=-1 must be an integer >= 0"),
])
def test_melnorm_augment_names_the_bad_keyword(kw, match):
    with pytest.raises(melnorm.ParameterError, match=match):
        melnorm.augment(np.zeros(10, np.float32), seed=1, **kw)


def test_no_perturbation_takes_a_torchaudio_name_it_does_not_behave_like():
    # torchaudio.transforms.AddNoise adds a given noise tensor at given SNRs; melnorm's draws both
    assert not hasattr(mt, "AddNoise") and hasattr(mt, "AddRandomNoise")
