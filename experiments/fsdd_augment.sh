#!/usr/bin/env bash
# The measurements behind "Training on quiet PCM16 audio" in docs/findings.md (issue 27): FSDD
# (../shared/data/fsdd), the 4-block CNN of fsdd_findings.sh, 3 seeds, BatchNorm channel, validation in whole
# speakers (--group-column speaker), relative dB floor.
#   bash experiments/fsdd_augment.sh [OUT=out/augment] [MELNORM=build/bin/melnorm]
# Three experiments (~10, ~10 and ~3 min on the 2-core machine, alone on it), the first two local min-max and z-score x
# training perturbation: none, PCM16 alone (FSDD is PCM16: re-quantizing it changes nothing, a check),
# a gain uniform in -60..0 dB (float), and that gain re-quantized to PCM16:
#   theo:     speaker 'theo' held out (an unseen speaker)
#   official: FSDD's official split
#   theo_quiet: 'theo' held out, trained on quiet audio only: a gain uniform in -70..-30 dB, PCM16
# Test conditions: clean; -20/-40/-60 dB in float and PCM16; one click; white noise at 20 dB SNR.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/out/augment}
melnorm=${2:-$root/build/bin/melnorm}
fsdd=${MELNORM_FSDD:-$root/../shared/data/fsdd}
common=(--data "$fsdd" --labels "$fsdd/LABELS.csv" --sr 8000 --n-fft 256 --hop 128 --n-mels 40 --pad-to 1.0
        --epochs 12 --seeds 1,2,3 --threads 2 --bn-axes channel --group-column speaker --db-floor relative
        --methods minmax:local,zscore:local --eval-gain -60,-40,-20 --eval-bits 16 --eval-click --eval-noise 20)
grid=(--train-gain none,-60:0 --train-bits none,16)
"$melnorm" experiment "${common[@]}" "${grid[@]}" --holdout-column speaker --holdout theo -o "$out/theo"
"$melnorm" experiment "${common[@]}" "${grid[@]}" -o "$out/official"
"$melnorm" experiment "${common[@]}" --train-gain -70:-30 --train-bits 16 --holdout-column speaker --holdout theo \
  -o "$out/theo_quiet"
