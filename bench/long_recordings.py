#!/usr/bin/python3
"""Long recordings (issue 26): `melnorm mel` on 1, 10, 60 and 180 minute 22.05 kHz PCM16 WAVs (made here from a
fixed seed, in --work, never committed), librosa preset (dB re max, top_db 80), one thread, whole process.
Reports seconds per audio hour (cost linear in length: within 10 % from 1 minute to 3 hours), also with the
fixed cost of a process (`mel` of a 1 s file: start-up, libraries, the FFT plan) taken off, the peak RSS
against the output's size (a 3-hour file: at most the output + 64 MiB), and, with --against BIN, another build
side by side on the same files. Then `extract --segment S` (default 10) of the longest file, packed and npy,
one job: its peak RSS (goal for 3 hours: at most 96 MiB in all, whatever the file's length).

    /usr/bin/python3 bench/long_recordings.py [--minutes 1,10,60,180] [--repeat 3] [--against OLD/melnorm]
        [--segment 10]
"""
import argparse
import os
import subprocess
import sys
import wave

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MELNORM = os.environ.get("MELNORM_BIN", os.path.join(ROOT, "build", "bin", "melnorm"))
SR = 22050


def make_wav(path, minutes):
    """A tone with a slow tremolo over noise, written a minute at a time (the script's memory stays small)."""
    if os.path.exists(path):
        return
    rng = np.random.default_rng(0)
    tmp = path + ".tmp"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(SR)
        for m in range(int(minutes)):
            t = (np.arange(60 * SR) + m * 60 * SR) / SR
            y = 0.3 * np.sin(2 * np.pi * 440 * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.1 * t))
            y += 0.05 * rng.standard_normal(t.size)
            w.writeframes((np.clip(y, -1, 1) * 32767).astype("<i2").tobytes())
    os.replace(tmp, path)


def run_once(binary, wav, out):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    cmd = ["/usr/bin/time", "-f", "%e %M", binary, "mel", wav, "-o", out, "-q"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {r.stderr}")
    seconds, rss_kib = r.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(rss_kib) / 1024.0, os.path.getsize(out) / 2 ** 20


def extract_once(binary, folder, out, segment, fmt):
    import shutil
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    cmd = ["/usr/bin/time", "-f", "%e %M", binary, "extract", folder, "-o", out, "--preset", "librosa", "--sr",
           str(SR), "--segment", str(segment), "--format", fmt, "--jobs", "1", "-q"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {r.stderr}")
    seconds, rss_kib = r.stderr.strip().splitlines()[-1].split()
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs)
    shutil.rmtree(out, ignore_errors=True)
    return float(seconds), int(rss_kib) / 1024.0, size / 2 ** 20


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", default="1,10,60,180")
    ap.add_argument("--repeat", type=int, default=3, help="runs per file and build (the median time is kept)")
    ap.add_argument("--work", default="/tmp/melnorm-long")
    ap.add_argument("--against", help="another melnorm binary, run on the same files in the same run")
    ap.add_argument("--segment", type=float, default=10.0, help="extract --segment of the longest file (0: skip)")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    binaries = [MELNORM] + ([a.against] if a.against else [])
    print(f"{'minutes':>7} {'build':>8} {'seconds':>8} {'s per hour':>10} {'peak MiB':>9} {'output MiB':>10} "
          f"{'peak - output':>13}")
    per_hour = {b: [] for b in binaries}
    marginal = {b: [] for b in binaries}
    fixed = {}
    short = os.path.join(a.work, "1s.wav")
    if not os.path.exists(short):
        with wave.open(short, "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(SR)
            w.writeframes((0.1 * np.sin(np.arange(SR) / 7.0) * 32767).astype("<i2").tobytes())
    for b in binaries:
        fixed[b] = sorted(run_once(b, short, os.path.join(a.work, "out.npy"))[0] for _ in range(5))[2]
        print(f"fixed cost ({'this' if b == MELNORM else 'against'}): mel of a 1 s file {fixed[b]:.3f} s")
    for minutes in (float(m) for m in a.minutes.split(",")):
        wav = os.path.join(a.work, f"{minutes:g}min.wav")
        make_wav(wav, minutes)
        for b in binaries:
            runs = [run_once(b, wav, os.path.join(a.work, "out.npy")) for _ in range(a.repeat)]
            seconds = sorted(r[0] for r in runs)[len(runs) // 2]
            rss, out = max(r[1] for r in runs), runs[0][2]
            per_hour[b].append(seconds / (minutes / 60))
            marginal[b].append(max(seconds - fixed[b], 1e-9) / (minutes / 60))
            name = "this" if b == MELNORM else "against"
            print(f"{minutes:7g} {name:>8} {seconds:8.2f} {seconds / (minutes / 60):10.2f} {rss:9.1f} {out:10.1f} "
                  f"{rss - out:13.1f}")
    if a.segment > 0:
        longest = max(float(m) for m in a.minutes.split(","))
        folder = os.path.join(a.work, f"extract-{longest:g}min")
        os.makedirs(folder, exist_ok=True)
        link = os.path.join(folder, f"{longest:g}min.wav")
        if not os.path.exists(link):
            os.symlink(os.path.join(a.work, f"{longest:g}min.wav"), link)
        for fmt in ("packed", "npy"):
            for b in binaries:
                seconds, rss, out = extract_once(b, folder, os.path.join(a.work, "outdir"), a.segment, fmt)
                print(f"extract --segment {a.segment:g} --format {fmt} of {longest:g} min "
                      f"({'this' if b == MELNORM else 'against'}): {seconds:.2f} s, peak {rss:.1f} MiB "
                      f"(output {out:.1f} MiB; goal <= 96 MiB)")
    for b in binaries:
        for what, values in (("whole process", per_hour[b]), ("less the fixed cost", marginal[b])):
            spread = max(values) / min(values) - 1
            print(f"{'this' if b == MELNORM else 'against'}: seconds per audio hour, {what}: "
                  f"{min(values):.2f}-{max(values):.2f} (spread {100 * spread:.0f} %; goal <= 10 %)")


if __name__ == "__main__":
    main()
