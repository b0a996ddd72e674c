#!/usr/bin/env bash
# Installs melnorm's build and test dependencies from Debian's packages.
# Safe to re-run: only missing packages are installed, and apt's index is
# refreshed only when something is missing.
#   scripts/setup.sh          build + test dependencies (torchaudio, the benchmarks'
#                             peer, is one: the test suite checks parity with it)
#   scripts/setup.sh --fuzz   also clang with libFuzzer and the sanitizer runtimes
#                             (scripts/sanitize.sh, which scripts/test.sh runs; scripts/fuzz.sh)
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libsndfile1-dev     # decoding: WAV, FLAC, OGG/Vorbis, MP3
  libsoxr-dev         # resampling
  libvorbis-dev       # Ogg/Vorbis on libvorbisfile (freed on malformed files)
  libfftw3-dev        # FFT (FFTW3, double precision: see src/spectral/fft.h)
  libcairo2-dev       # pictures (melnorm show)
  libcli11-dev        # command-line parsing
  nlohmann-json3-dev  # JSON (reference cases, options records)
  libgtest-dev libgmock-dev  # tests
  libbenchmark-dev    # micro-benchmarks
  pybind11-dev python3-dev python3-numpy python3-pytest  # Python bindings and their tests
  python3-setuptools python3-pip python3-venv  # pip install --no-build-isolation . (tested)
  python3-torch python3-torchaudio  # melnorm.torch, torchaudio parity tests
  python3-soundfile   # melnorm.compat.torchaudio load/info/save (integer-sample reads, writing)
  python3-distributed  # melnorm.dask (tested on a LocalCluster)
  python3-matplotlib python3-scipy  # compat.librosa.display; SciPy: the reference for resample's formulas in tests
  libtorch-dev        # CNN experiments (melnorm train/experiment; CMake MELNORM_BUILD_EXPERIMENT)
  clang-format python3-pyflakes clang-tidy  # scripts/lint.sh (clang-tidy: --tidy only)
  libkissfft-dev      # the permissive FFT backend (-DMELNORM_FFT=kissfft; scripts/test_kissfft.sh)
)
if [[ ${1:-} == --fuzz ]]; then
  packages+=(clang libclang-rt-14-dev)  # libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
