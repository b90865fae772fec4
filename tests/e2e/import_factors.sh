#!/usr/bin/env bash
# End-to-end: import_factors on Spark-style factor folders the test writes (part-* files of JSON
# lines, with Spark's _SUCCESS and .crc files beside them) from a model train_svd fitted, with
# ids processed/ does not train on and ids left out: the artifacts hold the matched rows, the
# counts are reported, and recommend and evaluate load them. Damaged files (ragged features, a
# non-numeric value, a repeated id, a line that is not JSON) get file:line errors and no output.
# Usage: import_factors.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"

small_release 17
"$BIN/train_svd" --processed processed --config "$SRC/config/pipeline.yaml" --model als \
  --target rating --k 5 --als-iterations 4 --out trained > /dev/null 2> err.txt ||
  fail "train_svd failed: $(cat err.txt)"

# The Spark export: the trained factors, users 900001.. and movies 900001.. that processed/
# does not know, and the first 7 users and 9 movies left out; each side in two part files.
"$PY" - <<'PYEOF'
import json, os
import numpy as np
for side, name, extra, dropped in (("user", "userFactors", 3, 7), ("movie", "itemFactors", 4, 9)):
    ids = json.load(open(f"trained/{side}_map.json"))
    vectors = np.load(f"trained/{side}_embeddings.npy")
    rows = sorted(ids.items(), key=lambda item: int(item[0]))[dropped:]
    lines = [json.dumps({"id": int(i), "features": [float(x) for x in vectors[row]]})
             for i, row in rows]
    lines += [json.dumps({"id": 900001 + n, "features": [0.5] * vectors.shape[1]})
              for n in range(extra)]
    os.makedirs(f"spark/{name}")
    half = len(lines) // 2
    for part, chunk in (("part-00000-aa.json", lines[:half]), ("part-00001-aa.json", lines[half:])):
        open(f"spark/{name}/{part}", "w").write("\n".join(chunk) + "\n")
        open(f"spark/{name}/.{part}.crc", "wb").write(b"\0\1")
    open(f"spark/{name}/_SUCCESS", "w").close()
PYEOF

IMPORT=("$BIN/import_factors" --processed processed --config "$SRC/config/pipeline.yaml")
"${IMPORT[@]}" --spark spark --out imported > import.txt 2> err.txt ||
  fail "import_factors failed: $(cat err.txt)"
grep -q "^users: .* imported, 3 only in Spark .*, 7 without factors" import.txt &&
  grep -q "^movies: .* imported, 4 only in Spark .*, 9 without factors" import.txt ||
  fail "the counts: $(cat import.txt)"

"$PY" - <<'PYEOF' || fail "the imported artifacts are wrong"
import json, math
import numpy as np, pandas as pd
m = json.load(open("imported/manifest.json"))
t = json.load(open("trained/manifest.json"))
assert m["model"] == "spark_als" and m["k"] == 5 and m["predicts"] == "stars", m
assert m["inputs"] == t["inputs"], (m["inputs"], t["inputs"])
assert m["config"]["train"]["k"] == 5 and m["config"]["train"]["target"] == "rating", m["config"]
for side, extra, dropped in (("user", 3, 7), ("movie", 4, 9)):
    trained = json.load(open(f"trained/{side}_map.json"))
    imported = json.load(open(f"imported/{side}_map.json"))
    kept = sorted(trained, key=int)[dropped:]
    assert sorted(imported, key=int) == kept, side
    assert [imported[i] for i in kept] == list(range(len(kept))), "rows in id order"
    counts = m["spark"][side + "s"]
    assert counts == {"imported": len(kept), "only_in_spark": extra,
                      "without_factors": dropped}, counts
    a = np.load(f"imported/{side}_embeddings.npy")
    b = np.load(f"trained/{side}_embeddings.npy")
    assert a.dtype == np.float32 and a.shape == (len(kept), 5), a.shape
    assert np.allclose(a, b[[trained[i] for i in kept]], rtol=1e-6, atol=1e-7), side
# The validation RMSE of user · movie against stars, over the val rows both sides know.
users = json.load(open("imported/user_map.json"))
movies = json.load(open("imported/movie_map.json"))
U, V = np.load("imported/user_embeddings.npy"), np.load("imported/movie_embeddings.npy")
val = pd.read_csv("processed/val.csv")
val = val[val.userId.astype(str).isin(users) & val.movieId.astype(str).isin(movies)]
p = np.einsum("ij,ij->i", U[val.userId.astype(str).map(users)].astype(float),
              V[val.movieId.astype(str).map(movies)].astype(float))
rmse = math.sqrt(np.mean((p - val.rating.to_numpy()) ** 2))
assert m["validation_rows"] == len(val) > 0 and math.isclose(rmse, m["validation_rmse"],
                                                             rel_tol=1e-5), (rmse, m)
PYEOF

# recommend and evaluate load the imported model through the one loader.
"$BIN/evaluate" --processed processed --artifacts imported \
  --policy "$SRC/config/recommender_policy.yaml" --users 20 --baselines none --resamples 10 \
  > /dev/null 2> err.txt ||
  fail "evaluate on the imported model: $(cat err.txt)"
"$PY" - <<'PYEOF'
import csv, json
embedded = set(json.load(open("imported/movie_map.json")))
rows = [r for r in csv.DictReader(open("processed/movie_metadata.csv", encoding="utf-8"))
        if r["movieId"] in embedded and "," not in r["title"]]
rows.sort(key=lambda r: -int(r["rating_count"]))
open("session.txt", "w").write("".join(r["title"] + "\n" for r in rows[:4]) + "y\nn\nq\n")
PYEOF
"$BIN/recommend" --artifacts imported --processed processed --seed 2 --json \
  --policy "$SRC/config/recommender_policy.yaml" < session.txt > session.jsonl 2> err.txt ||
  fail "recommend on the imported model: $(cat err.txt)"
grep -q '"event":"recommendation"' session.jsonl || fail "no recommendation: $(cat session.jsonl)"

# refused SPARK_DIR EXPECTED: import_factors exits 1 with EXPECTED on stderr and writes nothing.
refused() {
  local code=0
  "${IMPORT[@]}" --spark "$1" --out refused > /dev/null 2> err.txt || code=$?
  [ $code -eq 1 ] && grep -qF -- "$2" err.txt || fail "$1: exit $code, $(cat err.txt)"
  [ ! -e refused ] || fail "$1: a refused import wrote its folder"
}
damage() {  # damage NAME SED_SCRIPT: a copy of spark/ whose itemFactors' second part is edited
  cp -r spark "$1"
  sed -i "$2" "$1/itemFactors/part-00001-aa.json"
}
damage ragged '3s/\]}$/, 0.25]}/'
refused ragged "ragged/itemFactors/part-00001-aa.json:3: 6 features, but ragged/itemFactors/part-00000-aa.json:1 has 5"
damage text '2s/\[[^,]*,/[0.1, "x", /; 2s/, [^,]*\]}$/]}/'
refused text 'text/itemFactors/part-00001-aa.json:2: feature 2 is not a finite number (got "x")'
first=$(head -n 1 spark/itemFactors/part-00000-aa.json | sed 's/.*"id": \([0-9]*\).*/\1/')
damage twice "4s/\"id\": [0-9]*/\"id\": $first/"
refused twice "twice/itemFactors/part-00001-aa.json:4: id $first appears twice (first at twice/itemFactors/part-00000-aa.json:1)"
damage broken '5s/^{/[/'
refused broken "broken/itemFactors/part-00001-aa.json:5: "
refused nowhere "nowhere/userFactors: not a folder of Spark part-* files"
echo "import_factors: ok"
