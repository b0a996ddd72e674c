#!/usr/bin/env bash
# Installs the dependencies (if missing), configures and builds melnorm in
# build/ (Release). Safe to re-run: only what changed is rebuilt.
#   scripts/build.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
jobs=$(nproc 2>/dev/null || echo 2)
# The Python extension is built for Debian's Python (numpy and torch come from Debian's packages).
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DMELNORM_FFT=fftw -DMELNORM_BUILD_TESTS=ON -DMELNORM_BUILD_BENCH=ON \
  -DMELNORM_BUILD_PYTHON=ON -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$root/build" -j "$jobs"
