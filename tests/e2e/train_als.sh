#!/usr/bin/env bash
# End-to-end: the ALS models on a small synthetic release. train_svd --model als and
# --model biased_als (flags over the shipped config), their manifests (model, scaling, ALS
# objective, predicts, global_mean) and bias files checked with numpy, then evaluate --json and a
# recommend --json session on each through the one model loader; damaged bias files are refused
# by both programs. Usage: train_als.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"

small_release 11
TRAIN=("$BIN/train_svd" --processed processed --config "$SRC/config/pipeline.yaml" --k 6)

"$BIN/train_svd" --help > help.txt || fail "--help exits non-zero"
for flag in --model --movie-scaling --als-iterations --als-missing-weight --als-regularization \
    --bias-regularization --als-cg-steps; do
  grep -q -- "$flag" help.txt || fail "--help lacks $flag"
done

"${TRAIN[@]}" --out als --model als --target rating --als-iterations 5 --als-missing-weight 0.2 \
  > als.txt 2> als.err || fail "train_svd --model als failed: $(cat als.err)"
grep -q "als: k = 6, 5 iterations, objective" als.txt || fail "als summary: $(cat als.txt)"
"${TRAIN[@]}" --out biased --model biased_als --target rating --movie-scaling normalized \
  --als-iterations 4 > biased.txt 2> biased.err || fail "biased_als failed: $(cat biased.err)"
grep -q "biased_als: k = 6, 4 iterations" biased.txt || fail "biased summary: $(cat biased.txt)"
# biased_als fits stars: another target is a config error naming the key.
set +e
"${TRAIN[@]}" --out bad --model biased_als --target final_rating > /dev/null 2> bad.err; code=$?
set -e
[ $code -eq 1 ] && grep -q "train.target" bad.err || fail "biased_als with final_rating: $(cat bad.err)"
[ ! -e bad ] || fail "a refused training wrote its folder"

"$PY" - <<'PYEOF' || fail "the ALS artifacts are wrong"
import json, math
import numpy as np
for name, model, scaling, biased in (("als", "als", "v", False),
                                      ("biased", "biased_als", "normalized", True)):
    m = json.load(open(f"{name}/manifest.json"))
    assert m["model"] == model and m["movie_scaling"] == scaling and m["k"] == 6, m
    assert m["config"]["train"]["model"] == model, m["config"]["train"]
    objective = m["als"]["objective"]
    assert len(objective) == m["als"]["iterations"] and objective[-1] <= objective[0], objective
    assert all(b <= a * (1 + 1e-7) for a, b in zip(objective, objective[1:])), objective
    assert "singular_values" not in m
    users = np.load(f"{name}/user_embeddings.npy")
    movies = np.load(f"{name}/movie_embeddings.npy")
    assert users.dtype == np.float32 and users.shape == (m["rows"]["users"], 6)
    assert movies.shape == (m["rows"]["movies"], 6) and np.isfinite(movies).all()
    if scaling == "normalized":
        norms = np.linalg.norm(movies, axis=1)
        assert np.allclose(norms[norms > 0], 1, atol=1e-5), norms
    if biased:
        assert m["predicts"] == "stars" and 2.5 < m["global_mean"] < 4.5, m
        ub, mb = np.load(f"{name}/user_bias.npy"), np.load(f"{name}/movie_bias.npy")
        assert ub.shape == (users.shape[0],) and mb.shape == (movies.shape[0],)
        assert ub.dtype == np.float32 and np.isfinite(ub).all() and np.isfinite(mb).all()
        assert np.abs(mb).max() > 0.05, "movie biases all about zero"
    else:
        assert "global_mean" not in m
        assert m["predicts"] == "stars", m  # target rating
PYEOF

for name in als biased; do
  "$BIN/evaluate" --processed processed --artifacts "$name" \
    --policy "$SRC/config/recommender_policy.yaml" --users 40 --baselines popular,random \
    --json "$name.json" > "$name.table" 2> /dev/null || fail "evaluate on $name failed"

  "$PY" - "$name.json" "$name" <<'PYEOF' || fail "evaluate's report on $name is wrong"
import json, math, sys
import numpy as np, pandas as pd
report, folder = json.load(open(sys.argv[1])), sys.argv[2]
trained = json.load(open(f"{folder}/manifest.json"))
biased = "global_mean" in trained
# The validation RMSE in stars, computed here from the factors (and biases) and the val rows
# whose user and movie the model knows.
users = json.load(open(f"{folder}/user_map.json"))
movies = json.load(open(f"{folder}/movie_map.json"))
U = np.load(f"{folder}/user_embeddings.npy").astype(float)
V = np.load(f"{folder}/movie_embeddings.npy").astype(float)
val = pd.read_csv("processed/val.csv")
val = val[val.userId.astype(str).isin(users) & val.movieId.astype(str).isin(movies)]
rows = val.userId.astype(str).map(users).to_numpy()
cols = val.movieId.astype(str).map(movies).to_numpy()
predicted = np.einsum("ij,ij->i", U[rows], V[cols])
if biased:
    predicted += (trained["global_mean"] + np.load(f"{folder}/user_bias.npy").astype(float)[rows]
                  + np.load(f"{folder}/movie_bias.npy").astype(float)[cols])
stars = val.rating.to_numpy()
rmse = math.sqrt(np.mean((predicted - stars) ** 2))
assert len(val) == trained["validation_rows"] > 0, (len(val), trained["validation_rows"])
assert math.isclose(rmse, trained["validation_rmse"], rel_tol=1e-5), (rmse, trained)
# Baselines on the same rows: a model predicting 0 stars everywhere, and one predicting the
# train set's mean rating. The biased model fits observed stars, so it must beat the mean;
# weighted ALS pulls every unseen pair towards 0 stars, so it need only beat predicting 0, by a
# clear margin.
zero = math.sqrt(np.mean(stars ** 2))
mean = math.sqrt(np.mean((stars - pd.read_csv("processed/train.csv").rating.mean()) ** 2))
if biased:
    assert rmse < mean, (rmse, mean)
else:
    assert rmse < 0.8 * zero, (rmse, zero)
fit = report["models"][0]["rating_fit"]
assert fit["predicts_stars"] is True, fit
val_fit = fit["stars"]["val"]
# evaluate's stars RMSE is the same predict() train_svd validated with (target rating).
assert math.isclose(val_fit["rmse"], trained["validation_rmse"], rel_tol=1e-9), (val_fit, trained)
seed = fit["final_rating"]["val"]
assert seed["rmse"] is not None and 0 <= seed["rmse"] < val_fit["rmse"], seed  # converted units
# The sessions on the model find more likes than the random baseline on the same users.
systems = {s["name"]: s for s in report["systems"]}
assert systems["configured"]["likes_at_20"] > systems["random"]["likes_at_20"], systems
PYEOF
done

# A recommend --json session on the biased model: four favourites, then answers.
"$PY" - <<'PYEOF'
import csv, json, re
embedded = set(json.load(open("biased/movie_map.json")))
rows = list(csv.DictReader(open("processed/movie_metadata.csv", encoding="utf-8")))
plain = re.compile(r"^[^,()]+ \(\d{4}\)$")
inside = sorted((r for r in rows if r["movieId"] in embedded and plain.match(r["title"])),
                key=lambda r: -int(r["rating_count"]))
open("session.txt", "w").write("".join(r["title"] + "\n" for r in inside[:4]) + "y\nn\ns\nq\n")
PYEOF
for name in als biased; do
  "$BIN/recommend" --artifacts "$name" --processed processed --seed 3 --json \
    --policy "$SRC/config/recommender_policy.yaml" < session.txt > "$name.jsonl" 2> /dev/null ||
    fail "recommend on $name failed"
  "$PY" - "$name.jsonl" <<'PYEOF' || fail "recommend --json on $name is wrong"
import json, sys
events = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
names = [e["event"] for e in events]
assert names.count("favourite") == 4 and names.count("recommendation") >= 3, names
assert names[-1] == "end", names
PYEOF
done

# Damaged biases: evaluate and recommend both refuse them through the one loader.
cp -r biased broken
"$PY" -c "import numpy as np; b = np.load('broken/movie_bias.npy'); b[0] = np.nan; np.save('broken/movie_bias.npy', b)"
for program in evaluate recommend; do
  set +e
  "$BIN/$program" --processed processed --artifacts broken \
    --policy "$SRC/config/recommender_policy.yaml" < /dev/null > /dev/null 2> err.txt
  code=$?
  set -e
  [ $code -eq 1 ] && grep -q "movie_bias.npy: holds NaN" err.txt ||
    fail "$program on a NaN bias: exit $code, $(cat err.txt)"
done
rm broken/user_bias.npy
set +e
"$BIN/evaluate" --processed processed --artifacts broken \
  --policy "$SRC/config/recommender_policy.yaml" > /dev/null 2> err.txt
code=$?
set -e
[ $code -eq 1 ] && grep -q "movie_bias.npy is there but user_bias.npy is missing" err.txt ||
  fail "a missing user_bias.npy: exit $code, $(cat err.txt)"
echo "train_als: ok"
