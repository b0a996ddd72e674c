#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer into build-fuzz/, makes seed corpora from the
# repository's real files, and runs every harness for SECONDS (default 60).
# A crash leaves its input in build-fuzz/artifacts/ and fails the script.
#   scripts/fuzz.sh [SECONDS] [HARNESS...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
shift || true
harnesses=("$@")
((${#harnesses[@]})) || harnesses=(npy stats pipeline_record labels_csv audio pipeline)
bash "$root/scripts/setup.sh" --fuzz
out="$root/build-fuzz"
# The sanitizers instrument the library too, so its parsers are what gets checked.
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link -g -O1"
CC=clang CXX=clang++ cmake -S "$root" -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$flags" \
  -DMELNORM_BUILD_FUZZ=ON -DMELNORM_BUILD_TESTS=OFF -DMELNORM_BUILD_BENCH=OFF -DMELNORM_BUILD_PYTHON=OFF \
  -DMELNORM_BUILD_EXPERIMENT=OFF >/dev/null
cmake --build "$out" -j "$(nproc 2>/dev/null || echo 2)"
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1

# Seeds: real clips, a labels CSV, and what extract writes (rows, stats.json, options.json).
corpus="$out/corpus"
seed_outdir="$out/seed-outdir"
if [[ ! -d "$corpus" ]]; then
  mkdir -p "$corpus"/{npy,stats,pipeline_record,labels_csv,audio,pipeline}
  rm -rf "$seed_outdir"
  ASAN_OPTIONS=detect_leaks=0 "$out/bin/melnorm" extract "$root/data/samples" --labels "$root/data/samples/LABELS.csv" \
    -o "$seed_outdir" --sr 8000 --n-fft 256 --n-mels 32 --normalize zscore --scope global --fit-stats -q
  find "$seed_outdir" -name '*.npy' | head -8 | while read -r f; do cp "$f" "$corpus/npy/"; done
  cp "$seed_outdir/stats.json" "$corpus/stats/"
  /usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["pipeline"]))' \
    "$seed_outdir/options.json" > "$corpus/pipeline_record/options.json"
  cp "$root/data/samples/LABELS.csv" "$corpus/labels_csv/"
  i=0
  for f in "$root"/data/samples/*/*.wav; do  # the first byte picks the container name and the rate
    { printf "\\x0$((i % 8))"; cat "$f"; } > "$corpus/audio/$(basename "$f")"
    i=$((i + 1))
  done
  for f in "$root"/data/samples/[0-4]/*.wav; do  # 8 option bytes, then the clip's bytes as samples
    { head -c 8 /dev/urandom; tail -c 8000 "$f"; } > "$corpus/pipeline/$(basename "$f")"
  done
fi

mkdir -p "$out/artifacts"
status=0
for h in "${harnesses[@]}"; do
  echo "fuzz_$h: $seconds s over $(ls "$corpus/$h" | wc -l) seeds"
  if ! "$out/tests/fuzz/fuzz_$h" "$corpus/$h" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix="$out/artifacts/${h}-" -print_final_stats=1 >"$out/fuzz_$h.log" 2>&1; then
    echo "fuzz_$h: FAILED (see $out/fuzz_$h.log and $out/artifacts/)"
    status=1
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|^#[0-9]+ *DONE" "$out/fuzz_$h.log" | tr '\n' ' '
  echo
done
exit $status
