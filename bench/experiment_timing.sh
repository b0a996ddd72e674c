#!/usr/bin/env bash
# Times one FSDD configuration of `melnorm train`, extraction included (decode,
# log-mel, normalization, training 12 epochs, evaluation on clean, -40/-20 dB
# and click), on this machine's cores. Target: <= 90 s on the 2-core machine.
#   bash bench/experiment_timing.sh [REPEATS=2]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fsdd=${MELNORM_FSDD:-$root/../shared/data/fsdd}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for i in $(seq "${1:-2}"); do
  start=$(date +%s.%N)
  "$root/build/bin/melnorm" train --data "$fsdd" --labels "$fsdd/LABELS.csv" --sr 8000 --n-fft 256 --hop 128 \
    --n-mels 40 --pad-to 1.0 --epochs 12 --threads 2 --method zscore:global --bn-axis channel --seed "$i" \
    --eval-gain -40,-20 --eval-click -q -o "$out/run$i"
  end=$(date +%s.%N)
  acc=$(awk -F, '$9 == "clean" {print $11}' "$out/run$i/results.csv")
  printf 'run %d: %.1f s wall (train %s s), clean accuracy %s\n' "$i" "$(echo "$end - $start" | bc)" \
    "$(awk -F, '$9 == "clean" {print $NF}' "$out/run$i/results.csv")" "$acc"
done
