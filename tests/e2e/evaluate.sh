#!/usr/bin/env bash
# End-to-end: a small synthetic release (make_synthetic), preprocess, train_svd with the shipped
# and the seed pipeline configs, then evaluate: the report as JSON (byte-identical across runs
# and thread counts; keys and value ranges checked with Python, the seed RMSE against what
# train_svd recorded), the SVG chart (valid XML, a legend, one path per system), a --compare
# system, a user sample, every model baseline (chosen values from their grids, intervals against
# the configured system), --answers, and the errors: bad flags exit 2, missing artifacts exit 1
# naming the command that makes them. Usage: evaluate.sh BIN_DIR SOURCE_DIR [PART]: the model
# baselines are a part of their own (the costliest), run by ctest beside the rest.
# ctest-parts: sessions baselines
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"

PART=${3:-both}
[[ $PART == @(sessions|baselines|both) ]] || fail "PART must be sessions or baselines, not '$PART'"
small_release 5
"$BIN/train_svd" --processed processed --out artifacts --config "$SRC/config/pipeline.yaml" \
  --k 8 > /dev/null
"$BIN/train_svd" --processed processed --out seed-artifacts \
  --config "$SRC/config/seed_pipeline.yaml" --k 6 > /dev/null
POLICY=(--policy "$SRC/config/recommender_policy.yaml")
EVALUATE=("$BIN/evaluate" --processed processed --artifacts artifacts "${POLICY[@]}")
COMPARE=(--compare "seed=seed-artifacts,$SRC/config/seed_policy.yaml")

"$BIN/evaluate" --help > help.txt || fail "--help exits non-zero"
for flag in --processed --artifacts --policy --users --steps --seed --json --plot --compare \
    --baselines --answers --resamples --ials-iterations; do
  grep -q -- "$flag" help.txt || fail "--help lacks $flag"
done
grep -q "config/recommender_policy.yaml" help.txt || fail "--help lacks the policy default"

if [[ $PART == @(baselines|both) ]]; then
# Every model baseline, on a sample of users: each chose values from its grid on val answers,
# and each has an interval against the configured system. Again on one thread, without iALS (its
# grid search is most of the cost; --threads changes only how the simulated users are spread,
# which the other systems exercise the same way): the systems in common are the same, values and
# choices.
"${EVALUATE[@]}" --users 60 --steps 10 --ials-iterations 3 --json baselines.json > baselines.txt ||
  fail "evaluate with the baselines failed"
"${EVALUATE[@]}" --users 60 --steps 10 --json baselines2.json --threads 1 \
  --baselines popular,random,ease,puresvd,knn,rp3beta > /dev/null
"$PY" - baselines.json baselines2.json <<'PYEOF' || fail "baselines: 2 threads and 1 differ"
import json, sys
a, b = (json.load(open(name)) for name in sys.argv[1:])
one = {s["name"]: s for s in b["systems"]}
common = [s for s in a["systems"] if s["name"] in one]
assert len(common) == len(one) == len(a["systems"]) - 1, [s["name"] for s in a["systems"]]
for s in common:
    t = one[s["name"]]
    for key in ("likes_per_step", "likes_at_10", "config", "against_first"):
        assert s.get(key) == t.get(key), (s["name"], key, s.get(key), t.get(key))
PYEOF
for row in EASE "PureSVD (k 20)" PureSVD item-kNN RP3beta iALS "chosen on val answers" \
    "paired bootstrap"; do
  grep -q -- "$row" baselines.txt || fail "the table lacks '$row': $(cat baselines.txt)"
done
grep -q "time: iALS" baselines.txt || fail "no baseline timing: $(cat baselines.txt)"
"$PY" - baselines.json <<'PYEOF' || fail "the baselines' report is wrong"
import json, sys
report = json.load(open(sys.argv[1]))
systems = {s["name"]: s for s in report["systems"]}
grids = {"ease": {"lambda"}, "puresvd": {"k"}, "knn": {"neighbours", "shrinkage"},
         "rp3beta": {"alpha", "beta"}, "ials": {"k", "unobserved_weight", "regularization"}}
names = ["EASE", "PureSVD (k 20)", "PureSVD", "item-kNN", "RP3beta", "iALS"]
assert [s["name"] for s in report["systems"]][4:] == names, list(systems)
for name in names:
    s = systems[name]
    config = s["config"]
    assert s["kind"] == "baseline" and s["online_learning"] is None, s
    assert set(config["chosen"]) == grids[config["family"]], config
    tried = config["tried"]
    assert tried and config["val_likes"] == max(t["val_likes"] for t in tried), config
    assert any(t["values"] == config["chosen"] for t in tried), config
    d = s["against_first"]
    assert d["low"] <= d["difference"] <= d["high"] and d["relative"] is not None, d
    assert len(s["likes_per_step"]) == 10 and s["users"] == 60
assert systems["PureSVD (k 20)"]["config"]["chosen"] == {"k": 20}
assert report["skipped_baselines"] == []
PYEOF

fi
[[ $PART == @(sessions|both) ]] || { echo "evaluate e2e ($PART): ok"; exit 0; }

# The session systems and the two simple baselines here; the model baselines above.
QUICK=(--baselines "popular,random")
"${EVALUATE[@]}" "${COMPARE[@]}" "${QUICK[@]}" --json report1.json --plot chart.svg > table.txt ||
  fail "evaluate failed"
"${EVALUATE[@]}" "${COMPARE[@]}" "${QUICK[@]}" --json report2.json --threads 1 > /dev/null
cmp -s report1.json report2.json || fail "two runs (2 threads, 1 thread) differ"
for row in "configured" "configured (learning off)" "seed (learning off)" "most popular" \
    "random" "Recall@10" "NDCG@10" "likes@20" "RMSE final_rating" \
    "Favourites from the whole release" "configured, catalog favourites"; do
  grep -q -- "$row" table.txt || fail "the table lacks '$row': $(cat table.txt)"
done

"$PY" - report1.json artifacts/manifest.json seed-artifacts/manifest.json <<'PYEOF' \
  || fail "the JSON report is wrong"
import json, math, sys
report = json.load(open(sys.argv[1]))
trained = [json.load(open(name)) for name in sys.argv[2:]]
for key in ("format_version", "program", "options", "protocol", "data", "users", "models",
            "systems"):
    assert key in report, key
assert report["program"] == "evaluate" and report["format_version"] == 1
assert report["options"] == {"steps": 20, "users": None, "seed": 1, "top_k": 10,
                             "answers": "val+test", "baselines": ["popular", "random"],
                             "resamples": 1000}, report["options"]
assert report["bootstrap"] == {"resamples": 1000, "level": 0.95, "seed": 1,
                               "reference": "configured"}, report["bootstrap"]
assert report["protocol"] == {"like_stars": 4.0, "dislike_stars": 2.5, "favourites": 4}
assert [m["name"] for m in report["models"]] == ["configured", "seed"]
unit = lambda x: x is not None and 0 <= x <= 1
for model in report["models"]:
    fit, ranking, config = model["rating_fit"], model["ranking"], model["config"]
    for key in ("artifacts", "policy_file", "target", "k", "predicts_stars", "pipeline", "policy"):
        assert key in config, key
    for measure in ("final_rating", "own_target"):
        for part in ("val", "test"):
            score = fit[measure][part]
            assert score["rows"] > 0 and score["rmse"] >= 0 and score["mae"] >= 0, score
            assert score["mae"] <= score["rmse"] + 1e-12, score
    # The shipped model factorises stars, so it predicts stars; the seed's does not.
    assert fit["predicts_stars"] == (config["target"] == "rating"), (config["target"], fit)
    stars = fit["stars"]["val"]["rmse"]
    assert stars > 0 if fit["predicts_stars"] else stars is None, fit["stars"]
    assert ranking["k"] == 10 and 0 < ranking["users"] <= ranking["eligible"]
    assert unit(ranking["recall"]) and unit(ranking["ndcg"]) and unit(ranking["coverage"])
# Each model's own-target measure is what train_svd recorded for it on the same rows; for the
# seed's model (target final_rating) that is also the seed's measure.
for model, manifest in zip(report["models"], trained):
    val = model["rating_fit"]["own_target"]["val"]
    assert math.isclose(val["rmse"], manifest["validation_rmse"], rel_tol=1e-9), (val, manifest)
    assert val["rows"] == manifest["validation_rows"]
seed_fit = report["models"][1]["rating_fit"]
assert seed_fit["final_rating"] == seed_fit["own_target"], seed_fit
assert report["models"][1]["config"]["k"] == 6
users = report["users"]
assert 0 < users["simulated"] == users["eligible"]
systems = report["systems"]
assert [s["name"] for s in systems] == ["configured", "configured (learning off)", "seed",
                                         "seed (learning off)", "most popular", "random"]
# Sessions whose favourites include movies outside the trained catalog, beside most popular.
release = report["release_favourites"]
assert [s["name"] for s in release["systems"]] == [
    "configured", "configured, catalog favourites", "most popular"], release
assert 0 < release["systems"][0]["users"] <= release["eligible"], release
assert 0 < release["outside_favourites"] <= 4 * release["systems"][0]["users"], release
assert release["systems"][1]["against_first"]["low"] <= release["systems"][1]["against_first"]["high"]
assert [s["kind"] for s in systems] == ["session"] * 4 + ["most_popular", "random"]
assert [s["online_learning"] for s in systems] == [True, False, True, False, None, None]
assert systems[1]["config"]["policy"]["online_learning"] is False
for s in systems:
    curve = s["likes_per_step"]
    assert len(curve) == 20 and len(s["dislikes_per_step"]) == 20
    assert all(b >= a for a, b in zip([0] + curve, curve)), curve
    assert all(b - a <= 1 + 1e-12 for a, b in zip([0] + curve, curve)), curve
    assert s["likes_at_10"] == curve[9] and s["likes_at_20"] == curve[19] == s["likes"]
    assert s["dislikes_at_20"] == s["dislikes_per_step"][19]
    assert s["users"] == users["simulated"] and unit(s["coverage"])
    assert 0 <= s["shown"] <= 20 and 0 <= s["skips"] <= 20
    assert s["likes"] + s["dislikes"] + s["skips"] <= s["shown"] + 1e-9
    d = s["against_first"]
    assert math.isclose(d["difference"], s["likes"] - systems[0]["likes"], abs_tol=1e-9), d
    assert d["low"] <= d["difference"] <= d["high"], d
assert systems[0]["against_first"]["low"] == systems[0]["against_first"]["high"] == 0
# Most popular shows everyone the same few movies; random spreads over the catalog.
assert systems[4]["coverage"] < systems[5]["coverage"]
PYEOF

"$PY" - chart.svg <<'PYEOF' || fail "the SVG chart is wrong"
import sys, xml.etree.ElementTree as ET
ns = {"svg": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg"
paths = root.findall(".//svg:path", ns)
assert len(paths) == 6, len(paths)
assert len({p.get("stroke") + (p.get("stroke-dasharray") or "") for p in paths}) == 6
legend = root.find(".//svg:g[@id='legend']", ns)
names = [t.text for t in legend.findall("svg:text", ns)]
assert names == ["configured", "configured (learning off)", "seed", "seed (learning off)",
                 "most popular", "random"], names
texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
assert "recommendations shown" in texts and any("likes" in (t or "") for t in texts)
assert root.find("svg:rect", ns).get("fill") == "#ffffff"
PYEOF

# Answers from test alone: fewer likes than from val and test together, for everyone.
"${EVALUATE[@]}" "${QUICK[@]}" --answers test --json test.json > /dev/null
"$PY" - report1.json test.json <<'PYEOF' || fail "--answers test is wrong"
import json, sys
both, test = (json.load(open(name)) for name in sys.argv[1:])
assert test["options"]["answers"] == "test"
assert test["systems"][0]["likes"] < both["systems"][0]["likes"]
PYEOF

# A sample of users, fewer steps.
"${EVALUATE[@]}" "${QUICK[@]}" --users 7 --steps 5 --seed 3 --json sample.json > /dev/null
"$PY" - sample.json <<'PYEOF' || fail "the sampled report is wrong"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["users"]["simulated"] == 7 and report["options"]["users"] == 7
assert report["models"][0]["ranking"]["users"] == 7
for s in report["systems"]:
    assert len(s["likes_per_step"]) == 5 and s["likes_at_10"] is None and s["likes_at_20"] is None
PYEOF

# Errors: usage exits 2, missing or mismatched files exit 1 and say what to run; none of them
# writes the report or the chart it was asked for.
NO_OUTPUT=(--json report3.json --plot chart3.svg)
expect_exit() {
  local code=$1; shift
  set +e
  "$@" > out.txt 2> err.txt
  local got=$?
  set -e
  [ "$got" -eq "$code" ] || fail "'$*' exited $got, expected $code: $(cat err.txt)"
  [ ! -e report3.json ] && [ ! -e chart3.svg ] || fail "'$*' failed but wrote its outputs"
}
expect_exit 2 "${EVALUATE[@]}" --no-such-flag "${NO_OUTPUT[@]}"
expect_exit 2 "${EVALUATE[@]}" --steps 0 "${NO_OUTPUT[@]}"
expect_exit 2 "${EVALUATE[@]}" --compare no-equals-sign "${NO_OUTPUT[@]}"
expect_exit 2 "${EVALUATE[@]}" --compare "=artifacts" "${NO_OUTPUT[@]}"
expect_exit 2 "${EVALUATE[@]}" --resamples 0 "${NO_OUTPUT[@]}"
expect_exit 2 "${EVALUATE[@]}" --ials-iterations 0 "${NO_OUTPUT[@]}"
expect_exit 1 "${EVALUATE[@]}" --baselines ease,slim "${NO_OUTPUT[@]}"
grep -q "unknown baseline 'slim'" err.txt || fail "an unknown baseline: $(cat err.txt)"
expect_exit 1 "${EVALUATE[@]}" --answers future "${NO_OUTPUT[@]}"
grep -q "answers" err.txt || fail "unknown answers: $(cat err.txt)"
expect_exit 1 "$BIN/evaluate" --processed processed --artifacts no-such-artifacts "${POLICY[@]}" "${NO_OUTPUT[@]}"
grep -q "train_svd" err.txt || fail "missing artifacts must name train_svd: $(cat err.txt)"
expect_exit 1 "${EVALUATE[@]}" "${QUICK[@]}" --compare "configured=seed-artifacts" "${NO_OUTPUT[@]}"
grep -q "named 'configured'" err.txt || fail "a repeated name must be refused: $(cat err.txt)"
expect_exit 1 "$BIN/evaluate" --processed processed --policy no-such-policy.yaml "${NO_OUTPUT[@]}"
cp -r processed changed && printf '1,1,4.0,1\n' >> changed/test_transformed.csv
expect_exit 1 "$BIN/evaluate" --processed changed --artifacts artifacts "${POLICY[@]}" \
  "${NO_OUTPUT[@]}"
grep -q "preprocess" err.txt || fail "a changed processed file must name preprocess: $(cat err.txt)"
echo "evaluate e2e: ok"
