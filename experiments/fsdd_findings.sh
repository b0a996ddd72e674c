#!/usr/bin/env bash
# The measurements behind docs/findings.md: FSDD (../shared/data/fsdd), 4-block CNN, 3 seeds.
#   bash experiments/fsdd_findings.sh [OUT=out/findings] [MELNORM=build/bin/melnorm]
# Three experiments (~12, ~7 and ~7 min on the 2-core machine, alone on it):
#   methods: 7 normalizations x BatchNorm channel, official split, gains -60..+10 dB, click, noise
#   bn:      local z-score x the 4 BatchNorm axes, official split
#   theo:    4 normalizations, speaker 'theo' held out
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/out/findings}
fsdd=${MELNORM_FSDD:-$root/../shared/data/fsdd}
melnorm=${2:-$root/build/bin/melnorm}
# Validation (the epoch kept) in whole speakers: no speaker on both sides of it (issue 27).
common=(--data "$fsdd" --labels "$fsdd/LABELS.csv" --sr 8000 --n-fft 256 --hop 128 --n-mels 40 --pad-to 1.0
        --epochs 12 --seeds 1,2,3 --threads 2 --group-column speaker)
methods=minmax:local,minmax:global,zscore:local,zscore:global,zscore-minmax:local,robust:local,pcen:local
"$melnorm" experiment "${common[@]}" --methods "$methods" --bn-axes channel \
  --eval-gain -60,-40,-20,-10,10 --eval-click --eval-noise 20 -o "$out/methods"
"$melnorm" experiment "${common[@]}" --methods zscore:local --bn-axes channel,freq,time,none \
  --eval-gain -40,-20 --eval-click -o "$out/bn"
"$melnorm" experiment "${common[@]}" --holdout-column speaker --holdout theo \
  --methods minmax:local,zscore:local,zscore:global,pcen:local --bn-axes channel \
  --eval-gain -40,-20 --eval-click -o "$out/theo"
