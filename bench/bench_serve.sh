#!/usr/bin/env bash
# serve's speed and memory on ml-latest-small: requests per second and p50 / p99 latency of
# POST /api/sessions/{sid}/answers with 1, 8 and 64 sessions answering at once (wrk, one session
# per connection: bench/serve_answers.lua), then the resident memory of serve with 10,000 open
# sessions. Needs build/bin/serve and a model in artifacts/ + processed/ (tools/run.sh, or
# build/bin/preprocess then build/bin/train_svd) and Debian's wrk.
#
#   bench/bench_serve.sh                 10 s per level, serve's default --threads
#   DURATION=30 THREADS=64 bench/bench_serve.sh
#
# The load generator runs on the same machine as the server and takes CPU from it; wall-clock
# figures on a shared machine also count waiting for a core (the load average is printed).
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh"
cd "$REPO_ROOT"

DURATION=${DURATION:-10}
SESSIONS=${SESSIONS:-10000}
SERVE_FLAGS=(--quiet --max-sessions $((SESSIONS + 5000)))
[[ -n ${THREADS:-} ]] && SERVE_FLAGS+=(--threads "$THREADS")
# The Matrix, Forrest Gump, Toy Story, Heat (ml-latest-small ids).
FAVOURITES=${FAVOURITES:-[2571,356,1,6]}

[[ -x build/bin/serve ]] || die "build/bin/serve is missing: cmake --build build --target serve"
[[ -f artifacts/manifest.json ]] || die "no model: run tools/run.sh, or build/bin/preprocess and build/bin/train_svd"
command -v wrk > /dev/null || die "wrk is missing: apt-get install wrk"

work=$(mktemp -d)
pid=
trap 'if [[ -n $pid ]]; then kill "$pid" 2> /dev/null || true; fi; rm -rf "$work"' EXIT
# start_serve: a fresh serve on a free port; sets pid and url.
start_serve() {
  if [[ -n $pid ]]; then
    kill -TERM "$pid"
    wait "$pid" || true
  fi
  : > "$work/out"
  build/bin/serve --port 0 "${SERVE_FLAGS[@]}" > "$work/out" 2> "$work/err" &
  pid=$!
  for _ in $(seq 100); do [[ -s $work/out ]] && break; sleep 0.1; done
  url=$(sed -n 's/^listening on //p' "$work/out")
  [[ -n $url ]] || die "serve did not start: $(cat "$work/err")"
  url=${url%/}
}
start_serve

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
# wrk's latency ("612.00us", "1.23ms", "1.01s") in milliseconds.
to_ms() {
  awk -v t="$1" 'BEGIN {
    n = t + 0; if (t ~ /us$/) n /= 1000; else if (t ~ /ms$/) n += 0; else if (t ~ /s$/) n *= 1000;
    printf "%.2f", n }'
}

say "serve at $url (pid $pid, ${THREADS:-default} threads); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
rss_start=$(rss_kib)
printf '%-9s %12s %9s %9s %9s\n' sessions "requests/s" "p50 ms" "p99 ms" "errors"
for sessions in 1 8 64; do
  # A short warm-up opens the sessions; the measured run answers them.
  wrk -t"$sessions" -c"$sessions" -d2s -s bench/serve_answers.lua "$url" -- "$FAVOURITES" > /dev/null
  wrk -t"$sessions" -c"$sessions" -d"${DURATION}s" --latency -s bench/serve_answers.lua "$url" \
    -- "$FAVOURITES" > "$work/wrk$sessions.txt"
  rate=$(awk '/^Requests\/sec:/ { print $2 }' "$work/wrk$sessions.txt")
  p50=$(awk '$1 == "50%" { print $2 }' "$work/wrk$sessions.txt")
  p99=$(awk '$1 == "99%" { print $2 }' "$work/wrk$sessions.txt")
  errors=$(awk '/Non-2xx|Socket errors/ { sub(/^ +/, ""); printf "%s; ", $0 }' "$work/wrk$sessions.txt")
  printf '%-9s %12s %9s %9s %9s\n' "$sessions" "$rate" "$(to_ms "$p50")" "$(to_ms "$p99")" "${errors:-none}"
done
rss_end_of_runs=$(rss_kib)

# Memory: a fresh serve with SESSIONS sessions open (four favourites and a first
# recommendation each).
start_serve
rss_before=$(rss_kib)
/usr/bin/python3 - "$url" "$SESSIONS" "$FAVOURITES" <<'PYEOF'
import http.client, json, sys, urllib.parse
url, count, favourites = urllib.parse.urlparse(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
body = json.dumps({"favourites": json.loads(favourites)})
for i in range(count):
    connection.request("POST", "/api/sessions", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    if response.status != 201:
        sys.exit(f"session {i}: HTTP {response.status}")
    if response.getheader("Connection", "").lower() == "close":
        connection.close()
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
PYEOF
rss_after=$(rss_kib)
open=$(curl -fsS "$url/metrics" | awk '/^movierec_sessions_open / { print $2 }')
say "resident memory: $((rss_start / 1024)) MB at start, $((rss_end_of_runs / 1024)) MB after the runs; a fresh serve: $((rss_before / 1024)) MB, $((rss_after / 1024)) MB with $open sessions open"
say "per session: about $(((rss_after - rss_before) * 1024 / SESSIONS)) bytes"
