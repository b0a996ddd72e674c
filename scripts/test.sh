#!/usr/bin/env bash
# Sets up and builds if needed, checks the style (scripts/lint.sh: clang-format,
# pyflakes), then runs the whole test suite; then the C++ suite again under
# AddressSanitizer/UBSan, and each fuzz harness for 15 s
# (CI time: docs/performance.md; longer runs: scripts/fuzz.sh).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/build.sh"
# The style is checked first (seconds) but does not hide the tests' results:
# its failure fails the command after them.
lint=0
bash "$root/scripts/lint.sh" || lint=1
cd "$root/build"
ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
cd "$root"
PYTHONPATH="$root/build/python" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python
bash "$root/scripts/sanitize.sh" 15
if ((lint)); then echo "test: the tests passed, but scripts/lint.sh failed (above)"; exit 1; fi
