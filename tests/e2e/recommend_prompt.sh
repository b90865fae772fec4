#!/usr/bin/env bash
# End-to-end: the prompt's answers beside y/n/s/i on the real program (w want to watch, u undo,
# l list, the watchlist in the summary), and Ctrl-C ending a session with its summary like
# Ctrl-D: --json (SIGINT to the process), piped terminal mode, and a pty (Ctrl-C typed).
# Usage: recommend_prompt.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"

small_release 4
"$BIN/train_svd" --processed processed --out artifacts --config "$SRC/config/pipeline.yaml" \
  --k 8 > /dev/null
POLICY="$SRC/config/recommender_policy.yaml"
RECOMMEND=("$BIN/recommend" --policy "$POLICY" --artifacts artifacts --processed processed)

# Four movies in the catalog, by their exact MovieLens titles.
"$PY" - <<'PYEOF'
import csv, json, re
embedded = set(json.load(open("artifacts/movie_map.json")))
rows = list(csv.DictReader(open("processed/movie_metadata.csv", encoding="utf-8")))
plain = re.compile(r"^[^,()]+ \(\d{4}\)$")
inside = sorted((r for r in rows if r["movieId"] in embedded and plain.match(r["title"])),
                key=lambda r: -int(r["rating_count"]))
assert len(inside) >= 4
open("favourites.txt", "w").write("".join(r["title"] + "\n" for r in inside[:4]))
PYEOF

# w, y, u, l, h, then u twice more (the second finds nothing to take back), then q.
{ cat favourites.txt; printf 'w\ny\nu\nl\nh\nu\nu\nu\nq\n'; } > answers.txt
"${RECOMMEND[@]}" --seed 11 --json < answers.txt > answers.jsonl 2> /dev/null ||
  fail "--json exited non-zero"
"$PY" - answers.jsonl <<'PYEOF' || fail "w/u/l in --json are wrong"
import json, sys
events = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
names = [e["event"] for e in events]
assert names[:5] == ["favourite"] * 4 + ["recommendation"], names
first, second, third = events[4], events[5], events[6]
assert names[5:7] == ["recommendation", "recommendation"], names          # w, y
assert names[7:9] == ["undone", "recommendation"], names                  # u: the like
assert events[7]["movie_id"] == second["movie_id"] and events[7]["answer"] == "like", events[7]
assert events[8]["movie_id"] == second["movie_id"] and events[8]["number"] == 2, events[8]
listed = events[9]
assert listed["event"] == "list" and len(listed["favourites"]) == 4, listed
assert listed["liked"] == [] and [m["movie_id"] for m in listed["watchlist"]] == [first["movie_id"]]
help_text = " ".join(events[10]["lines"])
for answer in ("w (watch)", "u (undo)", "l (list)"):
    assert answer in help_text, help_text
assert names[11:13] == ["undone", "recommendation"], names                # u: the watch
assert events[11]["answer"] == "watch" and events[11]["movie_id"] == first["movie_id"]
assert events[13]["event"] == "error" and events[13]["code"] == "nothing_to_undo", events[13]
assert events[14]["code"] == "nothing_to_undo", events[14]
end = events[-1]
assert end["event"] == "end" and end["reason"] == "quit", end
assert (end["likes"], end["watches"], end["watchlist"]) == (0, 0, []), end
PYEOF

# At a choice a number is a pick or an error that keeps the choices; a two-digit year works.
"$PY" - > choice.txt <<'PYEOF'
import re
first = open("favourites.txt", encoding="utf-8").readline().strip()
title, year = re.match(r"^(.*) \((\d{4})\)$", first).groups()
print("synthetic movie\n99\n0\n2")           # many match: choices; then two bad numbers, a pick
print(f"{title.lower()} {year[2:]}")          # "synthetic movie 334 74"
PYEOF
"${RECOMMEND[@]}" --seed 11 --json < choice.txt > choice.jsonl 2> /dev/null ||
  fail "--json exited non-zero on choices"
"$PY" - choice.jsonl favourites.txt <<'PYEOF' || fail "choices in --json are wrong"
import json, sys
events = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
first = open(sys.argv[2], encoding="utf-8").readline().strip()
names = [e["event"] for e in events]
assert names == ["choices", "error", "error", "favourite", "favourite", "end"], names
assert len(events[0]["options"]) > 2, events[0]
assert [e["code"] for e in events[1:3]] == ["bad_choice", "bad_choice"], events[1:3]
assert events[3]["movie_id"] == events[0]["options"][1]["movie_id"], events[3]
assert events[4]["title"] == first, (events[4], first)
PYEOF

# The watchlist in the terminal summary.
{ cat favourites.txt; printf 'w\nq\n'; } | "${RECOMMEND[@]}" --seed 11 > watch.txt 2>&1 ||
  fail "terminal mode exited non-zero"
grep -q "0 liked, 0 disliked, 0 skipped, 1 to watch." watch.txt && grep -q "  to watch " watch.txt ||
  fail "no watchlist in the summary: $(tail -n 4 watch.txt)"

# Ctrl-C (SIGINT) ends a --json session and a piped terminal session with the summary, exit 0.
"$PY" - "${RECOMMEND[@]}" <<'PYEOF' || fail "SIGINT did not end the session with its summary"
import json, signal, subprocess, sys, time
command = sys.argv[1:]
favourites = open("favourites.txt", encoding="utf-8").read()

def interrupted(extra, ready):
    proc = subprocess.Popen(command + ["--seed", "3"] + extra, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    proc.stdin.write((favourites + "y\n").encode())
    proc.stdin.flush()  # the input stays open: the session waits for the next line
    out = b""
    deadline = time.time() + 60
    while ready not in out and time.time() < deadline:  # the answer was read and answered
        out += proc.stdout.read1(65536)
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    return proc.returncode, out + rest

status, out = interrupted(["--json"], b'"event":"recommendation","number":2')
events = [json.loads(line) for line in out.decode().splitlines()]
assert status == 0, status
assert events[-1]["event"] == "end" and events[-1]["reason"] == "interrupted", events[-1]
assert events[-1]["likes"] == 1, events[-1]
status, out = interrupted([], b"#2 ")
text = out.decode()
assert status == 0, status
assert "Session over (interrupted): 1 liked" in text, text[-400:]
PYEOF

# Ctrl-C typed on a terminal (a pty) ends the session like Ctrl-D, with the summary.
PYTHONPATH="$SRC/tests/e2e/support" "$PY" - "$BIN/recommend" "$POLICY" \
  <<'PYEOF' || fail "Ctrl-C on a pty"
import os, sys
from pty_session import pty_session
binary, policy = sys.argv[1], sys.argv[2]
favourites = open("favourites.txt", encoding="utf-8").read().splitlines()
env = dict(os.environ, TERM="xterm", NO_COLOR="1")
keys = [line.encode() + b"\r" for line in favourites + ["y"]] + [b"\x03"]
out, status = pty_session([binary, "--policy", policy, "--seed", "5"], keys, env)
text = out.decode("utf-8", "replace")
assert "Session over (interrupted): 1 liked" in text, text[-600:]
assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
PYEOF
echo "recommend_prompt e2e: ok"
