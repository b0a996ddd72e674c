#!/usr/bin/env bash
# melnorm predict throughput on all 3000 FSDD clips (../shared/data/fsdd), with
# --jobs 1 and --jobs 2: the whole process (start, model load and checks,
# decode, features, network, predictions.csv), timed from outside, in clips/s.
# The model is the findings' network (4 blocks, 16-64 channels; 40 mel bands,
# 1 s at 8 kHz), trained for 1 epoch: throughput does not depend on the weights.
#   bash bench/predict_throughput.sh [BUILD_DIR] [OUT_DIR] [REPEATS]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
out=${2:-$root/out/predict-bench}
repeats=${3:-3}
melnorm=$build/bin/melnorm
fsdd=$root/../shared/data/fsdd
mkdir -p "$out"
if [ ! -f "$out/model/model.json" ]; then
  "$melnorm" train --data "$fsdd" --labels "$fsdd/LABELS.csv" --sr 8000 --n-fft 256 --hop 128 --n-mels 40 \
    --pad-to 1 --method zscore:global --epochs 1 --threads 2 -q -o "$out/train" --save-model "$out/model"
fi
clips=$(($(wc -l < "$fsdd/LABELS.csv") - 1))
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for jobs in 1 2; do
  for ((r = 1; r <= repeats; r++)); do
    t0=$(date +%s.%N)
    "$melnorm" predict "$out/model" "$fsdd/recordings" --jobs "$jobs" -q -o "$out/predictions-$jobs.csv"
    t1=$(date +%s.%N)
    awk -v j="$jobs" -v r="$r" -v n="$clips" -v a="$t0" -v b="$t1" \
      'BEGIN { printf "jobs %d run %d: %d clips in %.2f s = %.0f clips/s\n", j, r, n, b - a, n / (b - a) }'
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
