#!/usr/bin/env bash
# Sets up and builds if needed, checks the style (scripts/lint.sh: clang-format,
# pyflakes), then runs the whole test suite; then the C++ suite again under
# AddressSanitizer/UBSan, and each fuzz harness for 15 s
# (CI time: docs/performance.md; longer runs: scripts/fuzz.sh).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/build.sh"
bash "$root/scripts/lint.sh"
cd "$root/build"
ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
cd "$root"
PYTHONPATH="$root/build/python" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python
bash "$root/scripts/sanitize.sh" 15
