#!/usr/bin/env bash
# Times the offline pipeline (preprocess + train_svd) with /usr/bin/time -v: wall time and peak
# memory (maximum resident set size) per step, on ml-latest-small and on a synthetic release.
#
#   bench/bench_pipeline.sh [SIZE] [--config FILE] [--model NAME] [--no-small] [--no-synthetic]
#                           [--no-hyperfine] [--keep]
#
# --config is the pipeline config both steps use (default config/pipeline.yaml, the shipped ALS
# model; config/seed_pipeline.yaml times the seed's SVD); --model overrides its train.model for
# train_svd (biased_als: the observed-entries model LibMF's mf-train -f 0 is compared with).
# SIZE is the synthetic release's rating count (default 25M; 2500000, 500k and 25M all work).
# It is generated once into bench/synthetic-<SIZE>/ (git-ignored) with build/bin/make_synthetic,
# whose own time and memory are measured then. With hyperfine installed, the small case is also
# run repeatedly for a steadier figure. Results: a table on stdout, and in bench/results/
# (git-ignored) the table, the raw time -v reports and hyperfine's. Pipeline outputs go to a
# scratch folder in bench/results/ that is removed at the end unless --keep is given.
# Targets (issue 2): ml-latest-small end to end under 0.5 s; 25M ratings under 60 s and 3 GB.
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh"
cd "$REPO_ROOT"

size=25M small=1 synthetic=1 hyperfine=1 keep=0 config=config/pipeline.yaml model_flags=()
while (($# > 0)); do
  arg=$1
  shift
  case $arg in
    --config) config=${1:?--config needs a file}; shift ;;
    --model) model_flags=(--model "${1:?--model needs a name}"); shift ;;
    --no-small) small=0 ;;
    --no-synthetic) synthetic=0 ;;
    --no-hyperfine) hyperfine=0 ;;
    --keep) keep=1 ;;
    -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) size=$arg ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done
ratings=$(rating_count "$size") || exit 1
[[ -f $config ]] || die "no pipeline config '$config'"

ensure_packages "${BUILD_PACKAGES[@]}" time
build_release_tree programs
BIN=$REPO_ROOT/build/bin
RESULTS=$REPO_ROOT/bench/results
STAMP=$(date +%Y%m%d-%H%M%S)
SCRATCH=$RESULTS/scratch-$$
mkdir -p "$RESULTS" "$SCRATCH"
[[ $keep == 1 ]] || trap 'rm -rf "$SCRATCH"' EXIT
TABLE=$RESULTS/pipeline-$STAMP.txt
ROWS=()

# measure CASE STEP COMMAND...: runs COMMAND under /usr/bin/time -v, keeps the report, and adds
# a row "CASE STEP wall-seconds cpu-seconds megabytes" to ROWS. CPU time (user + system) is
# there because wall time on a shared machine also counts waiting for a core.
measure() {
  local case=$1 step=$2
  shift 2
  local report=$RESULTS/time-$STAMP-$case-$step.txt
  say "$case: $step"
  if ! /usr/bin/time -v -o "$report" "$@" >"$RESULTS/out-$STAMP-$case-$step.txt" 2>&1; then
    tail -n 20 "$RESULTS/out-$STAMP-$case-$step.txt" >&2
    die "$case: $step failed (output in $RESULTS/out-$STAMP-$case-$step.txt)"
  fi
  ROWS+=("$(awk -v c="$case" -v s="$step" '
    /Elapsed \(wall clock\)/ { n = split($NF, p, ":"); t = 0; for (i = 1; i <= n; i++) t = t * 60 + p[i] }
    /User time|System time/ { cpu += $NF }
    /Maximum resident set size/ { kb = $NF }
    END { printf "%s %s %.2f %.2f %.0f\n", c, s, t, cpu, kb / 1024 }' "$report")")
}

pipeline_ready() {
  local program
  for program in preprocess train_svd; do
    if [[ ! -x $BIN/$program ]]; then
      say "build/bin/$program is not built yet; skipping the pipeline timings"
      return 1
    fi
  done
}

# bench_pipeline CASE DATA_DIR: preprocess then train_svd on DATA_DIR, into the scratch folder.
bench_pipeline() {
  local case=$1 data=$2
  pipeline_ready || return 0
  measure "$case" preprocess "$BIN/preprocess" --data "$data" --out "$SCRATCH/$case/processed" \
    --config "$config"
  measure "$case" train_svd "$BIN/train_svd" --processed "$SCRATCH/$case/processed" \
    --out "$SCRATCH/$case/artifacts" --config "$config" "${model_flags[@]}"
}

small_data() {
  local dir
  for dir in data/ml-latest-small "${MOVIEREC_SHARED_DATA:-$REPO_ROOT/../shared/data}/ml-latest-small"; do
    [[ -f $dir/ratings.csv ]] && { echo "$dir"; return 0; }
  done
  return 1
}

if [[ $small == 1 ]]; then
  if dir=$(small_data); then
    bench_pipeline small "$dir"
    if [[ $hyperfine == 1 ]] && pipeline_ready; then
      if command -v hyperfine >/dev/null; then
        say "small: hyperfine, preprocess + train_svd end to end"
        hyperfine --warmup 1 --runs 10 --export-markdown "$RESULTS/hyperfine-$STAMP-small.md" \
          "$BIN/preprocess --data $dir --out $SCRATCH/hf/processed --config $config && $BIN/train_svd --processed $SCRATCH/hf/processed --out $SCRATCH/hf/artifacts --config $config" \
          >&2
      else
        say "hyperfine is not installed (apt-get install hyperfine); skipping repeated runs"
      fi
    fi
  else
    say "no ml-latest-small in data/ or ../shared/data (tools/run.sh fetches it); skipping"
  fi
fi

if [[ $synthetic == 1 ]]; then
  release=bench/synthetic-$size
  if [[ -f $release/synthetic.json ]] && grep -q "\"ratings\": $ratings" "$release/synthetic.json"; then
    say "using $release/ (generated before)"
  else
    measure "synthetic-$size" make_synthetic "$BIN/make_synthetic" --out "$release" --ratings "$ratings"
  fi
  bench_pipeline "synthetic-$size" "$release"
fi

{
  printf '%-20s %-15s %9s %8s %13s\n' case step "wall (s)" "CPU (s)" "max RSS (MB)"
  for row in "${ROWS[@]}"; do
    read -ra fields <<<"$row"
    printf '%-20s %-15s %9s %8s %13s\n' "${fields[@]}"
  done
  # End-to-end: the two pipeline steps' times added up, and the larger of their peaks.
  printf '%s\n' "${ROWS[@]}" | awk '$2 != "make_synthetic" && NF == 5 {
      t[$1] += $3; u[$1] += $4; if ($5 > m[$1]) m[$1] = $5 }
    END { for (c in t) printf "%-20s %-15s %9.2f %8.2f %13.0f\n", c, "end to end", t[c], u[c], m[c] }'
  echo "config: $config ${model_flags[*]}"
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$TABLE"
say "table saved to ${TABLE#"$REPO_ROOT"/}"
