#!/usr/bin/python3
"""Dataset extraction: melnorm extract vs a torchaudio loop, on all 3000 FSDD clips.

Both decode each clip, pad or crop it to 1 s, compute a log-mel spectrogram
(8 kHz, n_fft 512, hop 128, 64 Slaney mels, slaney norm, zero padding, dB
ref=max, top_db 80), z-score it per clip and write the results: one
[3000, 64, 63] features.npy (--format packed, the default) or one .npy per clip
(--format npy, which also measures the file system). Same thread count on both sides
(torch.set_num_threads(N) for the loop, --jobs N for melnorm). Prints clips/s,
the ratios, the --jobs 1 -> 2 scaling and each side's peak memory.

    bash scripts/build.sh
    /usr/bin/python3 bench/compare_extract_torchaudio.py [--data ../shared/data/fsdd] [--repeat 2] [--scaling-rounds 9]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MELNORM = os.path.join(ROOT, "build", "bin", "melnorm")


def run_melnorm(data, out, jobs, fmt):
    cmd = [MELNORM, "extract", os.path.join(data, "recordings"), "--labels", os.path.join(data, "LABELS.csv"),
           "-o", out, "--sr", "8000", "--n-fft", "512", "--hop", "128", "--n-mels", "64",
           "--db", "max", "--top-db", "80", "--normalize", "zscore", "--pad-to", "1", "--format", fmt,
           "--jobs", str(jobs), "-q"]
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(r.stderr)
    return elapsed, int(r.stderr.strip().splitlines()[-1]) / 1024.0  # MiB


TORCH_LOOP = r'''
import os, sys, time, resource, numpy as np, torch, torchaudio
data, out, threads, fmt = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
torch.set_num_threads(threads)
mel = torchaudio.transforms.MelSpectrogram(sample_rate=8000, n_fft=512, hop_length=128, n_mels=64,
      pad_mode="constant", norm="slaney", mel_scale="slaney", power=2.0)
paths = [l.split(",")[0] for l in open(os.path.join(data, "LABELS.csv")).read().splitlines()[1:]]
t0 = time.perf_counter()
rows = []
with torch.inference_mode():
    for p in paths:
        y, sr = torchaudio.load(os.path.join(data, p))
        y = torch.nn.functional.pad(y.mean(0)[:8000], (0, max(0, 8000 - y.shape[-1])))
        s = mel(y)
        db = 10 * torch.log10(torch.clamp(s, min=1e-10))
        db = db - db.max()
        db = torch.maximum(db, db.max() - 80)
        z = (db - db.mean()) / db.std(unbiased=False)
        if fmt == "packed":
            rows.append(z.numpy())
            continue
        dst = os.path.join(out, p[:-4] + ".npy")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        np.save(dst, z.numpy())
if fmt == "packed":
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "features.npy"), np.stack(rows))
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
'''


def run_torch(data, out, threads, fmt):
    r = subprocess.run(["/usr/bin/python3", "-c", TORCH_LOOP, data, out, str(threads), fmt], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(r.stderr)
    t, mem = r.stdout.split()
    return float(t), float(mem)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "fsdd"))
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--format", choices=["packed", "npy"], default="packed")
    ap.add_argument("--scaling-rounds", type=int, default=0,
                    help="then run melnorm --jobs 1 and --jobs 2 alternately this many times and print the "
                         "median of the per-round speed-ups (steadier than best-of on a shared machine)")
    args = ap.parse_args()
    if not os.path.exists(MELNORM):
        sys.exit(f"{MELNORM} not found: run `bash scripts/build.sh` first")
    n = sum(1 for _ in open(os.path.join(args.data, "LABELS.csv"))) - 1
    tmp = tempfile.mkdtemp(prefix="melnorm-extract-bench-")
    # Outputs are removed only at the end: on ext4, creating thousands of files
    # right after deleting thousands is several times slower (inode reuse checks).
    results = {}
    ratios = []
    for rnd in range(args.scaling_rounds):
        t1, _ = run_melnorm(args.data, os.path.join(tmp, f"s1_{rnd}"), 1, args.format)
        t2, _ = run_melnorm(args.data, os.path.join(tmp, f"s2_{rnd}"), 2, args.format)
        ratios.append(t1 / t2)
    for threads in (1, 2):
        best_m = best_t = None
        for rep in range(args.repeat):
            out = os.path.join(tmp, f"m{threads}_{rep}")
            t, mem_m = run_melnorm(args.data, out, threads, args.format)
            best_m = (t, mem_m) if best_m is None or t < best_m[0] else best_m
            out = os.path.join(tmp, f"t{threads}_{rep}")
            t, mem_t = run_torch(args.data, out, threads, args.format)
            best_t = (t, mem_t) if best_t is None or t < best_t[0] else best_t
        results[threads] = (best_m, best_t)
    shutil.rmtree(tmp)
    print(f"{n} FSDD clips: decode + pad to 1 s + log-mel + z-score + write ({args.format}); best of {args.repeat}")
    print(f"{'threads':>7} {'melnorm clips/s':>16} {'torchaudio clips/s':>19} {'ratio':>7} {'melnorm peak MiB':>17} {'torch peak MiB':>15}")
    for threads, ((tm, mm), (tt, mt)) in results.items():
        print(f"{threads:>7} {n / tm:>16.0f} {n / tt:>19.0f} {tt / tm:>6.1f}x {mm:>17.0f} {mt:>15.0f}")
    print(f"melnorm --jobs 1 -> 2 speed-up: {results[1][0][0] / results[2][0][0]:.2f}x")
    if ratios:
        ratios.sort()
        print(f"--jobs 1 -> 2 over {len(ratios)} alternating rounds: median {ratios[len(ratios) // 2]:.2f}x "
              f"(min {ratios[0]:.2f}x, max {ratios[-1]:.2f}x)")


if __name__ == "__main__":
    main()
