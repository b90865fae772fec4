#!/usr/bin/env bash
# Reproduces the README's quality table: the shipped configuration (config/pipeline.yaml +
# config/recommender_policy.yaml) against the seed's (config/seed_pipeline.yaml +
# config/seed_policy.yaml) and the baselines, with build/bin/evaluate, on ml-latest-small and on
# data sets it was not tuned on:
#   small      data/ml-latest-small (what the shipped defaults were chosen on)
#   odd, even  ml-latest-small cut in two by user: the users with odd ids, then the even ones;
#              half the users give each movie about half the ratings, so the catalog threshold
#              is halved too (--min-movie-ratings 25), else a few hundred movies are left
#   synthetic  a release written by make_synthetic (1M ratings, seed 7: another taste structure)
#
#   bench/quality.sh [--only NAME]...
#
# Each data set is preprocessed once (both configurations share its split, so they are judged
# on the same held-out ratings) and trained twice. Results in bench/results/quality/<NAME>/:
# report.json (evaluate --json), likes.svg (evaluate --plot), evaluate.txt (its table); and a
# summary table on stdout (also bench/results/quality/summary.txt). The small set's chart is
# also copied to bench/quality_likes.svg, the README's figure.
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh"
cd "$REPO_ROOT"

ALL_SETS=(small odd even synthetic)
SETS=()
while (($# > 0)); do
  case $1 in
    --only) SETS+=("${2:?--only needs a data set name}"); shift 2 ;;
    -h | --help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
done
((${#SETS[@]} > 0)) || SETS=("${ALL_SETS[@]}")
for name in "${SETS[@]}"; do
  [[ " ${ALL_SETS[*]} " == *" $name "* ]] || die "unknown data set '$name' (one of: ${ALL_SETS[*]})"
done

SMALL=data/ml-latest-small
[[ -f $SMALL/ratings.csv ]] || die "$SMALL/ratings.csv is missing: tools/run.sh gets it"
ensure_packages "${BUILD_PACKAGES[@]}"
build_release_tree programs
BIN=$REPO_ROOT/build/bin
OUT=$REPO_ROOT/bench/results/quality
mkdir -p "$OUT"

# user_half PARITY DIR: ml-latest-small with only the users whose id % 2 == PARITY.
user_half() {
  local parity=$1 dir=$2
  mkdir -p "$dir"
  awk -F, -v p="$parity" 'NR == 1 || $1 % 2 == p' "$SMALL/ratings.csv" >"$dir/ratings.csv"
  awk -F, -v p="$parity" 'NR == 1 || $1 % 2 == p' "$SMALL/tags.csv" >"$dir/tags.csv"
  cp "$SMALL/movies.csv" "$SMALL/links.csv" "$dir/"
}

# data_dir NAME: the release folder of a data set, made when needed.
data_dir() {
  case $1 in
    small) echo "$SMALL" ;;
    odd | even)
      local dir=$OUT/data-$1
      [[ -f $dir/ratings.csv ]] || user_half "$([[ $1 == odd ]] && echo 1 || echo 0)" "$dir"
      echo "$dir" ;;
    synthetic)
      local dir=$OUT/data-synthetic
      [[ -f $dir/synthetic.json ]] ||
        "$BIN/make_synthetic" --out "$dir" --ratings 1000000 --seed 7 --tags >&2
      echo "$dir" ;;
  esac
}

for name in "${SETS[@]}"; do
  dir=$OUT/$name
  data=$(data_dir "$name")
  say "$name: preprocess, train the shipped and the seed configuration, evaluate"
  mkdir -p "$dir"
  filter=()
  [[ $name == odd || $name == even ]] && filter=(--min-movie-ratings 25)
  "$BIN/preprocess" --data "$data" --out "$dir/processed" --config config/pipeline.yaml \
    "${filter[@]}" >/dev/null
  "$BIN/train_svd" --processed "$dir/processed" --out "$dir/shipped" --config config/pipeline.yaml >/dev/null
  "$BIN/train_svd" --processed "$dir/processed" --out "$dir/seed" --config config/seed_pipeline.yaml >/dev/null
  "$BIN/evaluate" --processed "$dir/processed" --artifacts "$dir/shipped" \
    --policy config/recommender_policy.yaml --compare "seed=$dir/seed,config/seed_policy.yaml" \
    --json "$dir/report.json" --plot "$dir/likes.svg" >"$dir/evaluate.txt"
done

/usr/bin/python3 - "$OUT" "${SETS[@]}" <<'EOF' | tee "$OUT/summary.txt"
import json, sys
out, names = sys.argv[1], sys.argv[2:]
print(f"{'data':<10} {'system':<26} {'likes@10':>8} {'likes@20':>8} {'x popular':>9} "
      f"{'Recall@10':>9} {'NDCG@10':>8} {'coverage':>8}")
for name in names:
    report = json.load(open(f"{out}/{name}/report.json"))
    models = {m["name"]: m for m in report["models"]}
    popular = next(s for s in report["systems"] if s["kind"] == "most_popular")["likes_at_20"]
    for system in report["systems"]:
        ranking = models.get(system["model"], {}).get("ranking", {}) if system["kind"] == "session" else {}
        label = {"configured": "shipped"}.get(system["name"], system["name"])
        label = label.replace("configured (", "shipped (")
        recall = f"{ranking['recall']:9.4f}" if ranking else f"{'':>9}"
        ndcg = f"{ranking['ndcg']:8.4f}" if ranking else f"{'':>8}"
        print(f"{name:<10} {label:<26} {system['likes_at_10']:8.3f} {system['likes_at_20']:8.3f} "
              f"{system['likes_at_20'] / popular:9.2f} {recall} {ndcg} {system['coverage']:8.1%}")
EOF
[[ -f $OUT/small/likes.svg ]] && cp "$OUT/small/likes.svg" bench/quality_likes.svg
say "reports, plots and tables in ${OUT#"$REPO_ROOT"/}/"
