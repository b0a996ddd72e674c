"""melnorm's Kaldi front end against torchaudio.compliance.kaldi.fbank, side by side in one run.

600 s of audio at 16 kHz (noise plus a chirp, PCM16 WAV), one thread each:
  melnorm:    the whole process `melnorm mel clip.wav -o out.npy --preset kaldi` (decode, fbank, write)
  torchaudio: the fbank call alone (the waveform already a tensor; import and load not counted)
Prints each median time of --repeats runs and the ratio. The outputs are compared too (max |diff|).

  PYTHONPATH=build/python /usr/bin/python3 bench/kaldi_frontend.py [--seconds 600] [--repeats 3]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time
import wave

import numpy as np
import torch
import torchaudio.compliance.kaldi as ta_kaldi

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CLI = os.environ.get("MELNORM_BIN", os.path.join(ROOT, "build", "bin", "melnorm"))


def write_wav(path, y, sr):
    pcm = np.clip(np.round(y * 32767), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(sr), w.writeframes(pcm.tobytes())
    return pcm.astype(np.float32) / 32768.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(1)
    sr = 16000
    t = np.arange(int(a.seconds * sr)) / sr
    rng = np.random.default_rng(0)
    y = 0.05 * rng.standard_normal(t.size) + 0.3 * np.sin(2 * np.pi * (200 + 30 * (t % 60)) * t)
    with tempfile.TemporaryDirectory() as d:
        clip, out = os.path.join(d, "clip.wav"), os.path.join(d, "out.npy")
        y16 = write_wav(clip, y, sr)
        env = dict(os.environ, OMP_NUM_THREADS="1")
        mel_times, ta_times = [], []
        x = torch.from_numpy(y16).unsqueeze(0)
        for _ in range(a.repeats):
            t0 = time.perf_counter()
            subprocess.run([CLI, "mel", clip, "-o", out, "--preset", "kaldi", "-q"], check=True, env=env)
            mel_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            want = ta_kaldi.fbank(x)
            ta_times.append(time.perf_counter() - t0)
        got = np.load(out)
    m, ta = statistics.median(mel_times), statistics.median(ta_times)
    print(f"{a.seconds:g} s at 16 kHz, kaldi fbank defaults, one thread, median of {a.repeats}")
    print(f"  melnorm mel --preset kaldi (whole process): {m:.3f} s")
    print(f"  torchaudio.compliance.kaldi.fbank (call):    {ta:.3f} s")
    print(f"  ratio: {ta / m:.1f}x   shapes {got.shape} vs {tuple(want.shape)}, "
          f"max |diff| {np.abs(got - want.numpy()).max():.4f}")


if __name__ == "__main__":
    main()
