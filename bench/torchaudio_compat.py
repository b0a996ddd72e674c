"""melnorm.compat.torchaudio (load + transforms.MelSpectrogram) vs torchaudio's own, one thread, in one run.

    PYTHONPATH=build/python /usr/bin/python3 bench/torchaudio_compat.py [RECORDINGS_DIR]
"""
import os
import sys
import time

import torch
import torchaudio

import melnorm.compat.torchaudio as mt


def run(lib, files, mel):
    t0 = time.perf_counter()
    frames = 0
    for f in files:
        y, sr = lib.load(f)
        frames += mel(y).shape[-1]
    return time.perf_counter() - t0, frames


def main():
    torch.set_num_threads(1)
    root = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/fsdd/recordings"
    files = sorted(os.path.join(root, f) for f in os.listdir(root) if f.endswith(".wav"))
    kw = dict(sample_rate=8000)
    ours, theirs = mt.transforms.MelSpectrogram(**kw), torchaudio.transforms.MelSpectrogram(**kw)
    run(mt, files[:50], ours), run(torchaudio, files[:50], theirs)  # warm caches
    best = {}
    for _ in range(3):
        for name, lib, mel in (("melnorm.compat.torchaudio", mt, ours), ("torchaudio 0.13", torchaudio, theirs)):
            t, frames = run(lib, files, mel)
            best[name] = min(best.get(name, t), t)
    for name, t in best.items():
        print(f"{name:28s} {len(files)} files  {t:7.3f} s  ({1e3 * t / len(files):.3f} ms/file)")
    print(f"ratio (torchaudio / melnorm): {best['torchaudio 0.13'] / best['melnorm.compat.torchaudio']:.2f}x  "
          f"(frames: {frames}, one thread)")


if __name__ == "__main__":
    main()
