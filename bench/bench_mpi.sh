#!/usr/bin/env bash
# Times train_svd under mpirun on one machine: seconds per ALS iteration, the time process 0
# spends in MPI calls per iteration, the bytes the processes receive per iteration (MPI_Allgatherv,
# and what exchanging only the rows each process's ratings touch would move), the ratings each
# process holds and its peak memory (GNU time's maximum resident set, whole program), for 1, 2
# and 4 processes (and train_svd alone), on a synthetic release, with the shipped config.
#
#   bench/bench_mpi.sh [SIZE] [--processes "1 2 4"] [--iterations N] [--keep] [--bin DIR]
#
# SIZE is the synthetic release's rating count (default 2M; 500k and 25M work too), generated
# once into bench/synthetic-<SIZE>/ (git-ignored) with build/bin/make_synthetic and preprocessed
# into bench/results/. Each process solves its rows on every core (the library's thread pool),
# and mpirun is given --oversubscribe and --bind-to none: on a 2-core machine, 4 processes share
# the 2 cores, so these figures show the exchange's overhead, not a speed-up. Results: a table on
# stdout and in bench/results/mpi-<stamp>.txt (git-ignored). The seconds are the median of the
# iterations after the first. --bin DIR times another build's train_svd (e.g. an older one).
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/common.sh"
cd "$REPO_ROOT"

size=2M processes="1 2 4" iterations=6 keep=0 train_bin=
while (($# > 0)); do
  arg=$1
  shift
  case $arg in
    --processes) processes=${1:?--processes needs a list}; shift ;;
    --iterations) iterations=${1:?--iterations needs a number}; shift ;;
    --keep) keep=1 ;;
    --bin) train_bin=${1:?--bin needs a folder}; shift ;;
    -h | --help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) size=$arg ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done
ratings=$(rating_count "$size") || exit 1
[[ $iterations =~ ^[0-9]+$ && $iterations -ge 2 ]] || die "--iterations must be 2 or more"

ensure_packages "${BUILD_PACKAGES[@]}" openmpi-bin
build_release_tree train_svd preprocess make_synthetic
BIN=$REPO_ROOT/build/bin
RESULTS=$REPO_ROOT/bench/results
STAMP=$(date +%Y%m%d-%H%M%S)
SCRATCH=$RESULTS/scratch-mpi-$$
mkdir -p "$RESULTS" "$SCRATCH"
[[ $keep == 1 ]] || trap 'rm -rf "$SCRATCH"' EXIT
TABLE=$RESULTS/mpi-$STAMP.txt

release=$REPO_ROOT/bench/synthetic-$size
if [[ ! -d $release ]]; then
  say "generating $ratings ratings into $release"
  "$BIN/make_synthetic" --out "$release" --ratings "$ratings" > /dev/null
fi
say "preprocessing"
"$BIN/preprocess" --data "$release" --out "$SCRATCH/processed" > /dev/null

MPIRUN=(mpirun --oversubscribe --bind-to none)
[[ $(id -u) -ne 0 ]] || MPIRUN+=(--allow-run-as-root)
TIME=(/usr/bin/time -a -o "$SCRATCH/peaks" -f "%M")
TRAIN=("${train_bin:-$BIN}/train_svd" --processed "$SCRATCH/processed" --als-iterations "$iterations")

# since START: seconds from START (date +%s.%N) to now.
since() { awk -v start="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.2f", now - start }'; }

# row NAME FOLDER WALL: one line of the table from FOLDER's manifest and the peaks (kB, one line
# per process) GNU time appended to $SCRATCH/peaks, which it then empties.
row() {
  /usr/bin/python3 - "$@" "$SCRATCH/peaks" <<'PYEOF'
import json, statistics, sys
name, folder, wall, peaks = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
m = json.load(open(f"{folder}/manifest.json"))
rows = m["rows"]
mpi = m.get("mpi")
kb = [int(line) for line in open(peaks) if line.strip().isdigit()]
open(peaks, "w").close()
peak = "/".join(f"{k / 1e6:.2f}" for k in kb)
if mpi:
    per = statistics.median(mpi["seconds_per_iteration"][1:])
    held = mpi.get("ratings_held")
    touched = mpi.get("touched_rows_bytes_per_iteration")
    held_text = f"{held / mpi['processes'] / 1e6:.2f}" if held is not None else "all"
    touched_text = f"{touched / 1e6:.2f}" if touched is not None else "-"
    print(f"| {name} | {rows['nonzeros']} | {m['k']} | {per:.3f} | "
          f"{mpi['exchange_seconds_per_iteration']:.3f} | "
          f"{mpi['bytes_per_iteration'] / 1e6:.2f} | {touched_text} | {held_text} | {peak} | {wall:.1f} |")
else:
    print(f"| {name} | {rows['nonzeros']} | {m['k']} | - | - | 0 | - | all | {peak} | {wall:.1f} |")
PYEOF
}

{
  echo "| run | ratings | k | s / iteration | of it in MPI (s) | MB received / iteration (Allgatherv) | MB if only touched rows (Alltoallv) | M ratings held per process | peak GB per process | wall (s) |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  start=$(date +%s.%N)
  "${TIME[@]}" "${TRAIN[@]}" --out "$SCRATCH/alone" > /dev/null
  row "train_svd alone" "$SCRATCH/alone" "$(since "$start")"
  for n in $processes; do
    start=$(date +%s.%N)
    "${MPIRUN[@]}" -np "$n" "${TIME[@]}" "${TRAIN[@]}" --out "$SCRATCH/np$n" > /dev/null
    row "mpirun -np $n" "$SCRATCH/np$n" "$(since "$start")"
  done
} | tee "$TABLE"
say "table in $TABLE (machine: $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
