#!/usr/bin/python3
"""How gain-invariant is the log-mel spectrogram, measured on FSDD clips.

For each clip (PCM16 at 8 kHz, as recorded), the waveform is scaled by a gain
and then either kept in float or re-quantized to PCM16 (rounded to the
1/32768 grid, clipped to full scale), as a quieter or louder recording would
be. The log-mel spectrogram (the settings of experiments/fsdd_findings.sh:
n_fft 256, hop 128, 40 mels, top_db 80) is compared with the clip's own at
0 dB, bin by bin. Printed per dB conversion and gain: the mean |change| over
all bins, the 99th percentile, and the share of bins that move by more than
1 dB.

    PYTHONPATH=build/python /usr/bin/python3 experiments/gain_invariance_pcm16.py [--clips 300]
"""
import argparse
import glob
import os

import numpy as np

import melnorm

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def log_mel(y, ref, floor):
    S = melnorm.melspectrogram(y, sr=8000, n_fft=256, hop_length=128, n_mels=40)
    return melnorm.power_to_db(S, ref=ref, floor=floor, top_db=80.0)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=os.environ.get("MELNORM_FSDD", os.path.join(ROOT, "..", "shared", "data", "fsdd")))
    p.add_argument("--clips", type=int, default=300, help="every (3000/N)-th clip, sorted by name")
    args = p.parse_args()
    files = sorted(glob.glob(os.path.join(args.data, "**", "*.wav"), recursive=True))
    if not files:
        raise SystemExit(f"no .wav files under {args.data}")
    files = files[:: max(1, len(files) // args.clips)][: args.clips]
    clips = [melnorm.load(f, sr=8000)[0] for f in files]
    peaks = np.array([np.abs(y).max() for y in clips])
    print(f"{len(clips)} clips; peak |sample| median {np.median(peaks):.3f} (max {peaks.max():.3f})")
    gains = [-60, -40, -20, -10, 10]
    variants = [("max", "absolute"), ("max", "relative"), ("p99.5", "relative")]
    print("| dB ref / floor | waveform | " + " | ".join(f"{g:+d} dB" for g in gains) + " |")
    print("| --- | --- |" + " --- |" * len(gains))
    for ref, floor in variants:
        base = [log_mel(y, ref, floor) for y in clips]
        for kind in ("float", "PCM16"):
            cells = []
            for g in gains:
                diffs = []
                for y, b in zip(clips, base):
                    z = y * np.float32(10 ** (g / 20))
                    if kind == "PCM16":
                        z = np.clip(np.round(z * 32768), -32768, 32767) / 32768
                    else:
                        z = np.clip(z, -1, 1)
                    diffs.append(np.abs(log_mel(z.astype(np.float32), ref, floor) - b).ravel())
                d = np.concatenate(diffs)
                cells.append(f"{d.mean():.2f} / {np.percentile(d, 99):.1f} / {100 * (d > 1).mean():.1f}%")
            print(f"| {ref} / {floor} | {kind} | " + " | ".join(cells) + " |")
    print("\nEach cell: mean |change| dB / 99th percentile dB / share of bins moving > 1 dB, vs the clip at 0 dB.")


if __name__ == "__main__":
    main()
