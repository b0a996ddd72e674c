#!/usr/bin/env bash
# The whole test suite (C++ and Python, parity with librosa/torchaudio included)
# on a build with the permissive FFT backend, kissfft (-DMELNORM_FFT=kissfft,
# BSD-3-Clause: a binary without FFTW's GPL), in build-kissfft/. Not part of CI
# (a second full build); its last result is in docs/performance.md.
#   scripts/test_kissfft.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
out="$root/build-kissfft"
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$root" -B "$out" -DCMAKE_BUILD_TYPE=Release -DMELNORM_FFT=kissfft -DMELNORM_BUILD_TESTS=ON \
  -DMELNORM_BUILD_BENCH=OFF -DMELNORM_BUILD_PYTHON=ON -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$out" -j "$jobs"
(cd "$out" && ctest --output-on-failure -j "$jobs")
cd "$root"
# test_install builds the pip package (FFTW, the default): nothing of kissfft to check.
MELNORM_BIN="$out/bin/melnorm" MELNORM_SKIP_INSTALL_TEST=1 PYTHONPATH="$out/python" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python
