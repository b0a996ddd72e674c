#!/usr/bin/env bash
# Lists the functions longer than LIMIT lines in the library, the CLI, the
# bindings and the tests, longest first: "lines  file:line  function".
#   scripts/function_lengths.sh [BUILD_DIR=build] [LIMIT=80]
# The measure is clang-tidy's readability-function-size LineThreshold: the
# lines of the function's body (the closing brace's line minus the opening
# brace's, blank lines and comments included; the signature is not counted),
# the count .clang-tidy's limit uses. Only that check runs, with its own
# -checks/-config, so the answer does not depend on .clang-tidy's other checks.
# A TEST body is listed as Suite.Name.
# clang-tidy does not report lambdas on their own: a lambda's lines count in
# the function that holds it (one at namespace scope is not measured).
# Every translation unit of BUILD_DIR/compile_commands.json under src/, cli/,
# python/csrc/ and tests/ is read (configure with
# -DCMAKE_EXPORT_COMPILE_COMMANDS=ON, -DMELNORM_BUILD_PYTHON=ON and
# -DMELNORM_BUILD_EXPERIMENT=ON to have them all; configuring is enough, no
# build is needed); src/render/colormaps.cc is generated tables and skipped.
# Two files at a time at nice 10: this machine is shared (about 5 minutes
# for the ~100 files on two idle cores).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${1:-build}
limit=${2:-80}
db="$build/compile_commands.json"
[[ -f $db ]] || { echo "function_lengths: $db is missing (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)" >&2; exit 2; }
[[ $limit =~ ^[0-9]+$ ]] || { echo "function_lengths: LIMIT must be a whole number of lines, got '$limit'" >&2; exit 2; }
# Files moved since the build directory was configured are skipped, not errors.
mapfile -t sources < <(/usr/bin/python3 - "$db" "$root" <<'PY'
import json, os, sys
db, root = sys.argv[1], sys.argv[2]
seen = set()
for entry in json.load(open(db)):
    path = os.path.relpath(os.path.join(entry["directory"], entry["file"]), root)
    if path in seen or not path.startswith(("src/", "cli/", "python/csrc/", "tests/")):
        continue
    if path == "src/render/colormaps.cc" or not os.path.isfile(path):
        continue
    seen.add(path)
    print(path)
PY
)
config="{CheckOptions: [{key: readability-function-size.LineThreshold, value: $limit}]}"
# A function in a header is reported once per translation unit: sort -u keeps one.
# --system-headers: a TEST body's warning is spelled in gtest's macro (a system
# header) and would be dropped without it; functions outside the tree are then
# dropped here by their path.
printf '%s\n' "${sources[@]}" |
  nice -n 10 xargs -P2 -n1 clang-tidy-14 -p "$build" --quiet -checks='-*,readability-function-size' \
    -config="$config" --system-headers -header-filter='/(include/melnorm|src|cli|python/csrc|tests)/' 2>/dev/null |
  awk -v root="$root/" '
    # warning line: file:line:col and the name; the next line is the source
    # line (for a TEST body, "TEST(Suite, Name) {", which names it better).
    /warning: function .* exceeds recommended size/ {
      split($1, at, ":"); file = at[1]; sub("^" root, "", file)
      name = $0; sub(/^[^'\'']*'\''/, "", name); sub(/'\'' exceeds.*$/, "", name)
      where = (file ~ /^\// || file ~ /^build/) ? "" : file ":" at[2]; want_source = where != ""; next }
    want_source {
      want_source = 0
      if (name == "TestBody" && match($0, /TEST(_F|_P)?\([^)]*\)/)) {
        name = substr($0, RSTART, RLENGTH); sub(/^TEST(_F|_P)?\(/, "", name); sub(/\)$/, "", name); sub(/, */, ".", name)
      }
      next }
    where != "" && /note: [0-9]+ lines including/ {
      n = $0; sub(/^.*note: /, "", n); sub(/ lines.*$/, "", n)
      printf "%5d  %s  %s\n", n, where, name; where = "" }' |
  sort -u | sort -k1,1nr -k2,2
