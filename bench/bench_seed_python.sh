#!/usr/bin/env bash
# Times the whole offline pipeline against the seed design's (pandas + scikit-learn) on one
# synthetic release: wall, CPU and peak memory of
#   scripts  bench/seed_scripts/run.sh: the seed's pipeline as the seed lays it out, four Python
#            programs (filter_data, split_data, transform_data, train_svd_model), each reading
#            the files the one before wrote
#   python   /usr/bin/python3 bench/seed_pipeline.py: the same work fused into one process, the
#            files passed on in memory (the fastest pandas we wrote)
#   seed     preprocess + train_svd --config config/seed_pipeline.yaml (the same work: SVD k 50)
#   shipped  preprocess + train_svd with config/pipeline.yaml (weighted ALS, k 20, 12 iterations)
#
#   bench/bench_seed_python.sh [SIZE] [--runs N]
#
# SIZE is the release's rating count (default 1M), generated once into bench/synthetic-<SIZE>/
# with build/bin/make_synthetic. Each pipeline runs N times (default 3); the table shows the
# fastest run of each and the speed-up of each over the seed's scripts and over the fused python. Results also go to bench/results/.
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh"
cd "$REPO_ROOT"

size=1M runs=3
while (($# > 0)); do
  arg=$1
  shift
  case $arg in
    --runs) runs=${1:?--runs needs a number}; shift ;;
    -h | --help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) size=$arg ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done
ratings=$(rating_count "$size") || exit 1

ensure_packages "${BUILD_PACKAGES[@]}" time python3-pandas python3-numpy python3-sklearn python3-joblib
build_release_tree preprocess train_svd make_synthetic
BIN=$REPO_ROOT/build/bin
RESULTS=$REPO_ROOT/bench/results
STAMP=$(date +%Y%m%d-%H%M%S)
SCRATCH=$RESULTS/seed-python-$$
mkdir -p "$RESULTS" "$SCRATCH"
trap 'rm -rf "$SCRATCH"' EXIT
release=bench/synthetic-$size
if [[ -f $release/synthetic.json ]] && grep -q "\"ratings\": $ratings" "$release/synthetic.json"; then
  say "using $release/ (generated before)"
else
  "$BIN/make_synthetic" --out "$release" --ratings "$ratings" >/dev/null
fi

# timed FILE COMMAND...: appends "wall cpu megabytes" of COMMAND to FILE.
timed() {
  local file=$1 report
  shift
  report=$(mktemp)
  /usr/bin/time -f '%e %U %S %M' -o "$report" "$@" >/dev/null
  awk '{ printf "%.2f %.2f %.0f\n", $1, $2 + $3, $4 / 1024 }' "$report" >>"$file"
  rm -f "$report"
}

# pipeline NAME: one run of that pipeline, its steps' times added and their peak kept.
pipeline() {
  local steps=$SCRATCH/steps
  : >"$steps"
  case $1 in
    scripts)
      timed "$steps" bench/seed_scripts/run.sh "$release" "$SCRATCH/scripts" ;;
    python)
      timed "$steps" /usr/bin/python3 bench/seed_pipeline.py --data "$release" --out "$SCRATCH/py" ;;
    seed | shipped)
      local config=config/pipeline.yaml
      [[ $1 == seed ]] && config=config/seed_pipeline.yaml
      timed "$steps" "$BIN/preprocess" --data "$release" --out "$SCRATCH/$1/processed" --config "$config"
      timed "$steps" "$BIN/train_svd" --processed "$SCRATCH/$1/processed" \
        --out "$SCRATCH/$1/artifacts" --config "$config" ;;
  esac
  awk '{ t += $1; c += $2; if ($3 > m) m = $3 } END { printf "%.2f %.2f %.0f\n", t, c, m }' "$steps"
}

declare -A best
for name in scripts python seed shipped; do
  for ((run = 1; run <= runs; run++)); do
    say "$name: run $run of $runs"
    row=$(pipeline "$name")
    read -r wall _ _ <<<"$row"
    if [[ -z ${best[$name]:-} ]] || awk -v a="$wall" -v b="${best[$name]%% *}" 'BEGIN { exit !(a < b) }'; then
      best[$name]=$row
    fi
  done
done

TABLE=$RESULTS/seed-python-$STAMP.txt
{
  printf '%-10s %9s %8s %13s %12s %11s\n' pipeline "wall (s)" "CPU (s)" "max RSS (MB)" \
    "vs scripts" "vs python"
  scripts_wall=${best[scripts]%% *} python_wall=${best[python]%% *}
  for name in scripts python seed shipped; do
    read -r wall cpu mb <<<"${best[$name]}"
    printf '%-10s %9s %8s %13s %11.1fx %10.1fx\n' "$name" "$wall" "$cpu" "$mb" \
      "$(awk -v p="$scripts_wall" -v w="$wall" 'BEGIN { print p / w }')" \
      "$(awk -v p="$python_wall" -v w="$wall" 'BEGIN { print p / w }')"
  done
  echo "release: $release ($ratings ratings), fastest of $runs runs each"
  echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$TABLE"
say "table saved to ${TABLE#"$REPO_ROOT"/}"
