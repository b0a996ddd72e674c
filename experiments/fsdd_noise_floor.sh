#!/usr/bin/env bash
# The measurements behind "A floor that follows the clip's noise" in docs/findings.md (issue 17):
# FSDD (../shared/data/fsdd), the same 4-block CNN as fsdd_findings.sh, 3 seeds, BatchNorm channel,
# validation in whole speakers (--group-column speaker: no speaker on both sides).
#   bash experiments/fsdd_noise_floor.sh [OUT=out/noise-floor] [MELNORM=build/bin/melnorm]
# Three experiments (~14, ~14, ~10 min alone on the 2-core machine), local min-max and z-score x dB floor (absolute, relative, noise,
# noise_percentile), test audio clean, -60/-40/-20 dB in float and re-quantized to PCM16,
# one click, white noise at 20 dB SNR:
#   theo:     speaker 'theo' held out (he records ~20 dB quieter than the others)
#   official: FSDD's own split (every speaker on both sides)
#   theo-p50: 'theo' again, the two noise floors at the 50th percentile (gate more)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/out/noise-floor}
melnorm=${2:-$root/build/bin/melnorm}
fsdd=${MELNORM_FSDD:-$root/../shared/data/fsdd}
common=(--data "$fsdd" --labels "$fsdd/LABELS.csv" --sr 8000 --n-fft 256 --hop 128 --n-mels 40 --pad-to 1.0
        --epochs 12 --seeds 1,2,3 --threads 2 --bn-axes channel --group-column speaker
        --methods minmax:local,zscore:local
        --eval-gain -60,-40,-20 --eval-bits 16 --eval-click --eval-noise 20)
floors=(--db-floors absolute,relative,noise,noise_percentile)
"$melnorm" experiment "${common[@]}" "${floors[@]}" --holdout-column speaker --holdout theo -o "$out/theo"
"$melnorm" experiment "${common[@]}" "${floors[@]}" -o "$out/official"
"$melnorm" experiment "${common[@]}" --holdout-column speaker --holdout theo \
  --db-floors noise,noise_percentile --db-floor-percentile 50 -o "$out/theo-p50"
