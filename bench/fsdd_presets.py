"""FSDD extraction with --preset ast against --preset librosa, whole process, side by side in one run.

Free Spoken Digit Dataset (../shared/data/fsdd/recordings/*.wav: 3000 clips, 8 kHz, 0.14-2.3 s, median 0.42 s):
  ast:      `melnorm extract RECORDINGS -o OUT --preset ast --jobs 1 --quiet`
            (resampled to 16 kHz, Kaldi fbank 128 bins, 1024 frames, AudioSet mean/std)
  librosa:  the same with `--preset librosa` (the clips' own 8 kHz, n_fft 2048, hop 512, 128 mels, dB)
No other flag: neither preset needs one for per-file (npy) output of clips of different lengths. Each run
writes into a fresh empty OUTDIR (no resume); the two alternate for --repeats rounds. --limit N uses the
first N files (sorted by name), copied into a temporary folder. Prints the median seconds per 1000 clips of
each and the ratio ast / librosa (goal: <= 1.0), and checks each OUTDIR's rows and array shapes.

  PYTHONPATH=build/python /usr/bin/python3 bench/fsdd_presets.py [--repeats 3] [--limit N] [--data ../shared/data/fsdd]
"""
import argparse
import csv
import glob
import os
import shutil
import statistics
import subprocess
import tempfile
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CLI = os.environ.get("MELNORM_BIN", os.path.join(ROOT, "build", "bin", "melnorm"))
PRESETS = ("ast", "librosa")


def extract(src, out, preset, env):
    """Seconds of one whole `melnorm extract` process, or the refusal's message."""
    cmd = [CLI, "extract", src, "-o", out, "--preset", preset, "--jobs", "1", "--quiet"]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"`{' '.join(cmd)}` failed (rc {r.returncode}):\n{r.stderr.strip() or r.stdout.strip()}")
    return dt


def check(out):
    """(ok rows, rows, set of array shapes of the first few rows) of an OUTDIR's manifest."""
    with open(os.path.join(out, "manifest.csv")) as f:
        rows = list(csv.DictReader(f))
    ok = [r for r in rows if r["status"] == "ok"]
    shapes = {np.load(os.path.join(out, r["output"]), mmap_mode="r").shape for r in ok[:20]}
    return len(ok), len(rows), shapes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "fsdd"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--limit", type=int, default=None, help="first N recordings only (sorted by name)")
    a = ap.parse_args()
    rec = os.path.abspath(os.path.join(a.data, "recordings"))
    files = sorted(glob.glob(os.path.join(rec, "*.wav")))
    env = dict(os.environ, OMP_NUM_THREADS="1")
    with tempfile.TemporaryDirectory() as d:
        src = rec
        if a.limit is not None:
            files = files[:a.limit]
            src = os.path.join(d, "recordings")
            os.makedirs(src)
            for f in files:  # copies, not links: extract resolves links and would name rows by the real paths
                shutil.copy2(f, src)
        n = len(files)
        times = {p: [] for p in PRESETS}
        checks = {}
        for r in range(a.repeats):
            for p in (PRESETS if r % 2 == 0 else PRESETS[::-1]):
                out = os.path.join(d, f"out_{p}_{r}")
                times[p].append(extract(src, out, p, env))
                checks[p] = check(out)
                shutil.rmtree(out)
    med = {p: statistics.median(v) for p, v in times.items()}
    print(f"FSDD: {n} clips from {rec}, `melnorm extract ... --jobs 1 --quiet` (whole process), "
          f"median of {a.repeats}, alternating")
    for p in PRESETS:
        ok, rows, shapes = checks[p]
        print(f"  --preset {p:8s} {med[p]:7.3f} s = {med[p] / n * 1000:7.3f} s per 1000 clips   (runs: "
              + ", ".join(f"{t:.3f}" for t in times[p]) + f")   rows ok {ok}/{rows}, shapes e.g. {sorted(shapes)[:3]}")
    ratio = med["ast"] / med["librosa"]
    print(f"  ratio ast / librosa: {ratio:.2f}   (goal <= 1.0: {'met' if ratio <= 1.0 else 'NOT met'})")


if __name__ == "__main__":
    main()
