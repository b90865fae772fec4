#!/usr/bin/env bash
# End-to-end: recommend --profile on a SQLite store. A new profile asks its four favourites and
# stores them and each answer as it is given; quitting and starting again resumes at once (the
# profile event says what was restored, nothing answered is recommended again, the session's
# later answers follow in the store); a favourite changed with "f N TITLE"; without --profile
# nothing is written and the summary mentions --profile; a bad name is refused; kill -9 in the
# middle of a session loses no acknowledged answer; a store locked by another program beyond the
# busy timeout gives an error "store", the same recommendation waits, and answering again once
# the lock is gone stores the answer once.
# Usage: recommend_profile.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"
command -v sqlite3 > /dev/null || fail "sqlite3 is missing (Debian: apt-get install sqlite3)"

small_release 11
"$BIN/train_svd" --processed processed --out artifacts --config "$SRC/config/pipeline.yaml" \
  --k 8 > /dev/null
"$PY" "$SRC/tests/e2e/support/catalog_movies.py" artifacts processed movies.json
"$PY" -c 'import json; print("\n".join(json.load(open("movies.json"))["titles"]))' > favourites.txt
RECOMMEND=("$BIN/recommend" --policy "$SRC/config/recommender_policy.yaml" --artifacts artifacts
  --processed processed)
export PYTHONPATH=$SRC/tests/e2e/support RECOMMEND_BIN=$BIN/recommend
export RECOMMEND_POLICY=$SRC/config/recommender_policy.yaml

# --- without --profile: nothing written, the summary says how to keep answers ---------------------
{ cat favourites.txt; printf 'y\nq\n'; } > plain.txt
"${RECOMMEND[@]}" --seed 1 --json --profiles none.sqlite < plain.txt > plain.jsonl 2> /dev/null
[[ ! -e none.sqlite ]] || fail "a session without --profile created a store"
tail -n 1 plain.jsonl | grep -q '"profile":null' || fail "end without a profile: $(tail -n 1 plain.jsonl)"
"${RECOMMEND[@]}" --seed 1 --profiles none.sqlite < plain.txt > plain.txt.out 2> /dev/null
grep -q -- "--profile NAME" plain.txt.out || fail "the summary does not mention --profile"

# --- a bad name is refused before anything happens -----------------------------------------------
if out=$("${RECOMMEND[@]}" --json --profiles p.sqlite --profile 'no spaces' < plain.txt 2>&1); then
  fail "a bad profile name was accepted"
fi
grep -q "profile name" <<<"$out" || fail "the bad name's message: $out"
[[ ! -e p.sqlite ]] || fail "a refused name created the store"

# --- a new profile, then a resumed one --------------------------------------------------------------
"$PY" - <<'PYEOF' || fail "a profile's first session and its resumption"
import json, os, sqlite3
from recommend_driver import Recommend
movies = json.load(open("movies.json"))
cmd = [os.environ["RECOMMEND_BIN"], "--policy", os.environ["RECOMMEND_POLICY"], "--artifacts",
       "artifacts", "--processed", "processed", "--json", "--profiles", "p.sqlite",
       "--profile", "ana"]

def stored():
    db = sqlite3.connect("p.sqlite")
    rows = db.execute("SELECT movie_id, answer, slot FROM answers WHERE profile = 'ana' "
                      "ORDER BY seq").fetchall()
    db.close()
    return rows

shown = []
with Recommend(cmd + ["--seed", "3"]) as rec:
    profile = rec.opening(False)[0]
    assert profile["event"] == "profile" and profile["name"] == "ana", profile
    assert (profile["found"], profile["resumed"], profile["answers"]) == (False, False, 0)
    for i, title in enumerate(movies["titles"]):
        events = rec.send(title)
        assert events[0]["event"] == "favourite" and events[0]["number"] == i + 1, events
        # committed before anything more is shown
        assert [r[0] for r in stored() if r[1] == "favourite"] == movies["favourites"][:i + 1]
    assert events[-1]["event"] == "recommendation", events
    shown.append(events[-1]["movie_id"])
    for answer, name in [("y", "like"), ("n", "dislike"), ("s", "skip"), ("y", "like")]:
        events = rec.send(answer)
        assert stored()[-1] == (shown[-1], name, None), (stored()[-1], shown[-1], name)
        shown.append(events[-1]["movie_id"])
    end = rec.send("q")[-1]
    assert end["event"] == "end" and end["profile"] == "ana", end
answered = shown[:4]
assert stored() == [(m, "favourite", s + 1) for s, m in enumerate(movies["favourites"])] + \
    list(zip(answered, ["like", "dislike", "skip", "like"], [None] * 4)), stored()

# Resumed: no favourites asked, what was restored is said, nothing answered comes back.
with Recommend(cmd + ["--seed", "4"]) as rec:
    profile, first = rec.opening(True)
    assert profile["found"] and profile["resumed"], profile
    assert [m["movie_id"] for m in profile["favourites"]] == movies["favourites"], profile
    assert (profile["answers"], profile["likes"], profile["dislikes"], profile["skips"]) == \
        (4, 2, 1, 1), profile
    assert profile["trained_user"] is None and profile["left_out"] == 0, profile
    assert first["event"] == "recommendation", first
    again = [first["movie_id"]]
    for _ in range(30):
        again.append(rec.send("s")[-1]["movie_id"])
    assert not set(again) & set(answered + movies["favourites"]), (again, answered)
    # A favourite changed: stored in its slot, a new recommendation follows.
    title = None
    import csv, re
    embedded = set(json.load(open("artifacts/movie_map.json")))
    plain = re.compile(r"^[^,()]+ \(\d{4}\)$")
    for row in csv.DictReader(open("processed/movie_metadata.csv", encoding="utf-8")):
        movie = int(row["movieId"])
        if row["movieId"] in embedded and plain.match(row["title"]) and \
                movie not in again + answered + movies["favourites"]:
            title, new_favourite = row["title"], movie
            break
    events = rec.send("f 2 " + title)
    assert events[0]["event"] == "favourite" and events[0]["number"] == 2, events
    assert events[0]["movie_id"] == new_favourite, events
    assert events[0]["replaced"]["movie_id"] == movies["favourites"][1], events
    assert events[-1]["event"] == "recommendation", events
    assert rec.send("f 9 x")[-1]["code"] == "unknown_answer"
    rec.send("q")
favourites = {r[2]: r[0] for r in stored() if r[1] == "favourite"}
assert favourites == {1: movies["favourites"][0], 2: new_favourite, 3: movies["favourites"][2],
                      4: movies["favourites"][3]}, favourites
assert [r[1] for r in stored() if r[1] != "favourite"] == ["like", "dislike", "skip", "like"] + \
    ["skip"] * 30
PYEOF

# Terminal mode says what was restored.
printf 'q\n' | "${RECOMMEND[@]}" --profiles p.sqlite --profile ana > resumed.txt 2>&1
grep -q "Welcome back, ana" resumed.txt || fail "terminal resume line: $(head -n 8 resumed.txt)"
grep -q -- "--profile ana resumes" resumed.txt || fail "terminal summary with a profile"

# --- kill -9 mid-session: every acknowledged answer is in the store --------------------------------
"$PY" - <<'PYEOF' || fail "kill -9 lost an acknowledged answer"
import json, os, sqlite3
from recommend_driver import Recommend
movies = json.load(open("movies.json"))
cmd = [os.environ["RECOMMEND_BIN"], "--policy", os.environ["RECOMMEND_POLICY"], "--artifacts",
       "artifacts", "--processed", "processed", "--json", "--profiles", "p.sqlite",
       "--profile", "bo", "--seed", "9"]
acknowledged = []
with Recommend(cmd) as rec:
    rec.opening(False)
    for title in movies["titles"]:
        events = rec.send(title)
    current = events[-1]["movie_id"]
    for i in range(25):
        answer = "yns"[i % 3]
        events = rec.send(answer)
        acknowledged.append((current, {"y": "like", "n": "dislike", "s": "skip"}[answer]))
        current = events[-1]["movie_id"]
    rec.send_only("y")  # may or may not be stored: not acknowledged
    rec.kill()
db = sqlite3.connect("p.sqlite")
rows = db.execute("SELECT movie_id, answer FROM answers WHERE profile = 'bo' AND "
                  "answer != 'favourite' ORDER BY seq").fetchall()
assert rows[:25] == acknowledged, (rows, acknowledged)
assert len(rows) in (25, 26), len(rows)
assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
PYEOF

# --- a store locked beyond the busy timeout: an error, the session goes on, a retry stores once ----
"$PY" - <<'PYEOF' || fail "a locked store mid-session"
import json, os, sqlite3
from recommend_driver import Recommend
cmd = [os.environ["RECOMMEND_BIN"], "--policy", os.environ["RECOMMEND_POLICY"], "--artifacts",
       "artifacts", "--processed", "processed", "--json", "--profiles", "p.sqlite",
       "--profile", "ana", "--seed", "5", "--busy-timeout-ms", "50", "--busy-retries", "0"]
def answers():
    db = sqlite3.connect("p.sqlite")
    rows = db.execute("SELECT movie_id, answer FROM answers WHERE profile = 'ana' AND "
                      "answer != 'favourite' ORDER BY seq").fetchall()
    db.close()
    return rows
with Recommend(cmd) as rec:
    _, first = rec.opening(True)
    before = answers()
    lock = sqlite3.connect("p.sqlite", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    error = rec.send("y")
    assert [e["event"] for e in error] == ["error"] and error[0]["code"] == "store", error
    assert error[0]["movie_id"] == first["movie_id"], error
    assert "not saved" in error[0]["message"] and "p.sqlite" in error[0]["message"], error
    lock.execute("ROLLBACK")
    lock.close()
    assert answers() == before
    events = rec.send("y")
    assert events[-1]["event"] == "recommendation" and events[-1]["movie_id"] != first["movie_id"]
    assert answers() == before + [(first["movie_id"], "like")], answers()[-3:]
    end = rec.send("q")[-1]
    assert end["likes"] == 3, end  # two restored, one new
PYEOF
echo "recommend_profile: all checks passed"
