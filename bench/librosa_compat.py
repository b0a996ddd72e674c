#!/usr/bin/python3
"""melnorm.compat.librosa's effects.trim and resample vs NumPy implementations of the same, side by side, one thread.

- trim: librosa's own algorithm written in NumPy (centre padding, ``util.frame``'s strided view, the mean of squares
  per frame, ``amplitude_to_db(ref=np.max)``, the first and last frame above ``-top_db``), the frame RMS exactly
  as librosa.feature.rms computes it; compat computes the frame energies as block sums (each sample squared once).
  Both give the same [start, end] (checked).
- resample: compat's ``res_type="soxr_hq"`` (libsoxr, librosa's default) vs a NumPy FFT resampler
  (``scipy.signal.resample``'s formula, ``res_type="fft"`` in librosa: band-limited, the ideal brick-wall filter, so
  at least soxr_hq's quality in the passband), both fixed to ``ceil(n * ratio)``; the max difference is printed.

Workloads: the 3000 FSDD clips (8 kHz, about 0.4 s each; resampled to 16 kHz) and 20 synthetic 30 s clips at 22050 Hz
(speech-like bursts between silences; resampled to 16 kHz) and 44100 Hz (to 22050 Hz).

    bash scripts/build.sh
    PYTHONPATH=build/python /usr/bin/python3 bench/librosa_compat.py [--data ../shared/data/fsdd] [--repeat 3]
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import glob  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import melnorm  # noqa: E402
import melnorm.compat.librosa as librosa  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def numpy_trim(y, top_db=60, frame_length=2048, hop_length=512):
    """librosa.effects.trim (mono) in NumPy, as librosa computes it."""
    yp = np.pad(y, (frame_length // 2, frame_length // 2))
    frames = np.lib.stride_tricks.sliding_window_view(yp, frame_length)[::hop_length].T  # [frame_length, frames]
    rms = np.sqrt(np.mean(np.abs(frames) ** 2, axis=-2))
    db = 20 * np.log10(np.maximum(1e-5, rms)) - 20 * np.log10(max(1e-5, rms.max()))
    nonzero = np.flatnonzero(db > -top_db)
    if nonzero.size == 0:
        return y[0:0], np.array([0, 0])
    start = int(nonzero[0] * hop_length)
    end = min(len(y), int((nonzero[-1] + 1) * hop_length))
    return y[start:end], np.array([start, end])


def numpy_fft_resample(y, orig_sr, target_sr):
    """scipy.signal.resample's formula (librosa's res_type='fft') with NumPy's FFT, length ceil(n * ratio)."""
    nx = y.shape[-1]
    num = int(math.ceil(nx * target_sr / orig_sr))
    X = np.fft.rfft(y)
    Y = np.zeros(num // 2 + 1, dtype=X.dtype)
    N = min(num, nx)
    Y[:N // 2 + 1] = X[:N // 2 + 1]
    if N % 2 == 0:
        Y[N // 2] *= 2.0 if num < nx else (0.5 if num > nx else 1.0)
    return (np.fft.irfft(Y, num) * (num / nx)).astype(y.dtype)


def synthetic(n_clips, sr, seconds, seed=0):
    rng = np.random.default_rng(seed)
    clips = []
    for _ in range(n_clips):
        n = int(sr * seconds)
        y = np.zeros(n, np.float32)
        t = int(sr * rng.uniform(0.5, 2.0))
        while t < n - sr:  # bursts of filtered noise and tones, silences between
            m = int(sr * rng.uniform(0.3, 1.5))
            k = np.arange(min(m, n - t))
            tone = np.sin(2 * np.pi * rng.uniform(100, 3000) * k / sr) * np.hanning(len(k))
            y[t:t + len(k)] = 0.3 * tone + 0.05 * rng.standard_normal(len(k)) * np.hanning(len(k))
            t += m + int(sr * rng.uniform(0.2, 1.0))
        y[-int(sr * 0.7):] = 0.0
        clips.append(y)
    return clips


def best_of(repeat, fn):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def compare(name, clips, ours, theirs, repeat, check):
    total = sum(len(c) for c in clips)
    t_ours, r_ours = best_of(repeat, lambda: [ours(c) for c in clips])
    t_np, r_np = best_of(repeat, lambda: [theirs(c) for c in clips])
    detail = check(r_ours, r_np)
    print(f"{name:<44} {len(clips):5d} clips {total / 1e6:7.2f} M samples | compat {t_ours * 1e3:8.1f} ms  "
          f"NumPy {t_np * 1e3:8.1f} ms  {t_np / t_ours:5.1f}x  ({detail})")


def same_intervals(a, b):
    diff = sum(int(not np.array_equal(x[1], y[1])) for x, y in zip(a, b))
    return f"intervals equal: {len(a) - diff}/{len(a)}"


def max_diff(a, b):
    return "max |difference| {:.2g}".format(max(float(np.max(np.abs(x - y))) if len(x) else 0.0 for x, y in zip(a, b)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "fsdd"))
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    files = sorted(glob.glob(os.path.join(a.data, "recordings", "*.wav")))
    fsdd = [melnorm.load(f, sr=None)[0] for f in files]
    long22 = synthetic(20, 22050, 30.0, seed=1)
    long44 = synthetic(20, 44100, 30.0, seed=2)
    print(f"melnorm {melnorm.__version__}, NumPy {np.__version__}, one thread; best of {a.repeat}")
    print("effects.trim (top_db 60, frame 2048, hop 512)")
    compare("  FSDD 8 kHz", fsdd, lambda y: librosa.effects.trim(y), numpy_trim, a.repeat, same_intervals)
    compare("  30 s at 22050 Hz", long22, lambda y: librosa.effects.trim(y), numpy_trim, a.repeat, same_intervals)
    compare("  FSDD 8 kHz, frame 512 hop 128", fsdd,
            lambda y: librosa.effects.trim(y, frame_length=512, hop_length=128),
            lambda y: numpy_trim(y, frame_length=512, hop_length=128), a.repeat, same_intervals)
    print("resample: compat soxr_hq vs NumPy FFT resampler (scipy.signal.resample's formula)")
    compare("  FSDD 8000 -> 16000 Hz", fsdd, lambda y: librosa.resample(y, orig_sr=8000, target_sr=16000),
            lambda y: numpy_fft_resample(y, 8000, 16000), a.repeat, max_diff)
    compare("  30 s 22050 -> 16000 Hz", long22, lambda y: librosa.resample(y, orig_sr=22050, target_sr=16000),
            lambda y: numpy_fft_resample(y, 22050, 16000), a.repeat, max_diff)
    compare("  30 s 44100 -> 22050 Hz", long44, lambda y: librosa.resample(y, orig_sr=44100, target_sr=22050),
            lambda y: numpy_fft_resample(y, 44100, 22050), a.repeat, max_diff)


if __name__ == "__main__":
    main()
