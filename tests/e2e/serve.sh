#!/usr/bin/env bash
# End-to-end: serve on a model this test trains (make_synthetic, preprocess, train_svd), started
# with --port 0 and driven over real sockets by tests/e2e/support/serve_client.py: a whole
# session whose recommendations match recommend --json's for the same favourites and seed, every
# error status (400, 404, 405, 409, 413, 503), hostile requests (malformed JSON, megabyte bodies,
# `..` paths, unknown routes and methods, non-UTF-8 queries, oversized headers, slow and silent
# clients), the server still healthy after; then SIGTERM with a request in flight: it is
# answered and serve exits 0. Also: flags out of range exit 2, a taken port exits 1, a host that
# is not loopback is warned about. Usage: serve.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"
# shellcheck source=tests/e2e/support/serve.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/serve.sh"

small_model 5

"$BIN/serve" --help > help.txt || fail "--help exits non-zero"
for flag in --port --threads --max-sessions --session-idle-minutes --quiet --max-body-bytes \
            --request-timeout-seconds --learning-rate; do
  grep -q -- "$flag" help.txt || fail "--help lacks $flag"
done

# Flags out of range or not numbers: exit 2, one sentence naming the flag and its range.
for bad in "--threads 0" "--port 70000" "--max-sessions -1" "--session-idle-minutes soon" \
           "--max-body-bytes 1e9" "--bogus 1"; do
  set +e
  # shellcheck disable=SC2086  # the flag and its value are two words
  "$BIN/serve" "${MODEL[@]}" $bad < /dev/null > bad.out 2> bad.err
  status=$?
  set -e
  [ "$status" -eq 2 ] || fail "serve $bad: exit $status, expected 2: $(cat bad.err)"
  [ ! -s bad.out ] || fail "serve $bad wrote to stdout"
  case $bad in
    --bogus*) ;;
    *) grep -q -- "${bad%% *} must be a whole number from" bad.err || fail "serve $bad: $(cat bad.err)" ;;
  esac
done

# Four favourites and a movie outside the trained catalog; the session as recommend --json gets it.
"$PY" "$SRC/tests/e2e/support/catalog_movies.py" artifacts processed ids.json
"$PY" -c 'import json; print("\n".join(json.load(open("ids.json"))["titles"]))' > favourites.txt
{ cat favourites.txt; printf 'y\nn\ni\ns\ny\nq\n'; } > session.txt
"$BIN/recommend" "${MODEL[@]}" --seed 7 --json < session.txt > expected.jsonl 2> /dev/null ||
  fail "recommend --json failed"

start_serve main --max-sessions 3 --threads 2 --read-timeout-seconds 2 \
  --request-timeout-seconds 3 --keep-alive-seconds 2
"$PY" "$SRC/tests/e2e/support/serve_client.py" "$URL" ids.json expected.jsonl ||
  fail "the API misbehaved (stderr of serve: $(tail -n 20 main.err))"
grep -q -E '^POST /api/sessions/[0-9a-f]{32}/answers 200 [0-9.]+ ms$' main.err ||
  fail "no access-log line for an answer: $(head -n 5 main.err)"
grep -q 'GET /api/movies/search?q&limit 200' main.err || fail "search's log line"
! grep -q 'secretword' main.err || fail "a query value reached the access log"

# SIGTERM with a request in flight (its body half sent): it is answered, then serve exits 0.
"$PY" - "$URL" "$PID" <<'PYEOF' || fail "the request in flight at SIGTERM"
import json, os, signal, socket, sys, time, urllib.parse
url, pid = urllib.parse.urlparse(sys.argv[1]), int(sys.argv[2])
ids = json.load(open("ids.json"))["favourites"]
body = json.dumps({"favourites": ids, "seed": 3}).encode()
s = socket.create_connection((url.hostname, url.port))
s.sendall(b"POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body) + body[:10])
time.sleep(0.3)
os.kill(pid, signal.SIGTERM)
time.sleep(0.3)
s.sendall(body[10:])
answer = s.recv(65536).decode()
assert answer.startswith("HTTP/1.1 201"), answer[:200]
PYEOF
wait_serve main

# A taken port: exit 1 and say so. A host other than loopback: a warning.
start_serve second --quiet
port=${URL##*:}
port=${port%/}
set +e
"$BIN/serve" "${MODEL[@]}" --port "$port" < /dev/null > taken.out 2> taken.err
status=$?
set -e
[ "$status" -eq 1 ] && grep -q "cannot listen on 127.0.0.1:$port" taken.err ||
  fail "a taken port: exit $status, $(cat taken.err)"
[ ! -s second.err ] || fail "--quiet still logged: $(cat second.err)"
stop_serve second

"$BIN/serve" "${MODEL[@]}" --port 0 --host 0.0.0.0 < /dev/null > open.out 2> open.err &
PID=$!
for _ in $(seq 600); do [ -s open.out ] && break; sleep 0.1; done
grep -q "listening on http://0.0.0.0:" open.out || fail "0.0.0.0: $(cat open.out open.err)"
grep -q "warning: .*no authentication" open.err || fail "no warning for 0.0.0.0: $(cat open.err)"
stop_serve open
echo "serve e2e: ok"
