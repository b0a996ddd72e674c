#!/usr/bin/env bash
# The main job on the bundled samples: sets up, builds, and writes the
# log-mel spectrogram of every clip in data/samples/ to out/samples/ as .npy
# ([n_mels, n_frames] float32, librosa preset, dB relative to each clip's peak).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/build.sh"
melnorm="$root/build/bin/melnorm"
out="$root/out/samples"
count=0
while IFS= read -r -d '' wav; do
  rel=${wav#"$root/data/samples/"}
  "$melnorm" mel "$wav" -o "$out/${rel%.*}.npy" --preset librosa --db max
  count=$((count + 1))
done < <(find "$root/data/samples" -name '*.wav' -print0 | sort -z)
echo "demo: wrote $count log-mel spectrograms under $out"
