#!/usr/bin/python3
"""Whole-pipeline comparison: melnorm vs torchaudio on one 600 s, 22.05 kHz signal.

Both read the same PCM16 WAV, compute the log-mel spectrogram with librosa's
defaults (n_fft 2048, hop 512, 128 Slaney mels, slaney norm, centred with zero
padding), convert to dB with ref = max and top_db = 80, and write a .npy.
Both run single-threaded. Prints each time (best of --repeat), the ratio, the
spectrogram-only real-time factor, and how far the two outputs are apart.

Run with Debian's Python (it has numpy, torch, torchaudio):
    /usr/bin/python3 bench/compare_torchaudio.py [--seconds 600] [--repeat 3]
after `bash scripts/build.sh`.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import wave

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MELNORM = os.path.join(ROOT, "build", "bin", "melnorm")
BENCH = os.path.join(ROOT, "build", "bin", "melnorm_bench")
SR = 22050


def make_signal(seconds):
    rng = np.random.default_rng(42)
    n = int(seconds * SR)
    t = np.arange(n) / SR
    f = 100.0 + 4000.0 * (0.5 + 0.5 * np.sin(2 * np.pi * t / 5.0))
    y = 0.3 * np.sin(2 * np.pi * np.cumsum(f) / SR) + rng.normal(0, 0.05, n)
    return np.clip(y, -1, 1)


def write_wav(path, y):
    pcm = (np.clip(y, -1, 1) * 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())


def best_of(repeat, fn):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=600.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    for exe in (MELNORM, BENCH):
        if not os.path.exists(exe):
            sys.exit(f"{exe} not found: run `bash scripts/build.sh` first")

    import torch
    import torchaudio

    torch.set_num_threads(1)
    tmp = tempfile.mkdtemp(prefix="melnorm-bench-")
    wav = os.path.join(tmp, "signal.wav")
    write_wav(wav, make_signal(args.seconds))
    out_m = os.path.join(tmp, "melnorm.npy")
    out_t = os.path.join(tmp, "torchaudio.npy")

    def run_melnorm():
        subprocess.run([MELNORM, "mel", wav, "-o", out_m, "--preset", "librosa", "--db", "max", "-q"], check=True)

    mel = torchaudio.transforms.MelSpectrogram(
        sample_rate=SR, n_fft=2048, hop_length=512, n_mels=128, f_min=0.0, f_max=None,
        pad_mode="constant", norm="slaney", mel_scale="slaney", power=2.0)

    def run_torchaudio():
        y, sr = torchaudio.load(wav)
        with torch.inference_mode():
            s = mel(y.mean(0))
            db = 10.0 * torch.log10(torch.clamp(s, min=1e-10))
            db = db - 10.0 * torch.log10(torch.clamp(s.max(), min=1e-10))
            db = torch.maximum(db, db.max() - 80.0)
        np.save(out_t, db.numpy())

    t_m = best_of(args.repeat, run_melnorm)
    t_t = best_of(args.repeat, run_torchaudio)
    a, b = np.load(out_m), np.load(out_t)
    diff = float(np.abs(a - b).max()) if a.shape == b.shape else float("nan")

    # Spectrogram alone (no decode, no file write), from the Google Benchmark binary.
    r = subprocess.run([BENCH, "--benchmark_filter=BM_Librosa_22k_600s", "--benchmark_format=json"],
                       check=True, capture_output=True, text=True)
    rt = json.loads(r.stdout)["benchmarks"][0]["x_realtime"]

    print(f"signal: {args.seconds:g} s at {SR} Hz, PCM16 WAV; librosa preset, dB ref=max top_db=80; 1 thread")
    print(f"{'pipeline (decode + log-mel + write .npy)':44s} {'seconds':>9s}")
    print(f"{'melnorm mel':44s} {t_m:9.3f}")
    print(f"{'torchaudio 0.13 (torch 1 thread)':44s} {t_t:9.3f}")
    print(f"ratio torchaudio / melnorm: {t_t / t_m:.1f}x")
    print(f"melnorm spectrogram alone: {rt:.0f}x real time")
    print(f"outputs: shape {a.shape} vs {b.shape}, max |dB difference| = {diff:.2e}")


if __name__ == "__main__":
    main()
