#!/usr/bin/env bash
# Builds the library, the command, the C++ tests and the libFuzzer harnesses
# with clang, AddressSanitizer and UndefinedBehaviorSanitizer into build-asan/
# (no libtorch or Python part), runs the C++ suite there, then each harness
# for SECONDS over a seed corpus made from the repository's real files.
#   scripts/sanitize.sh [--no-ctest] [SECONDS [HARNESS...]]   (SECONDS: default 30; 0: no fuzzing)
# A sanitizer report fails the run; a fuzz crash leaves its input in build-asan/artifacts/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
run_ctest=1
if [[ ${1:-} == --no-ctest ]]; then run_ctest=0; shift; fi
seconds=${1:-30}
shift || true
harnesses=("$@")
((${#harnesses[@]})) || harnesses=(npy stats pipeline_record labels_csv audio pipeline resume)
bash "$root/scripts/setup.sh" --fuzz
out="$root/build-asan"
jobs=$(nproc 2>/dev/null || echo 2)

# The library is instrumented too (fuzzer-no-link adds the coverage the harnesses
# steer by), so its parsers are what gets checked; -O1 keeps the suite fast enough.
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link -g -O1"
# FFTW (a prebuilt, uninstrumented library) does the FFTs. Not kissfft: its
# header-only code is instrumented here and made the extraction tests about
# 10x slower (OutdirCrash.* 60 s -> 700 s), too slow for CI; the kissfft build
# is checked by scripts/test_kissfft.sh (docs/performance.md).
CC=clang CXX=clang++ cmake -S "$root" -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$flags" \
  -DMELNORM_FFT=fftw \
  -DMELNORM_BUILD_FUZZ=ON -DMELNORM_BUILD_TESTS=ON -DMELNORM_BUILD_BENCH=OFF -DMELNORM_BUILD_PYTHON=OFF \
  -DMELNORM_BUILD_EXPERIMENT=OFF >/dev/null
targets=()  # fuzzing only: just the harnesses (and the CLI that makes their seeds)
if ((!run_ctest)); then for h in "${harnesses[@]}"; do targets+=(--target "fuzz_$h"); done; targets+=(--target melnorm_cli); fi
cmake --build "$out" -j "$jobs" "${targets[@]}"

# allocator_may_return_null: a refused huge allocation throws bad_alloc as in a
# release build instead of aborting; the suppressions name leaks that are not ours.
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:abort_on_error=0
export LSAN_OPTIONS=suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Left to the release suite: the three kill -9 tests extract real datasets 20-40
# times (20 s each in release, over 10 minutes under ASan); the same extraction
# code runs sanitized in every other Extract and OutdirCrash test.
slow='KillNineThenResumeIsByteIdenticalToACleanRun|KillNineAtTwentyRandomMoments'
if ((run_ctest)); then
  (cd "$out" && ctest --output-on-failure -j "$jobs" -E "$slow")
fi
((seconds > 0)) || exit 0

# Seeds: real clips, a labels CSV, and what extract writes (rows, stats.json, options.json).
corpus="$out/corpus"
seed_outdir="$out/seed-outdir"
if [[ ! -d "$corpus" ]]; then
  mkdir -p "$corpus"/{npy,stats,pipeline_record,labels_csv,audio,pipeline,resume}
  rm -rf "$seed_outdir"
  "$out/bin/melnorm" extract "$root/data/samples" --labels "$root/data/samples/LABELS.csv" \
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
  # A format byte, a journal, NUL, a manifest (fuzz_resume.cc's clean OUTDIR: two clips, 3 frames each).
  journal='1 64 0 1 1 0\n2 128 0 2 2 0\n'
  manifest='source,label,offset,output,n_frames,status,error\na/x.wav,a,0,a/x.npy,3,ok,\n'
  printf "\x00$journal" > "$corpus/resume/npy"
  printf "\x01$journal\x00$manifest" > "$corpus/resume/packed"
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
    tail -40 "$out/fuzz_$h.log"
    status=1
  fi
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|^#[0-9]+ *DONE" "$out/fuzz_$h.log" | tr '\n' ' '
  echo
done
exit $status
