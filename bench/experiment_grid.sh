#!/usr/bin/env bash
# Times the full grid of the experiment issue: 7 normalizations x 4 BatchNorm
# axes x 3 seeds (84 runs) on FSDD's official split. Target: <= 2 hours on the
# 2-core machine (run it alone on the machine).
#   bash bench/experiment_grid.sh [OUT=out/grid]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fsdd=${MELNORM_FSDD:-$root/../shared/data/fsdd}
out=${1:-$root/out/grid}
start=$(date +%s)
"$root/build/bin/melnorm" experiment --data "$fsdd" --labels "$fsdd/LABELS.csv" --sr 8000 --n-fft 256 --hop 128 \
  --n-mels 40 --pad-to 1.0 --epochs 12 --threads 2 --seeds 1,2,3 \
  --methods minmax:local,minmax:global,zscore:local,zscore:global,zscore-minmax:local,robust:local,pcen:local \
  --bn-axes channel,freq,time,none --eval-gain -40,-20 --eval-click -o "$out"
echo "grid of 84 runs: $(( $(date +%s) - start )) s wall"
