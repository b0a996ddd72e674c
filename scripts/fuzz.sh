#!/usr/bin/env bash
# Runs every libFuzzer harness (tests/fuzz/) for SECONDS (default 60) in the
# clang + ASan/UBSan build (build-asan/), without the C++ suite.
#   scripts/fuzz.sh [SECONDS] [HARNESS...]     e.g. scripts/fuzz.sh 600 npy stats
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
exec bash "$root/scripts/sanitize.sh" --no-ctest "${1:-60}" "${@:2}"
