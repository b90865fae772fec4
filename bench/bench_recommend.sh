#!/usr/bin/env bash
# Times the interactive side: recommend's start-up (loading the model and the catalog, building
# the title index, up to the end of a session with no input) with hyperfine and /usr/bin/time -v,
# the session's pick (bench_session: score every candidate, pick one, learn from the answer) and
# title search (bench_title_search). evaluate is timed too, since it runs every simulated session.
#
#   bench/bench_recommend.sh [--runs N]
#
# Needs processed/ and artifacts/ (tools/run.sh makes them). Results: a summary on stdout and the
# raw reports in bench/results/ (git-ignored).
# Targets (issue 3): start-up under 50 ms on ml-latest-small artifacts; a pick under 1 ms at
# 10,000 movies and k = 50.
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh"
cd "$REPO_ROOT"

runs=20
while (($# > 0)); do
  case $1 in
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    -h | --help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive whole number, got '$runs'"

ensure_packages "${BUILD_PACKAGES[@]}" time hyperfine
build_release_tree programs bench_session bench_title_search
BIN=$REPO_ROOT/build/bin
for file in artifacts/manifest.json processed/manifest.json; do
  [[ -f $file ]] || die "$file is missing: run tools/run.sh (or preprocess and train_svd) first"
done
RESULTS=$REPO_ROOT/bench/results
STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$RESULTS"

# stdin is empty, so the session starts, finds the end of its input and stops: the time is
# start-up plus the end-of-session summary.
startup="$BIN/recommend --seed 1 --json < /dev/null > /dev/null"
say "recommend start-up (hyperfine, $runs runs)"
hyperfine --shell=bash --warmup 3 --runs "$runs" --export-json "$RESULTS/recommend-$STAMP.json" \
  "$startup" "$BIN/evaluate --json $RESULTS/evaluate-$STAMP.json > /dev/null" >&2
/usr/bin/time -v -o "$RESULTS/recommend-time-$STAMP.txt" bash -c "$startup"
# Start-up as a person sees it: from starting recommend to its first prompt on stdout (stdin
# stays open, so it waits there while the title index may still be building on its thread).
/usr/bin/python3 - "$BIN/recommend" "$runs" > "$RESULTS/first-prompt-$STAMP.txt" <<'EOF'
import statistics, subprocess, sys, time
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    child = subprocess.Popen([sys.argv[1], "--seed", "1"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    seen = b""
    while b"Favourite 1 of 4:" not in seen:
        chunk = child.stdout.read1(4096)
        if not chunk:
            sys.exit("recommend ended before its first prompt")
        seen += chunk
    times.append((time.perf_counter() - start) * 1000)
    child.stdin.close()
    child.wait()
print(f"first prompt median {statistics.median(times):6.1f} ms  min {min(times):6.1f} ms"
      f"  ({len(times)} runs)")
EOF

say "session pick (bench_session) and title search (bench_title_search)"
"$BIN/bench_session" > "$RESULTS/session-$STAMP.txt"
"$BIN/bench_title_search" --titles data/ml-latest-small/movies.csv --movies 10000 \
  > "$RESULTS/title-search-$STAMP.txt" 2>&1 || "$BIN/bench_title_search" \
  > "$RESULTS/title-search-$STAMP.txt"

{
  /usr/bin/python3 - "$RESULTS/recommend-$STAMP.json" <<'EOF' 2>/dev/null ||
import json, sys
for result in json.load(open(sys.argv[1]))["results"]:
    name = result["command"].split()[0].rsplit("/", 1)[-1]
    print(f"{name:<12} mean {result['mean'] * 1000:7.1f} ms  min {result['min'] * 1000:7.1f} ms"
          f"  (hyperfine, {len(result['times'])} runs)")
EOF
    echo "(python3 missing: see $RESULTS/recommend-$STAMP.json)"
  cat "$RESULTS/first-prompt-$STAMP.txt"
  awk '/Maximum resident set size/ { printf "recommend    peak memory %.1f MB\n", $NF / 1024 }' \
    "$RESULTS/recommend-time-$STAMP.txt"
  cat "$RESULTS/session-$STAMP.txt" "$RESULTS/title-search-$STAMP.txt"
  echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$RESULTS/interactive-$STAMP.txt"
