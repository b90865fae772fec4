#!/usr/bin/env bash
# End-to-end: the lead-ins. On make_synthetic's release, whose ratings come in no order within a
# user, train_svd writes none and says why (from preprocess's measure of the order, or its own
# when processed/ records none); on the same ratings re-timed so that everyone rates
# in one order (by movieId), it writes them (shape, rows, weights checked with numpy), and a
# recommend --json session with the shipped policy scores them (a "lead_ins" part above 0).
# Usage: lead_ins.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"

small_release 5
TRAIN=("$BIN/train_svd" --config "$SRC/config/pipeline.yaml" --k 6)
"${TRAIN[@]}" --processed processed --out random > random.txt || fail "train_svd on random order"
grep -q "lead-ins: none written: the order of each user's ratings says nothing" random.txt ||
  fail "no word on the lead-ins left out: $(cat random.txt)"
[ ! -e random/lead_in_rows.npy ] && [ ! -e random/lead_in_weights.npy ] ||
  fail "lead-ins written for ratings in no order"
# preprocess measured the order: train_svd took its figure and did not read train.csv again.
# A processed/ folder without that figure (an older preprocess's) gets the same answer.
"$PY" - <<'PYEOF' || fail "the order signal was not taken from processed/"
import json
recorded = json.load(open("processed/manifest.json"))["train_order_signal"]
leads = json.load(open("random/manifest.json"))["lead_ins"]
assert recorded < 2 and leads["order_signal"] == recorded, (recorded, leads)
assert leads["order_signal_from"] == "processed/manifest.json" and "ratings" not in leads, leads
manifest = json.load(open("processed/manifest.json"))
del manifest["train_order_signal"]
json.dump(manifest, open("processed/manifest.json", "w"))
PYEOF
"${TRAIN[@]}" --processed processed --out random-read > /dev/null || fail "train_svd, no figure"
"$PY" - <<'PYEOF' || fail "without the recorded figure, train.csv was not measured"
import json
leads = json.load(open("random-read/manifest.json"))["lead_ins"]
assert leads["order_signal_from"] == "train.csv" and leads["order_signal"] < 2, leads
assert leads["ratings"] > 0 and not leads["written"], leads
PYEOF

# The same ratings, each user's in movieId order, one minute apart.
mkdir ordered-data
cp data/* ordered-data/
"$PY" - <<'PYEOF'
import pandas as pd
r = pd.read_csv("data/ratings.csv").sort_values(["userId", "movieId"])
r["timestamp"] = 1_000_000_000 + 60 * r.groupby("userId").cumcount()
r.to_csv("ordered-data/ratings.csv", index=False)
PYEOF
"$BIN/preprocess" --data ordered-data --out ordered-processed --config "$SRC/config/pipeline.yaml" \
  --min-user-ratings 5 --min-movie-ratings 15 > /dev/null
"${TRAIN[@]}" --processed ordered-processed --out ordered > ordered.txt ||
  fail "train_svd on ordered ratings"
grep -q "lead-ins: up to 50 per movie, from the 40 ratings before it (order signal" ordered.txt ||
  fail "no lead-ins line: $(cat ordered.txt)"
"$PY" - <<'PYEOF' || fail "the lead-in files are wrong"
import json
import numpy as np
movies = len(json.load(open("ordered/movie_map.json")))
rows, weights = np.load("ordered/lead_in_rows.npy"), np.load("ordered/lead_in_weights.npy")
assert rows.shape == weights.shape == (movies, 50), (rows.shape, weights.shape, movies)
assert rows.dtype == weights.dtype == np.float32
assert ((rows == np.floor(rows)) & (rows >= -1) & (rows < movies)).all()
assert (weights[rows < 0] == 0).all() and (weights[rows >= 0] > 0).all()
assert (np.diff(weights, axis=1) <= 0).all(), "heaviest first"
# Everyone rates in movieId order: a movie's lead-ins all come before it.
ids = {row: int(m) for m, row in json.load(open("ordered/movie_map.json")).items()}
for j in range(movies):
    assert all(ids[int(i)] < ids[j] for i in rows[j] if i >= 0), j
manifest = json.load(open("ordered/manifest.json"))["lead_ins"]
assert manifest["written"] and manifest["order_signal"] > 2 and manifest["window"] == 40, manifest
recorded = json.load(open("ordered-processed/manifest.json"))["train_order_signal"]
assert manifest["order_signal_from"] == "train.csv", manifest
assert abs(manifest["order_signal"] - recorded) < 1e-9 * recorded, (manifest, recorded)
PYEOF

"$PY" - <<'PYEOF'
import csv, json, re
embedded = json.load(open("ordered/movie_map.json"))
rows = [r for r in csv.DictReader(open("ordered-processed/movie_metadata.csv", encoding="utf-8"))
        if r["movieId"] in embedded and re.match(r"^[^,()]+ \(\d{4}\)$", r["title"])]
rows.sort(key=lambda r: int(r["movieId"]))
open("session.txt", "w").write("".join(r["title"] + "\n" for r in rows[:4]) + "y\ny\ns\nq\n")
PYEOF
"$BIN/recommend" --artifacts ordered --processed ordered-processed --seed 3 --json \
  --policy "$SRC/config/recommender_policy.yaml" < session.txt > session.jsonl 2> /dev/null ||
  fail "recommend with lead-ins failed"
"$PY" - <<'PYEOF' || fail "the session did not score the lead-ins"
import json
events = [json.loads(line) for line in open("session.jsonl", encoding="utf-8")]
parts = [e["parts"] for e in events if e["event"] == "recommendation"]
assert len(parts) >= 3, events
assert all(abs(p["total"] - sum(p[k] for k in ("model", "genre_distance", "popularity",
           "diversity", "lead_ins", "exploration"))) < 1e-9 for p in parts), parts
assert any(p["lead_ins"] > 0 for p in parts), parts
PYEOF
echo "lead_ins: ok"
