#!/usr/bin/python3
"""Regression guard for the 600 s job (issue 26): `melnorm mel` on one 600 s, 22.05 kHz PCM16 WAV, librosa preset,
dB re max, top_db 80, one thread, whole process. Compares this build (the time includes /usr/bin/time's start, the same for every build) with a recorded baseline figure
(bench/baselines.json: seconds, peak RSS, minor page faults, with the date and command that recorded it) and,
with --against BIN, with another build side by side in the same run (alternating; the fair comparison on a shared,
noisy machine). Says REGRESSION when this build is more than --tolerance (5 %) slower or uses more memory than
either, and exits 1 then.

    /usr/bin/python3 bench/regression_600s.py [--repeat 7] [--against /path/to/old/melnorm] [--record]

--record writes this build's figures into bench/baselines.json (after a deliberate change, with the reason in git).
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import wave

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MELNORM = os.environ.get("MELNORM_BIN", os.path.join(ROOT, "build", "bin", "melnorm"))
BASELINES = os.path.join(ROOT, "bench", "baselines.json")
JOB = "mel600"
SR = 22050


def make_wav(path, seconds):
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * SR)) / SR
    y = 0.3 * np.sin(2 * np.pi * 440 * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.1 * t)) + 0.05 * rng.standard_normal(t.size)
    with wave.open(path, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(SR)
        w.writeframes((np.clip(y, -1, 1) * 32767).astype("<i2").tobytes())


def run_once(binary, wav, out):
    """(seconds, peak RSS MiB, minor faults) of one whole process. Peak RSS and faults come from /usr/bin/time's
    wait4 on its own small child (a child forked from this Python would count this process's pages as its own)."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    cmd = ["/usr/bin/time", "-f", "%M %R", binary, "mel", wav, "-o", out, "-q"]
    start = os.times().elapsed
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = os.times().elapsed - start
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {r.stderr}")
    rss_kib, faults = r.stderr.strip().splitlines()[-1].split()
    return elapsed, int(rss_kib) / 1024.0, int(faults)


def measure(binaries, wav, repeat, tmp):
    runs = {b: [] for b in binaries}
    for _ in range(repeat):
        for b in binaries:  # alternating: a slow moment of the machine hits both
            runs[b].append(run_once(b, wav, os.path.join(tmp, "x.npy")))
    return {b: {"seconds": statistics.median(r[0] for r in rs), "peak_rss_mib": max(r[1] for r in rs),
                "minor_faults": int(statistics.median(r[2] for r in rs))} for b, rs in runs.items()}


def compare(name, now, then, tolerance):
    slower = now["seconds"] > then["seconds"] * (1 + tolerance)
    bigger = now["peak_rss_mib"] > then["peak_rss_mib"] * (1 + tolerance)
    verdict = "REGRESSION" if slower or bigger else "ok"
    print(f"  vs {name}: time {now['seconds'] / then['seconds']:.3f}x ({then['seconds']:.3f} s), "
          f"peak RSS {now['peak_rss_mib'] / then['peak_rss_mib']:.3f}x ({then['peak_rss_mib']:.1f} MiB), "
          f"faults {then['minor_faults']} -> {now['minor_faults']}: {verdict}"
          + ("  (slower)" if slower else "") + ("  (more memory)" if bigger else ""))
    return not (slower or bigger)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--tolerance", type=float, default=0.05)
    ap.add_argument("--against", help="another melnorm binary, measured side by side")
    ap.add_argument("--record", action="store_true", help="write this build's figures as the baseline")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wav = os.path.join(tmp, "long.wav")
        make_wav(wav, a.seconds)
        binaries = [MELNORM] + ([a.against] if a.against else [])
        figures = measure(binaries, wav, a.repeat, tmp)
    now = figures[MELNORM]
    print(f"{a.seconds:.0f} s at {SR} Hz, `melnorm mel WAV -o x.npy -q`, one thread, median of {a.repeat} "
          f"(peak RSS: max): {now['seconds']:.3f} s, {now['peak_rss_mib']:.1f} MiB, {now['minor_faults']} minor faults")
    good = True
    if a.against:
        good &= compare(a.against, now, figures[a.against], a.tolerance)
    baselines = json.load(open(BASELINES)) if os.path.exists(BASELINES) else {}
    if JOB in baselines and baselines[JOB].get("seconds_of_audio") == a.seconds:
        b = baselines[JOB]
        good &= compare(f"the baseline of {b['date']} ({b['machine']})", now, b, a.tolerance)
    if a.record:
        baselines[JOB] = dict(now, seconds_of_audio=a.seconds, date=datetime.date.today().isoformat(),
                              machine=f"{os.cpu_count()} cores, {os.uname().machine}",
                              command="/usr/bin/python3 bench/regression_600s.py --record")
        with open(BASELINES + ".tmp", "w") as f:
            json.dump(baselines, f, indent=2)
            f.write("\n")
        os.replace(BASELINES + ".tmp", BASELINES)
        print(f"recorded as the baseline in {BASELINES}")
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()
