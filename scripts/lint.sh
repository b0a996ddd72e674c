#!/usr/bin/env bash
# Style and static checks, with what this machine has:
#   clang-format (.clang-format) on the C++ files changed since BASE,
#   ruff (pyproject.toml [tool.ruff]) or else pyflakes on the Python,
#   clang-tidy (.clang-tidy) on the changed library/CLI sources when build/
#   holds compile_commands.json (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON).
#   scripts/lint.sh [BASE=HEAD~1] [--fix]
# Not yet part of scripts/test.sh: the tree predates .clang-format (about 1,600
# lines would change), so only changed files are held to it until one
# mechanical reformatting commit.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
base=${1:-HEAD~1}
fix=${2:-}
mapfile -t cxx < <(git diff --name-only --diff-filter=AM "$base" -- '*.cc' '*.h' | grep -v '^tests/fuzz/' || true)
status=0
for f in "${cxx[@]}"; do
  if [[ $fix == --fix ]]; then clang-format -i "$f"
  elif ! clang-format --dry-run --Werror "$f" 2>/dev/null; then echo "lint: $f is not clang-formatted (scripts/lint.sh $base --fix)"; status=1; fi
done
if command -v ruff >/dev/null; then ruff check python tests/python bench experiments || status=1
else /usr/bin/python3 -m pyflakes python tests/python bench experiments scripts || status=1; fi
if [[ -f build/compile_commands.json ]]; then
  for f in "${cxx[@]}"; do
    [[ $f == *.cc && $f != tests/* ]] || continue
    clang-tidy -p build --quiet "$f" 2>/dev/null || status=1
  done
fi
exit $status
