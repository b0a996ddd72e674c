#!/usr/bin/env bash
# The main job on the bundled samples: sets up, builds, and extracts z-scored
# log-mel spectrograms of every clip in data/samples/ (labels from
# data/samples/LABELS.csv) into out/samples/: one .npy per clip, manifest.csv,
# options.json. Then draws one clip under several normalizations.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/build.sh"
melnorm="$root/build/bin/melnorm"
"$melnorm" extract "$root/data/samples" --labels "$root/data/samples/LABELS.csv" -o "$root/out/samples" \
  --sr 8000 --n-fft 512 --hop 128 --n-mels 64 --normalize zscore
"$melnorm" show "$root/data/samples/7/7_lucas_12.wav" -o "$root/out/7_lucas_12.png" \
  --n-fft 512 --hop 128 --n-mels 64 --db ref1 --top-db none --compare none,minmax,zscore
echo "demo: spectrograms, manifest.csv and options.json in $root/out/samples; picture in $root/out/7_lucas_12.png"
