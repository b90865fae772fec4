#!/usr/bin/env bash
# End-to-end: profiles shared through PostgreSQL (a throwaway cluster this test starts and
# removes, support/postgres.sh). Two serve processes on one database answer for the same profile
# in turn: every answer is stored once, in the order given, and a session resumed on either holds
# them all. Then the server stops mid-session: serve answers 503 with Retry-After, the session
# keeps its recommendation and counts, and the same answer sent again once the server is back is
# stored once; recommend --json says "store" in an error, keeps the movie waiting, and stores the
# answer typed again after the restart.
# Usage: bash profiles_postgres.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"
# shellcheck source=tests/e2e/support/postgres.sh
source "$SRC/tests/e2e/support/postgres.sh"
# shellcheck source=tests/e2e/support/serve.sh
source "$SRC/tests/e2e/support/serve.sh"

small_release 13
"$BIN/train_svd" --processed processed --out artifacts --config "$SRC/config/pipeline.yaml" \
  --k 8 > /dev/null
"$PY" "$SRC/tests/e2e/support/catalog_movies.py" artifacts processed movies.json
MODEL=(--artifacts artifacts --processed processed --policy "$SRC/config/recommender_policy.yaml")
postgres_start
psql "$PG_URL" -q -X -c "CREATE DATABASE movierec" > /dev/null
url=${PG_URL/\/postgres\?/\/movierec?}
# shellcheck disable=SC2090  # the two commands are run by sh -c, which reads their quotes
export PG_DB_URL=$url PG_CTL_STOP PG_CTL_START PYTHONPATH=$SRC/tests/e2e/support
export RECOMMEND_BIN=$BIN/recommend RECOMMEND_POLICY=$SRC/config/recommender_policy.yaml

start_serve a --profiles "$url" --quiet
PID_A=$PID URL_A=$URL
start_serve b --profiles "$url" --quiet
PID_B=$PID URL_B=$URL

"$PY" - "$URL_A" "$URL_B" <<'PYEOF' || fail "two serve processes answering for one profile"
import json, os, subprocess, sys, urllib.error, urllib.request
movies = json.load(open("movies.json"))

def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base.rstrip("/") + path, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)

def stored():
    out = subprocess.run(["psql", os.environ["PG_DB_URL"], "-XAt", "-F", ",", "-c",
                          "SELECT movie_id, answer FROM answers WHERE profile = 'pat' AND "
                          "answer <> 'favourite' ORDER BY seq"],
                         check=True, capture_output=True, text=True).stdout
    return [(int(m), a) for m, a in (line.split(",") for line in out.split())]

def in_order(rows, answers):
    """rows are the answers in the order given, each stored once, except that the store keeps one
    row for the same answer about the same movie in the same second (two sessions that were shown
    the same movie)."""
    j = 0
    for i, answer in enumerate(answers):
        if j < len(rows) and rows[j] == answer:
            j += 1
        elif answer not in answers[:i]:
            return False
    return j == len(rows)

a, b = sys.argv[1], sys.argv[2]
status, created, _ = call(a, "POST", "/api/sessions", {"profile": "pat", "favourites": movies["favourites"]})
assert status == 201 and created["profile"]["found"] is False, created
sessions = {a: (created["session_id"], created["recommendation"]["movie_id"])}
status, resumed, _ = call(b, "POST", "/api/sessions", {"profile": "pat"})
assert status == 201 and resumed["profile"]["resumed"] is True, resumed
assert [m["movie_id"] for m in resumed["profile"]["favourites"]] == movies["favourites"]
sessions[b] = (resumed["session_id"], resumed["recommendation"]["movie_id"])

given = []
for turn in range(12):
    server = (a, b)[turn % 2]
    sid, movie = sessions[server]
    answer = ("like", "dislike", "skip")[turn % 3]
    status, out, _ = call(server, "POST", f"/api/sessions/{sid}/answers",
                          {"movie_id": movie, "answer": answer})
    assert status == 200, out
    given.append((movie, answer))
    assert in_order(stored(), given), (stored(), given)  # committed before the next one
    sessions[server] = (sid, out["recommendation"]["movie_id"])

# A session resumed on either server holds every answer; none of them comes back.
for server in (a, b):
    status, again, _ = call(server, "POST", "/api/sessions", {"profile": "pat"})
    assert status == 201, again
    distinct = len(set(m for m, _ in given))
    assert again["profile"]["answers"] == distinct, again["profile"]
    assert again["profile"]["left_out"] == len(stored()) - distinct, again["profile"]
    assert again["recommendation"]["movie_id"] not in {m for m, _ in given}
status, missing, _ = call(a, "POST", "/api/sessions", {"profile": "nobody"})
assert status == 404 and "nobody" in missing["error"], missing

# The server stops mid-session: 503, the session as it was; the same answer again after the
# restart is stored once.
sid, movie = sessions[a]
before = stored()
subprocess.run(["sh", "-c", os.environ["PG_CTL_STOP"]], check=True)
try:
    status, out, headers = call(a, "POST", f"/api/sessions/{sid}/answers",
                                {"movie_id": movie, "answer": "like"})
    assert status == 503 and "Retry-After" in headers, (status, out)
    assert "nothing was saved" in out["error"] and "movierec" not in out["error"], out
    status, state, _ = call(a, "GET", f"/api/sessions/{sid}")
    assert status == 200 and state["recommendation"]["movie_id"] == movie, state
finally:
    subprocess.run(["sh", "-c", os.environ["PG_CTL_START"]], check=True)
status, out, _ = call(a, "POST", f"/api/sessions/{sid}/answers", {"movie_id": movie, "answer": "like"})
assert status == 200, out
assert stored() == before + [(movie, "like")], stored()[-3:]
PYEOF

# recommend --json on the same database: the server stops mid-session, then comes back.
"$PY" - <<'PYEOF' || fail "recommend with the PostgreSQL server stopped mid-session"
import json, os, subprocess
from recommend_driver import Recommend
cmd = [os.environ["RECOMMEND_BIN"], "--policy", os.environ["RECOMMEND_POLICY"], "--artifacts",
       "artifacts", "--processed", "processed", "--json", "--seed", "3", "--profiles",
       os.environ["PG_DB_URL"], "--profile", "pat", "--connect-timeout-s", "2"]
def count():
    return int(subprocess.run(["psql", os.environ["PG_DB_URL"], "-XAtc",
                               "SELECT count(*) FROM answers WHERE profile = 'pat'"],
                              check=True, capture_output=True, text=True).stdout)
with Recommend(cmd) as rec:
    profile, first = rec.opening(True)
    assert profile["resumed"], profile
    before = count()
    subprocess.run(["sh", "-c", os.environ["PG_CTL_STOP"]], check=True)
    try:
        error = rec.send("n")
        assert [e["event"] for e in error] == ["error"] and error[0]["code"] == "store", error
        assert error[0]["movie_id"] == first["movie_id"] and "not saved" in error[0]["message"]
        assert rec.send("i")[-1]["movie_id"] == first["movie_id"]  # it still waits
    finally:
        subprocess.run(["sh", "-c", os.environ["PG_CTL_START"]], check=True)
    events = rec.send("n")
    assert events[-1]["event"] == "recommendation" and events[-1]["movie_id"] != first["movie_id"]
    assert count() == before + 1
    assert rec.send("q")[-1]["profile"] == "pat"
PYEOF

PID=$PID_A stop_serve a
PID=$PID_B stop_serve b
echo "profiles_postgres: all checks passed"
