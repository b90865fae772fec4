# shellcheck shell=bash
# Sourced by the end-to-end tests of serve (after setup.sh): start_serve and stop_serve. MODEL
# must hold serve's model flags (--artifacts, --processed, --policy).

# start_serve NAME [FLAGS...]: starts serve --port 0 in the background, stdout to NAME.out and
# stderr to NAME.err; once it printed its listening line, sets PID and URL (http://HOST:PORT/).
start_serve() {
  local name=$1
  shift
  "$BIN/serve" "${MODEL[@]}" --port 0 "$@" < /dev/null > "$name.out" 2> "$name.err" &
  PID=$!
  for _ in $(seq 600); do
    if [ -s "$name.out" ]; then break; fi
    kill -0 "$PID" 2> /dev/null || fail "$name: serve exited at start: $(cat "$name.err")"
    sleep 0.1
  done
  URL=$(head -n 1 "$name.out")
  [[ $URL =~ ^listening\ on\ http://127\.0\.0\.1:[0-9]+/$ ]] || fail "$name: listening line: '$URL'"
  URL=${URL#listening on }
}

# stop_serve NAME: SIGTERM, then wait_serve NAME.
stop_serve() {
  kill -TERM "$PID"
  wait_serve "$1"
}

# wait_serve NAME: serve must exit 0 (within a minute) having printed exactly its one line.
wait_serve() {
  for _ in $(seq 600); do
    kill -0 "$PID" 2> /dev/null || break
    sleep 0.1
  done
  kill -0 "$PID" 2> /dev/null && fail "$1: serve still runs a minute after SIGTERM"
  set +e
  wait "$PID"
  local status=$?
  set -e
  [ "$status" -eq 0 ] || fail "$1: serve exited $status after SIGTERM: $(tail -n 5 "$1.err")"
  [ "$(wc -l < "$1.out")" -eq 1 ] || fail "$1: stdout must be one line: $(cat "$1.out")"
}
