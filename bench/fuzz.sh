#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.cpp) with clang, ASan and UBSan in build-fuzz/,
# runs each for SECONDS (default 600), and reports executions and findings per target.
#
#   bench/fuzz.sh [SECONDS] [TARGET...]      e.g. bench/fuzz.sh 60 fuzz_csv fuzz_npy
#   MOVIEREC_FUZZ_JOBS=2 bench/fuzz.sh       targets run this many at a time (default 1)
#
# Each target starts from its seeds in tests/fuzz/corpus/<target>/ and keeps what it learns in
# build-fuzz/corpus/<target>/ (so a second run goes on from there). A crash, a hang (-timeout),
# a leak or running out of memory stops that target and leaves the input in
# build-fuzz/findings/<target>/; its log is build-fuzz/logs/<target>.log. Reproduce one with
# build-fuzz/fuzz/<target> <file>. Exits 1 when any target found something.
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh"
cd "$REPO_ROOT"

SECONDS_PER_TARGET=${1:-600}
[[ $SECONDS_PER_TARGET =~ ^[0-9]+$ ]] || die "SECONDS must be a whole number, got '$SECONDS_PER_TARGET'"
shift || true
FUZZ_JOBS=${MOVIEREC_FUZZ_JOBS:-1}
TIMEOUT_SECONDS=10  # one input running longer than this is a hang
RSS_LIMIT_MB=2048
OUT=$REPO_ROOT/build-fuzz

ensure_packages "${BUILD_PACKAGES[@]}" clang-14 libclang-rt-14-dev
# Debug for the assertions; the sanitizer flags compile at -O1.
configure_tree "$OUT" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug \
  -DMOVIEREC_BUILD_FUZZERS=ON -DMOVIEREC_BUILD_TESTS=OFF
build_targets "$OUT" fuzzers

TARGETS=("$@")
if ((${#TARGETS[@]} == 0)); then
  for source in tests/fuzz/fuzz_*.cpp; do
    TARGETS+=("$(basename "$source" .cpp)")
  done
fi
for target in "${TARGETS[@]}"; do
  [[ -x $OUT/fuzz/$target ]] || die "no fuzz target '$target' (see tests/fuzz/)"
done

# The model files target writes a folder per input: memory is quicker than disk.
[[ -d /dev/shm && -w /dev/shm ]] && export TMPDIR=/dev/shm

run_target() {
  local target=$1 start=$SECONDS
  mkdir -p "$OUT/corpus/$target" "$OUT/findings/$target" "$OUT/logs"
  local options=(-max_total_time="$SECONDS_PER_TARGET" -timeout="$TIMEOUT_SECONDS"
                 -rss_limit_mb="$RSS_LIMIT_MB" -print_final_stats=1
                 -artifact_prefix="$OUT/findings/$target/")
  [[ -f tests/fuzz/$target.dict ]] && options+=(-dict="tests/fuzz/$target.dict")
  "$OUT/fuzz/$target" "${options[@]}" "$OUT/corpus/$target" "tests/fuzz/corpus/$target" \
    > "$OUT/logs/$target.log" 2>&1 || true
  echo $((SECONDS - start)) > "$OUT/logs/$target.seconds"
}

say "fuzzing ${#TARGETS[@]} target(s) for $SECONDS_PER_TARGET s each, $FUZZ_JOBS at a time"
running=0
for target in "${TARGETS[@]}"; do
  if ((running >= FUZZ_JOBS)); then
    wait -n
    running=$((running - 1))
  fi
  rm -f "$OUT/findings/$target"/* 2> /dev/null || true
  run_target "$target" &
  running=$((running + 1))
done
wait

status=0
printf '%-22s %8s %12s %9s %7s %s\n' target seconds executions exec/s corpus findings
for target in "${TARGETS[@]}"; do
  log=$OUT/logs/$target.log
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  seconds=$(cat "$OUT/logs/$target.seconds")
  corpus=$(find "$OUT/corpus/$target" -type f | wc -l)
  findings=$(find "$OUT/findings/$target" -type f -printf '%f ' 2> /dev/null)
  rate=$(( ${seconds:-0} > 0 ? ${runs:-0} / seconds : 0 ))
  printf '%-22s %8s %12s %9s %7s %s\n' "$target" "${seconds:--}" "${runs:--}" "$rate" "$corpus" \
    "${findings:-none}"
  [[ -z $findings ]] || status=1
done
((status == 0)) || say "findings: reproduce with $OUT/fuzz/<target> <file>; logs in $OUT/logs/"
exit "$status"
