#!/usr/bin/env bash
# End-to-end: a small synthetic release (make_synthetic), preprocess and train_svd on it, then
# whole sessions piped into recommend: --json (every stdout line parsed, the event sequence, the
# same seed and input giving byte-identical output, the end reasons quit, eof and exhausted,
# hostile lines) and terminal mode (piped: no escape codes, the summary), plus the errors: missing
# artifacts name the command that makes them. Usage: recommend.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"

small_release 3
"$BIN/train_svd" --processed processed --out artifacts --config "$SRC/config/pipeline.yaml" \
  --k 8 > /dev/null
POLICY=(--policy "$SRC/config/recommender_policy.yaml")
RECOMMEND=("$BIN/recommend" "${POLICY[@]}" --artifacts artifacts --processed processed)

"$BIN/recommend" --help > help.txt || fail "--help exits non-zero"
grep -q -- "--seed" help.txt && grep -q -- "--learning-rate" help.txt ||
  fail "--help lacks --seed or the policy flags"

# Four movies in the catalog (the most rated, by their exact MovieLens titles), and one outside it
# (the filter dropped it: train_svd folded it in from its few ratings), which can be a favourite
# too but is never recommended.
"$PY" - <<'PYEOF'
import csv, json, re
import numpy as np
embedded = set(json.load(open("artifacts/movie_map.json")))
outside_rows = json.load(open("artifacts/outside_movie_map.json"))
evidence = np.load("artifacts/outside_movie_ratings.npy")
rows = list(csv.DictReader(open("processed/movie_metadata.csv", encoding="utf-8")))
plain = re.compile(r"^[^,()]+ \(\d{4}\)$")  # shown as written: no article moved, no alternative
titles = [r["title"].split(" (")[0] for r in rows]
unique = lambda r: titles.count(r["title"].split(" (")[0]) == 1
inside = sorted((r for r in rows if r["movieId"] in embedded and plain.match(r["title"])),
                key=lambda r: -int(r["rating_count"]))
folded = [r for r in rows if r["movieId"] in outside_rows and plain.match(r["title"]) and unique(r)
          and evidence[outside_rows[r["movieId"]]] > 0]
assert len(inside) >= 8 and folded, "the fixture needs movies inside and outside the catalog"
assert len(embedded) + len(outside_rows) == len(rows), "every movie of the release has a vector"
open("favourites.txt", "w").write("".join(r["title"] + "\n" for r in inside[:4]))
open("outside.txt", "w").write(folded[0]["title"] + "\n")
open("ids.json", "w").write(json.dumps({"favourites": [int(r["movieId"]) for r in inside[:4]],
                                        "outside": int(folded[0]["movieId"]),
                                        "evidence": int(evidence[outside_rows[folded[0]["movieId"]]]),
                                        "embedded": sorted(int(m) for m in embedded),
                                        "movies": len(rows)}))
PYEOF

# A --json session: a favourite outside the catalog, three inside, then every kind of answer.
{ cat outside.txt; head -n 3 favourites.txt; printf 'i\ny\nn\ns\nbogus\n\nq\n'; } > session.txt
"${RECOMMEND[@]}" --seed 7 --json < session.txt > out1.jsonl 2> err1.txt || fail "--json exited non-zero"
grep -q "seed 7" err1.txt || fail "the seed line belongs on stderr: $(cat err1.txt)"
"$PY" - out1.jsonl err1.txt <<'PYEOF' || fail "the --json session is wrong"
import json, sys
ids = json.load(open("ids.json"))
events = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
start = open(sys.argv[2]).readline()
expected = f"recommend: {ids['movies']} movies can be favourites, {len(ids['embedded'])} can be recommended (k = 8)\n"
assert start == expected, (start, expected)
names = [e["event"] for e in events]
i = 0
favs = events[i:i + 4]
assert [e["event"] for e in favs] == ["favourite"] * 4, names
assert [e["movie_id"] for e in favs] == [ids["outside"]] + ids["favourites"][:3], favs
assert [e["number"] for e in favs] == [1, 2, 3, 4]
assert (favs[0]["evidence"], favs[0]["evidence_ratings"]) == ("folded", ids["evidence"]), favs[0]
assert all(e["evidence"] == "trained" for e in favs[1:]), favs
rest = names[i + 4:]
assert rest == ["recommendation", "info", "recommendation", "recommendation", "recommendation",
                "error", "error", "end"], rest
first, info = events[i + 4], events[i + 5]
assert info["movie_id"] == first["movie_id"]
assert abs(first["score"] - first["parts"]["total"]) < 1e-12
assert set(first["parts"]) == {"model_score", "genre_affinity", "model", "genre_distance",
                               "popularity", "diversity", "lead_ins", "exploration", "total"}
for key in ("title", "genres", "rating_count", "tags", "imdb_url", "tmdb_url", "parts", "nearest"):
    assert key in info, key
assert info["nearest"] and info["nearest"][0]["favourite"] is True
shown = [e["movie_id"] for e in events if e["event"] == "recommendation"]
assert len(set(shown)) == len(shown) and not set(shown) & set(ids["favourites"][:3])
assert set(shown) <= set(ids["embedded"]), "a movie outside the catalog was recommended"
assert info["evidence"] == "trained" and info["evidence_ratings"] > 0, info
assert events[-3]["code"] == "unknown_answer" and events[-2]["code"] == "empty"
end = events[-1]
assert (end["reason"], end["likes"], end["dislikes"], end["skips"]) == ("quit", 1, 1, 1), end
assert [m["movie_id"] for m in end["liked"]] == [shown[0]], end["liked"]
PYEOF

# The same seed and input give the same bytes.
"${RECOMMEND[@]}" --seed 7 --json < session.txt > out2.jsonl 2> /dev/null
cmp -s out1.jsonl out2.jsonl || fail "the same seed and input gave different output"

# The end of input ends the session: after the favourites, and before any line.
{ cat favourites.txt; printf 'y\n'; } > eof.txt
"${RECOMMEND[@]}" --seed 1 --json < eof.txt > eof.jsonl 2> /dev/null
"$PY" -c "
import json, sys
e = [json.loads(l) for l in open('eof.jsonl')]
assert e[-1]['event'] == 'end' and e[-1]['reason'] == 'eof' and e[-1]['likes'] == 1, e[-1]
" || fail "EOF after answers"
"${RECOMMEND[@]}" --seed 1 --json < /dev/null > empty.jsonl 2> /dev/null
grep -q '"reason":"eof"' empty.jsonl && [ "$(wc -l < empty.jsonl)" -eq 1 ] ||
  fail "EOF at once must give one end event: $(cat empty.jsonl)"

# Skipping everything runs out of candidates.
{ cat favourites.txt; for _ in $(seq 400); do echo s; done; } > skips.txt
"${RECOMMEND[@]}" --seed 2 --json < skips.txt > exhausted.jsonl 2> /dev/null
tail -n 1 exhausted.jsonl | grep -q '"reason":"exhausted"' ||
  fail "skipping every movie must end exhausted: $(tail -n 1 exhausted.jsonl)"

# Hostile lines: a 1 MB line, binary garbage, invalid UTF-8; every output line stays JSON.
{ head -c 1048576 /dev/zero | tr '\0' 'x'; printf '\n'; head -c 3000 /dev/urandom | tr -d '\n';
  printf '\n\xc3\x28\n'; cat favourites.txt; printf 'q\n'; } > hostile.txt
"${RECOMMEND[@]}" --seed 3 --json < hostile.txt > hostile.jsonl 2> /dev/null ||
  fail "hostile input made recommend fail"
"$PY" - hostile.jsonl <<'PYEOF' || fail "hostile input broke the JSON lines"
import json, sys
events = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
assert events[0]["code"] == "too_long" and len(events[0]["message"]) < 200, events[0]
assert events[-1]["event"] == "end" and events[-1]["reason"] == "quit", events[-1]
assert sum(e["event"] == "favourite" for e in events) == 4
PYEOF
[ "$(wc -c < hostile.jsonl)" -lt 100000 ] || fail "recommend echoed the huge line back"

# Terminal mode, piped: no escape codes (even with colours allowed), a header and a summary.
env -u NO_COLOR "${RECOMMEND[@]}" --seed 7 < session.txt > terminal.txt 2> terminal_err.txt ||
  fail "terminal mode exited non-zero"
! grep -q $'\033' terminal.txt || fail "escape codes in piped output"
grep -q "seed 7 - replay with --seed 7" terminal.txt || fail "no seed line in the header"
grep -q "^movierec - [0-9]* movies can be favourites, [0-9]* can be recommended (k = 8)$" \
  terminal.txt || fail "no catalog line in the header: $(head -n 1 terminal.txt)"
grep -q "Outside the trained catalog: its vector is folded in from" terminal.txt ||
  fail "the favourite outside the catalog was not marked"
grep -q "Favourite 1 of 4: " terminal.txt || fail "no favourite prompt"
grep -q "Session over (you quit): 1 liked, 1 disliked, 1 skipped." terminal.txt ||
  fail "no summary: $(tail -n 5 terminal.txt)"
[ ! -s terminal_err.txt ] || fail "terminal mode wrote to stderr: $(cat terminal_err.txt)"

# On a terminal (a pty): libedit's prompt, Tab completion of a title, history (Up), colours,
# and none with NO_COLOR set.
PYTHONPATH="$SRC/tests/e2e/support" "$PY" - "$BIN/recommend" "$SRC/config/recommender_policy.yaml" \
  <<'PYEOF' || fail "terminal session on a pty"
import os, re, sys
from pty_session import pty_session
binary, policy = sys.argv[1], sys.argv[2]
title = open("favourites.txt", encoding="utf-8").readline().strip()
sgr = re.compile(rb"\x1b\[[0-9;]*m")

def session(keys, no_color):
    env = dict(os.environ, TERM="xterm")
    env.pop("NO_COLOR", None)
    if no_color:
        env["NO_COLOR"] = "1"
    return pty_session([binary, "--policy", policy, "--seed", "5"], keys, env)[0]

cut = title.rindex("(") + 1  # "Title (" completes to "Title (Year)"
out = session([title[:cut].encode() + b"\t", b"\r", b"\x1b[A", b"\r", b"\x04"], no_color=False)
text = sgr.sub(b"", out).decode("utf-8", "replace")
assert "Favourite 1 of 4:" in text, text
assert "Favourite 1: " + title in text, text          # Tab completed the whole title
assert "is already favourite 1" in text, text         # Up brought it back from history
assert "Session over (input ended)" in text, text     # Ctrl-D ended the session
assert sgr.search(out), "no colours on a terminal"
plain = session([b"\x04"], no_color=True)
assert b"Session over" in plain and not sgr.search(plain), plain
PYEOF

# Missing or mismatched files: exit 1 with the command that makes them.
set +e
"$BIN/recommend" "${POLICY[@]}" --artifacts nowhere --processed processed < /dev/null > /dev/null 2> missing.txt
status=$?
set -e
[ "$status" -eq 1 ] || fail "missing artifacts must exit 1, got $status"
grep -q "build/bin/train_svd" missing.txt || fail "no fix command: $(cat missing.txt)"
cp -r processed processed2
printf '%s\n' '{"1": 3}' > processed2/movie_popularity.json
set +e
"$BIN/recommend" "${POLICY[@]}" --artifacts artifacts --processed processed2 < /dev/null > /dev/null 2> changed.txt
status=$?
set -e
[ "$status" -eq 1 ] && grep -q "build/bin/preprocess" changed.txt ||
  fail "a changed processed file must name preprocess: $(cat changed.txt)"
set +e
"${RECOMMEND[@]}" --learning-rate 7 < /dev/null > /dev/null 2> policy.txt
status=$?
set -e
[ "$status" -eq 2 ] && grep -q "learning_rate" policy.txt ||
  fail "a policy flag out of range is a usage error naming the key: $(cat policy.txt)"
echo "recommend e2e: ok"
