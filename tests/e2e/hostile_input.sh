#!/usr/bin/env bash
# End-to-end: hostile input at recommend's prompt, in the three ways lines arrive: --json, the
# terminal front end reading a pipe, and the terminal front end on a terminal (a pty, where
# libedit reads keys). A 1 MB line, binary garbage, invalid UTF-8, NUL bytes, empty and blank
# lines, lines at and over the length limit, and a closed or ending stdin (while choices are
# pending, while a recommendation waits): no crash, no hang, a hint for each bad line, and the
# session goes on, or ends cleanly at the end of input. Usage: hostile_input.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"
LIMIT=60  # seconds any one session may take; a hang fails the test, not the CI timeout

small_release 9
"$BIN/train_svd" --processed processed --out artifacts --config "$SRC/config/pipeline.yaml" \
  --k 8 > /dev/null
RECOMMEND=("$BIN/recommend" --policy "$SRC/config/recommender_policy.yaml" --artifacts artifacts
           --processed processed --seed 4)
"$PY" - <<'PYEOF'
import csv, json
embedded = set(json.load(open("artifacts/movie_map.json")))
rows = [r for r in csv.DictReader(open("processed/movie_metadata.csv", encoding="utf-8"))
        if r["movieId"] in embedded]
rows.sort(key=lambda r: -int(r["rating_count"]))
open("favourites.txt", "w").write("".join(r["title"] + "\n" for r in rows[:4]))
PYEOF

# The hostile lines, each on its own line: 1 MB, binary garbage (no line breaks), invalid UTF-8,
# NUL bytes, an empty line, a blank one, a CR alone, 1024 bytes (the limit) and 1025.
{
  head -c 1048576 /dev/zero | tr '\0' 'x'; printf '\n'
  head -c 4000 /dev/urandom | tr -d '\n\r'; printf '\n'
  printf '\xc3\x28 \xff\xfe titanic\n'
  printf 'ab\0cd\n'
  printf '\n   \t \n\r\n'
  head -c 1024 /dev/zero | tr '\0' 'y'; printf '\n'
  head -c 1025 /dev/zero | tr '\0' 'z'; printf '\n'
} > hostile.txt

# --json: every output line is JSON, each hostile line gets an error with a hint, the session
# goes on to the favourites and answers, and a hostile answer is refused the same way.
{ cat hostile.txt favourites.txt hostile.txt; printf 'y\nq\n'; } > json_in.txt
timeout "$LIMIT" "${RECOMMEND[@]}" --json < json_in.txt > json_out.jsonl 2> /dev/null ||
  fail "--json with hostile lines exited $?"
"$PY" - json_out.jsonl <<'PYEOF' || fail "--json with hostile lines went wrong"
import json, sys
events = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
names = [e["event"] for e in events]
first = names.index("favourite")
codes = [e["code"] for e in events[:first] if e["event"] == "error"]
# 1 MB, garbage, invalid UTF-8, NUL, empty, blank, CR alone, 1024 y's (a query), 1025 z's.
assert codes[:7] == ["too_long", "too_long", "not_text", "not_text", "empty", "empty", "empty"], codes
assert codes[-1] == "too_long", codes
assert all(len(e.get("message", "")) < 300 for e in events), "a message echoed too much"
assert names.count("favourite") == 4 and "recommendation" in names, names
rec = names.index("recommendation")
answers = [e["code"] for e in events[rec + 1:] if e["event"] == "error"]
assert answers[:7] == ["too_long", "too_long", "not_text", "not_text", "empty", "empty", "empty"], answers
assert events[-1]["event"] == "end" and events[-1]["reason"] == "quit" and events[-1]["likes"] == 1
PYEOF

# The terminal front end reading a pipe: a hint after each hostile line, then the session.
{ cat hostile.txt favourites.txt; printf 's\nq\n'; } > plain_in.txt
timeout "$LIMIT" "${RECOMMEND[@]}" < plain_in.txt > plain_out.txt 2> plain_err.txt ||
  fail "the terminal front end with hostile lines exited $?"
[ ! -s plain_err.txt ] || fail "the terminal front end wrote to stderr: $(cat plain_err.txt)"
[ "$(grep -c 'longer than 1024 bytes' plain_out.txt)" -eq 3 ] || fail "no hint for each long line"
[ "$(grep -c 'not plain text' plain_out.txt)" -eq 2 ] || fail "no hint for each garbage line"
grep -q "Type the title of a movie you love" plain_out.txt || fail "no hint for an empty line"
grep -q "Session over (you quit): 0 liked, 0 disliked, 1 skipped." plain_out.txt ||
  fail "the session did not go on: $(tail -n 5 plain_out.txt)"
[ "$(wc -c < plain_out.txt)" -lt 100000 ] || fail "the terminal echoed the huge line back"

# The end of input, in both front ends: at once, with stdin closed, while numbered choices wait,
# and while a recommendation waits.
head -n 1 favourites.txt | cut -c1-3 > partial.txt  # a few letters: several titles match
for mode in json plain; do
  flags=()
  [[ $mode == json ]] && flags=(--json)
  timeout "$LIMIT" "${RECOMMEND[@]}" "${flags[@]}" <&- > closed.txt 2> /dev/null ||
    fail "$mode: a closed stdin exited $?"
  timeout "$LIMIT" "${RECOMMEND[@]}" "${flags[@]}" < partial.txt > choices.txt 2> /dev/null ||
    fail "$mode: the end of input during choices exited $?"
  timeout "$LIMIT" "${RECOMMEND[@]}" "${flags[@]}" < favourites.txt > waiting.txt 2> /dev/null ||
    fail "$mode: the end of input during a recommendation exited $?"
  for out in closed choices waiting; do
    if [[ $mode == json ]]; then
      tail -n 1 "$out.txt" | grep -q '"event":"end","reason":"eof"' ||
        fail "json: no end event at the end of input ($out): $(tail -n 1 "$out.txt")"
    else
      grep -q "Session over (input ended)" "$out.txt" ||
        fail "plain: no summary at the end of input ($out): $(tail -n 2 "$out.txt")"
    fi
  done
done

# The terminal front end on a terminal: libedit reads the keys. A pasted megabyte (libedit would
# redraw the line for each character: hours, unless the line is cut), invalid UTF-8 bytes, an
# empty line, then a favourite, and Ctrl-D on an empty line ends the session.
timeout "$LIMIT" "$PY" - "${RECOMMEND[@]}" <<'PYEOF' || fail "the terminal session on a pty went wrong"
import os, pty, select, sys, termios, time
pid, fd = pty.fork()
if pid == 0:
    os.environ["NO_COLOR"] = "1"
    os.execv(sys.argv[1], sys.argv[1:])
out = bytearray()
def pump(until=None, seconds=20.0):
    end = time.time() + seconds
    while time.time() < end:
        if until is not None and until in out:
            return True
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                out.extend(os.read(fd, 1 << 16))
            except OSError:
                return until is None
    return until is None
def send(data):
    view = memoryview(data)
    while view:
        _, ready, _ = select.select([], [fd], [], 0.05)
        if ready:
            view = view[os.write(fd, view[:4096]):]
        pump(seconds=0)
# Keys reach libedit only once it has taken the terminal out of canonical mode. Before that the
# kernel's line discipline holds what is typed: a line longer than its 4 KiB buffer blocks the
# writer (the paste would hang), and Ctrl-D is the kernel's own end-of-file. The prompt can be on
# the screen before that switch, more so on a loaded machine, so wait for it.
def reading_keys():
    end = time.time() + 20
    while time.time() < end:
        if not termios.tcgetattr(fd)[3] & termios.ICANON:
            return True
        pump(seconds=0.05)
    return False
assert pump(b"Favourite 1 of 4:"), "no first prompt"
assert reading_keys(), "libedit never put the terminal into raw mode"
start = time.time()
send(b"x" * (1 << 20) + b"\r")
assert pump(b"longer than 1024 bytes", 30), "no hint after a pasted megabyte"
pasted = time.time() - start
send(b"\xc3\x28\xff titanic\r")
send(b"\r")
assert pump(b"Type the title of a movie you love"), "no hint after an empty line"
favourite = open("favourites.txt", "rb").readline().strip()
send(favourite + b"\r")
assert pump(b"Favourite 2 of 4:"), "the session did not go on: " + out[-300:].decode(errors="replace")
assert reading_keys(), "libedit never put the terminal into raw mode"
send(b"\x04")
assert pump(b"Session over (input ended)"), "Ctrl-D did not end the session: " + repr(bytes(out[-400:]))
_, status = os.waitpid(pid, 0)
assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
print(f"pty: a pasted megabyte took {pasted:.1f} s")
PYEOF
echo "hostile input e2e: ok"
