#!/usr/bin/python3
"""melnorm.torch.LibrosaMelSpectrogram (an nn.Module on torch.stft) vs torchaudio.transforms.MelSpectrogram vs
melnorm's C++ path (melnorm.MelSpectrogram), on the same batch, in one run.

A batch of 256 one-second clips at 16 kHz (uniform noise, float32), the same transform in all three
(n_fft 400, hop 160, 64 mels, slaney scale and norm, constant padding), on the same number of threads
(default 2: torch.set_num_threads and melnorm's n_threads), CPU. Prints the best and median of --repeat
times, the ratios, and the largest dB difference of each to the C++ path (where within 80 dB of the peak).

    PYTHONPATH=build/python /usr/bin/python3 bench/compare_torch_modules.py [--threads 2] [--repeat 7]
"""
import argparse
import time

import numpy as np
import torch
import torchaudio

import melnorm
import melnorm.torch


def best_time(fn, repeat):
    fn()  # warm-up: plans, allocator, thread pools
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), float(np.median(times))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--batch", type=int, default=256)
    a = p.parse_args()
    sr, n_fft, hop, n_mels = 16000, 400, 160, 64
    y = np.random.default_rng(0).uniform(-1, 1, (a.batch, sr)).astype(np.float32)
    yt = torch.from_numpy(y)
    torch.set_num_threads(a.threads)
    ta = torchaudio.transforms.MelSpectrogram(sample_rate=sr, n_fft=n_fft, hop_length=hop, n_mels=n_mels,
                                              mel_scale="slaney", norm="slaney", pad_mode="constant")
    module = melnorm.torch.LibrosaMelSpectrogram(sr=sr, n_fft=n_fft, hop_length=hop, n_mels=n_mels, pad_mode="constant")
    cpp = melnorm.MelSpectrogram(sr=sr, n_fft=n_fft, hop_length=hop, n_mels=n_mels, pad_mode="constant",
                                 n_threads=a.threads)

    def no_grad(f):
        def run():
            with torch.no_grad():
                return f(yt)
        return run

    runs = {"torchaudio": no_grad(ta), "melnorm.torch": no_grad(module), "melnorm C++": lambda: cpp(y)}
    times = {name: best_time(fn, a.repeat) for name, fn in runs.items()}
    ref = cpp(y)
    db = lambda s: 10 * np.log10(np.maximum(s, 1e-10))  # noqa: E731
    keep = db(ref) > db(ref).max() - 80
    print(f"torch {torch.__version__}, torchaudio {torchaudio.__version__}; batch {a.batch} x 1 s at {sr} Hz, "
          f"{a.threads} threads, best of {a.repeat} (median)")
    for name, (best, med) in times.items():
        out = np.asarray(runs[name]())
        diff = np.abs(db(out) - db(ref))[keep].max()
        print(f"{name:14s} {best * 1e3:8.1f} ms ({med * 1e3:.1f})   max |dB - C++| {diff:.1e}")
    t = {k: v[0] for k, v in times.items()}
    print(f"melnorm.torch vs torchaudio {t['torchaudio'] / t['melnorm.torch']:.2f}x;  "
          f"C++ vs torchaudio {t['torchaudio'] / t['melnorm C++']:.2f}x;  C++ vs melnorm.torch "
          f"{t['melnorm.torch'] / t['melnorm C++']:.2f}x (speed-ups: above 1, the first is faster)")


if __name__ == "__main__":
    main()
