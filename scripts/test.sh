#!/usr/bin/env bash
# Sets up and builds if needed, then runs the whole test suite.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/build.sh"
cd "$root/build"
ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
cd "$root"
PYTHONPATH="$root/build/python" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python
