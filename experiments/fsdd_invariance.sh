#!/usr/bin/env bash
# The measurements behind "How invariant is local normalization?" in docs/findings.md:
# FSDD (../shared/data/fsdd), the same 4-block CNN as fsdd_findings.sh, 3 seeds, BatchNorm channel.
#   [PARTS="official theo click curves"] bash experiments/fsdd_invariance.sh [OUT=out/invariance] [MELNORM=build/bin/melnorm]
# Four experiments (~32, ~8, ~4 and ~8 min on the 2-core machine, alone on it):
#   official: local min-max, z-score, z-score then min-max, robust x dB ref (max, p99.5) x floor
#             (absolute, relative), and PCEN; official split; gains -60..+10 dB (float, and
#             re-quantized to PCM16), click
#   theo:     local min-max and z-score x floor (absolute, relative); speaker 'theo' held out
#   click:    local min-max and z-score, relative floor, half the training clips with a click
#   curves:   local min-max and z-score x floor, official split: the figure (a subset of official)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/out/invariance}
melnorm=${2:-$root/build/bin/melnorm}
fsdd=${MELNORM_FSDD:-$root/../shared/data/fsdd}
# Validation (the epoch kept) in whole speakers: no speaker on both sides of it (issue 27).
common=(--data "$fsdd" --labels "$fsdd/LABELS.csv" --sr 8000 --n-fft 256 --hop 128 --n-mels 40 --pad-to 1.0
        --epochs 12 --seeds 1,2,3 --threads 2 --bn-axes channel --group-column speaker)
parts=${PARTS:-official theo click curves}  # PARTS="theo curves" runs those only
has() { [[ " $parts " == *" $1 "* ]]; }
has official && "$melnorm" experiment "${common[@]}" --db-refs max,p99.5 --db-floors absolute,relative \
  --methods minmax:local,zscore:local,zscore-minmax:local,robust:local,pcen:local \
  --eval-gain -60,-40,-20,-10,10 --eval-bits 16 --eval-click -o "$out/official"
has theo && "$melnorm" experiment "${common[@]}" --db-floors absolute,relative --holdout-column speaker --holdout theo \
  --methods minmax:local,zscore:local --eval-gain -60,-40,-20 --eval-bits 16 --eval-click -o "$out/theo"
has click && "$melnorm" experiment "${common[@]}" --db-floor relative --train-click 0.5 --methods minmax:local,zscore:local \
  --eval-gain -40 --eval-bits 16 --eval-click -o "$out/click"
has curves && "$melnorm" experiment "${common[@]}" --db-floors absolute,relative --methods minmax:local,zscore:local \
  --eval-gain -60,-40,-20,-10,10 --eval-bits 16 -o "$out/curves"
true
