#!/usr/bin/python3
"""Python API: melnorm.MelSpectrogram vs torchaudio.transforms.MelSpectrogram, side by side in one run.

A batch of 256 one-second clips at 16 kHz (uniform noise, float32), the same
transform in both (n_fft 400, hop 160, 64 mels, slaney scale and norm,
constant padding), both on the same number of threads (default 2:
torch.set_num_threads and melnorm's n_threads). Prints the best of --repeat
times, the ratio, and the largest dB difference between the outputs.

    PYTHONPATH=build/python /usr/bin/python3 bench/compare_python_torchaudio.py [--threads 2] [--repeat 7]
"""
import argparse
import time

import numpy as np
import torch
import torchaudio

import melnorm


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
    torch.set_num_threads(a.threads)
    ta = torchaudio.transforms.MelSpectrogram(sample_rate=sr, n_fft=n_fft, hop_length=hop, n_mels=n_mels,
                                              mel_scale="slaney", norm="slaney", pad_mode="constant")
    ours = melnorm.MelSpectrogram(sr=sr, n_fft=n_fft, hop_length=hop, n_mels=n_mels, pad_mode="constant",
                                  n_threads=a.threads)
    yt = torch.from_numpy(y)

    def run_torchaudio():
        with torch.no_grad():
            return ta(yt)

    t_ta, med_ta = best_time(run_torchaudio, a.repeat)
    t_mn, med_mn = best_time(lambda: ours(y), a.repeat)
    ref, got = run_torchaudio().numpy(), ours(y)
    db = lambda s: 10 * np.log10(np.maximum(s, 1e-10))  # noqa: E731
    print(f"batch {a.batch} x 1 s at {sr} Hz, {a.threads} threads, best of {a.repeat} (median)")
    print(f"torchaudio {t_ta * 1e3:8.1f} ms ({med_ta * 1e3:.1f})")
    print(f"melnorm    {t_mn * 1e3:8.1f} ms ({med_mn * 1e3:.1f})")
    print(f"ratio      {t_ta / t_mn:8.1f}x   (median {med_ta / med_mn:.1f}x)")
    print(f"max |dB difference| {np.max(np.abs(db(ref) - db(got))):.2e}")


if __name__ == "__main__":
    main()
