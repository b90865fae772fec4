#!/usr/bin/env bash
# End-to-end: "more like this" and known users on a small synthetic release trained here.
# recommend --json: m and m TITLE give "similar" events ranked as numpy's cosine of the saved
# movie vectors ranks them; recommend --user ID starts with a recommendation (no favourites),
# never one the user rated in train, and an unknown id exits non-zero naming the ids known;
# serve: /api/movies/{id}/similar and /api/users/{id}/recommendations against numpy's own
# ranking of the saved vectors, 404 and 400 with their messages; with outside movies
# recommendable, a known user's list leaves out what they rated of the movies the filter dropped.
# Usage: catalog.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"
# shellcheck source=tests/e2e/support/serve.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/serve.sh"

small_model 5
"$PY" "$SRC/tests/e2e/support/catalog_movies.py" artifacts processed ids.json

# The expected answers, computed from the saved files alone.
"$PY" - <<'PYEOF'
import json
import numpy as np
import pandas as pd
movies = np.load("artifacts/movie_embeddings.npy").astype(np.float64)
users = np.load("artifacts/user_embeddings.npy").astype(np.float64)
movie_map = {int(k): v for k, v in json.load(open("artifacts/movie_map.json")).items()}
user_map = {int(k): v for k, v in json.load(open("artifacts/user_map.json")).items()}
id_of = {row: movie for movie, row in movie_map.items()}
unit = movies / np.linalg.norm(movies, axis=1)[:, None]
def similar(movie, n):
    row = movie_map[movie]
    cos = unit @ unit[row]
    order = sorted((r for r in range(len(cos)) if r != row), key=lambda r: (-cos[r], r))
    return [id_of[r] for r in order[:n]]
train = pd.read_csv("processed/train.csv")
user = min(user_map)
rated = {movie_map[m] for m in train[train.userId == user].movieId if m in movie_map}
scores = movies @ users[user_map[user]]
ids = json.load(open("ids.json"))
first = ids["favourites"][0]
json.dump({"movie": first, "similar": similar(first, 10), "user": user,
           "rated": sorted(id_of[r] for r in rated),
           "scores": {str(id_of[r]): scores[r] for r in range(len(scores)) if r not in rated},
           "unknown_user": max(user_map) + 1000}, open("expected.json", "w"))
PYEOF
read -r USER_ID UNKNOWN < <("$PY" -c 'import json; e = json.load(open("expected.json")); print(e["user"], e["unknown_user"])')

# recommend --json: favourites, then m (the waiting movie) and m TITLE (the first favourite).
"$PY" -c 'import json; print("\n".join(json.load(open("ids.json"))["titles"]))' > favourites.txt
FIRST=$(head -n 1 favourites.txt)
{ cat favourites.txt; printf 'm\nm %s\ny\nq\n' "$FIRST"; } > session.txt
"$BIN/recommend" "${MODEL[@]}" --seed 3 --json < session.txt > out.jsonl 2> err.txt ||
  fail "recommend --json exited non-zero: $(cat err.txt)"
"$PY" - <<'PYEOF' || fail "the similar events are wrong: $(cat out.jsonl)"
import json
expected = json.load(open("expected.json"))
events = [json.loads(line) for line in open("out.jsonl", encoding="utf-8")]
names = [e["event"] for e in events]
assert names == ["favourite"] * 4 + ["recommendation", "similar", "similar", "recommendation",
                                     "end"], names
waiting, near, named = events[4], events[5], events[6]
assert near["movie_id"] == waiting["movie_id"] and len(near["similar"]) == 10, near
sims = [m["similarity"] for m in near["similar"]]
assert sims == sorted(sims, reverse=True) and waiting["movie_id"] not in [m["movie_id"] for m in near["similar"]]
assert named["movie_id"] == expected["movie"], named
assert [m["movie_id"] for m in named["similar"]] == expected["similar"], (named, expected)
assert set(named["similar"][0]) == {"movie_id", "title", "year", "genres", "similarity"}
PYEOF

# recommend --user: no favourites asked, never a movie the user rated.
printf 'y\nn\ns\ny\ny\nq\n' | "$BIN/recommend" "${MODEL[@]}" --seed 3 --json --user "$USER_ID" \
  > user.jsonl 2> user.err || fail "recommend --user exited non-zero: $(cat user.err)"
grep -q "user $USER_ID, from their trained vector" user.err || fail "--user's line: $(cat user.err)"
"$PY" - <<'PYEOF' || fail "recommend --user is wrong: $(cat user.jsonl)"
import json
expected = json.load(open("expected.json"))
events = [json.loads(line) for line in open("user.jsonl", encoding="utf-8")]
names = [e["event"] for e in events]
assert names == ["recommendation"] * 6 + ["end"], names
shown = [e["movie_id"] for e in events[:6]]
assert not set(shown) & set(expected["rated"]), shown
assert events[-1]["likes"] == 3 and events[-1]["dislikes"] == 1
PYEOF
printf 'q\n' | "$BIN/recommend" "${MODEL[@]}" --json --user "$UNKNOWN" > unknown.out 2> unknown.err &&
  fail "recommend --user with an unknown id exited 0"
grep -q "user $UNKNOWN is not a user of the model (it knows [0-9]* users" unknown.err ||
  fail "unknown user's message: $(cat unknown.err)"
[ ! -s unknown.out ] || fail "an unknown user wrote to stdout: $(cat unknown.out)"

# serve: the same two answers over HTTP, and the errors.
start_serve catalog --quiet
"$PY" - "$URL" <<'PYEOF' || fail "serve's similar or user routes are wrong"
import json, sys, urllib.error, urllib.request
url, expected = sys.argv[1], json.load(open("expected.json"))
def get(path, status=200):
    try:
        with urllib.request.urlopen(url + path.lstrip("/")) as response:
            got, body = response.status, response.read()
    except urllib.error.HTTPError as e:
        got, body = e.code, e.read()
    assert got == status, (path, got, body)
    return json.loads(body)
similar = get(f"/api/movies/{expected['movie']}/similar?n=10")
assert [m["movie_id"] for m in similar["similar"]] == expected["similar"], similar
assert len(get(f"/api/movies/{expected['movie']}/similar?n=3")["similar"]) == 3
assert "from 1 to 100" in get(f"/api/movies/{expected['movie']}/similar?n=0", 400)["error"]
assert "no movie has id" in get("/api/movies/999999999/similar", 404)["error"]
recs = get(f"/api/users/{expected['user']}/recommendations?n=10")
assert recs["user_id"] == expected["user"], recs
# The ten best unrated movies by numpy's scores (the server scores in float: a near tie may
# come in either order, so scores are compared within a tolerance, not positions).
listed = recs["recommendations"]
assert len(listed) == 10 and set(listed[0]) == {"movie_id", "title", "score"}, listed
scores = [m["score"] for m in listed]
assert scores == sorted(scores, reverse=True), scores
expected_scores = expected["scores"]
for m in listed:
    assert abs(m["score"] - expected_scores[str(m["movie_id"])]) < 1e-4, (m, expected_scores)
left_out = [s for i, s in expected_scores.items() if int(i) not in {m["movie_id"] for m in listed}]
assert max(left_out) <= scores[-1] + 1e-4, (max(left_out), scores)
error = get(f"/api/users/{expected['unknown_user']}/recommendations", 404)["error"]
assert "is not a user of the model" in error, error
assert "n must be" in get(f"/api/users/{expected['user']}/recommendations?n=1000", 400)["error"]
PYEOF
stop_serve catalog

# Known users with outside movies recommendable (--min-evidence 1): what they rated of the movies
# the filter dropped (processed/rare_train_transformed.csv) is seen too, never recommended. The
# user is the one with the most such ratings, and their 100 best are numpy's over every row.
start_serve outside --quiet --min-evidence 1
"$PY" - "$URL" <<'PYEOF' || fail "a known user's list with outside movies is wrong"
import json, sys, urllib.request
import numpy as np
import pandas as pd
url = sys.argv[1]
users = np.load("artifacts/user_embeddings.npy").astype(np.float64)
user_map = {int(k): v for k, v in json.load(open("artifacts/user_map.json")).items()}
ids, vectors = [], []
for name in ("movie", "outside_movie"):
    rows = json.load(open(f"artifacts/{name}_map.json"))
    ids += [int(k) for k, _ in sorted(rows.items(), key=lambda item: item[1])]
    vectors.append(np.load(f"artifacts/{name}_embeddings.npy").astype(np.float64))
movies = np.vstack(vectors)
trained = len(vectors[0])
evidence = np.concatenate([np.full(trained, np.inf), np.load("artifacts/outside_movie_ratings.npy")])
rare = pd.read_csv("processed/rare_train_transformed.csv")
rare = rare[rare.userId.isin(user_map) & rare.movieId.isin(ids[trained:])]
assert len(rare), "the fixture has no train ratings of outside movies by a known user"
user = int(rare.userId.value_counts().idxmax())
train = pd.read_csv("processed/train.csv")
rated = set(train[train.userId == user].movieId) | set(rare[rare.userId == user].movieId)
scores = movies @ users[user_map[user]]
candidates = [(s, m) for s, m, e in zip(scores, ids, evidence) if m not in rated and e >= 1]
with urllib.request.urlopen(f"{url}api/users/{user}/recommendations?n=100") as response:
    listed = json.loads(response.read())["recommendations"]
got = [m["movie_id"] for m in listed]
assert not set(got) & rated, sorted(set(got) & rated)
assert len(got) == min(100, len(candidates)), (len(got), len(candidates))
best = sorted(candidates, reverse=True)[:len(got)]
assert abs(best[-1][0] - listed[-1]["score"]) < 1e-4, (best[-1], listed[-1])
assert set(got) & set(ids[trained:]), "no outside movie among the 100"
PYEOF
stop_serve outside
echo "catalog e2e: ok"
