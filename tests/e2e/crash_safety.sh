#!/usr/bin/env bash
# End-to-end: preprocess and train_svd killed with SIGKILL at many points of their run. After
# each kill, processed/ and artifacts/ must be whole and consistent (every file the manifest
# lists present with its checksum; the embeddings' shapes as the maps and k say; the artifacts
# trained on this processed/), either the previous run's or, when the kill came after the commit,
# the new one's, and recommend must load them and run a session. Leftover temporary folders of
# killed runs must not break the next run, which removes them.
# Usage: crash_safety.sh BIN_DIR SOURCE_DIR [PROGRAM]
#   PROGRAM: preprocess or train_svd kills only that program; both by default. ctest runs the two
#   as separate tests side by side (e2e.crash_safety.preprocess, e2e.crash_safety.train_svd: the
#   ctest-parts line below), since this is the longest test of the suite.
#   KILL_POINTS=N (default 16): kills per program, spread evenly over a measured run.
# ctest-parts: preprocess train_svd
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"
POINTS=${KILL_POINTS:-16}
PART=${3:-both}
[[ $PART == @(preprocess|train_svd|both) ]] || fail "PROGRAM must be preprocess or train_svd, not '$PART'"
CONFIG=(--config "$SRC/config/pipeline.yaml")

# Big enough that each program runs for about a second in a Release build (longer when
# sanitized: the kill points follow the measured time).
"$BIN/make_synthetic" --out data --ratings 400000 --users 4000 --movies 3000 --seed 11 > /dev/null
# Two configurations, so that a new folder differs from the one it replaces.
PREPROCESS_A=("$BIN/preprocess" --data data --out processed "${CONFIG[@]}" --min-movie-ratings 20)
PREPROCESS_B=("$BIN/preprocess" --data data --out processed "${CONFIG[@]}" --min-movie-ratings 25)
TRAIN_A=("$BIN/train_svd" --processed processed --out artifacts "${CONFIG[@]}" --k 16)
TRAIN_B=("$BIN/train_svd" --processed processed --out artifacts "${CONFIG[@]}" --k 12)
RECOMMEND=("$BIN/recommend" --policy "$SRC/config/recommender_policy.yaml" --artifacts artifacts
           --processed processed)

# check.py: exit 0 when both folders are whole and consistent with each other, 3 when each is
# whole but the artifacts were trained on another processed/ (preprocess committed before the
# kill), 1 otherwise. It also writes session.txt: four favourites in the catalog, y, q.
cat > check.py <<'PYEOF'
import ast, csv, ctypes, json, os, sys
xxh = ctypes.CDLL("libxxhash.so.0")
xxh.XXH3_64bits.restype = ctypes.c_uint64
xxh.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
def checksum(path):
    data = open(path, "rb").read()
    return format(xxh.XXH3_64bits(data, len(data)), "016x")
def npy_shape(path):  # the header of a format 1.0 .npy file, and its size against the shape
    data = open(path, "rb").read()
    assert data[:8] == b"\x93NUMPY\x01\x00", path
    length = int.from_bytes(data[8:10], "little")
    header = ast.literal_eval(data[10:10 + length].decode("latin-1"))
    rows, cols = header["shape"]
    assert header["descr"] == "<f4" and len(data) == 10 + length + 4 * rows * cols, path
    return rows, cols
processed = json.load(open("processed/manifest.json"))
expected = {"ratings_filtered.csv", "movies_filtered.csv", "train.csv", "val.csv", "test.csv",
            "train_transformed.csv", "val_transformed.csv", "test_transformed.csv",
            "user_means.json", "movie_popularity.json", "train_max_timestamp.txt",
            "movie_metadata.csv", "rare_train_transformed.csv"}
assert set(processed["files"]) == expected, sorted(processed["files"])
assert set(os.listdir("processed")) == expected | {"manifest.json"}, sorted(os.listdir("processed"))
for name, entry in processed["files"].items():
    assert checksum(f"processed/{name}") == entry["checksum"], f"processed/{name}: checksum"
artifacts = json.load(open("artifacts/manifest.json"))
# make_synthetic's ratings come in no order, so train_svd writes no lead-ins for them.
lead_ins = {"lead_in_rows.npy", "lead_in_weights.npy"} if artifacts["lead_ins"]["written"] else set()
assert set(os.listdir("artifacts")) == {"manifest.json", "user_map.json", "movie_map.json",
                                        "user_embeddings.npy", "movie_embeddings.npy",
                                        "outside_movie_map.json", "outside_movie_embeddings.npy",
                                        "outside_movie_ratings.npy"} | lead_ins
maps = {}
for name in ("user", "movie"):
    maps[name] = json.load(open(f"artifacts/{name}_map.json"))
    assert npy_shape(f"artifacts/{name}_embeddings.npy") == (len(maps[name]), artifacts["k"]), name
rows = [r for r in csv.DictReader(open("processed/movie_metadata.csv", encoding="utf-8"))
        if r["movieId"] in maps["movie"]]
rows.sort(key=lambda r: -int(r["rating_count"]))
open("session.txt", "w").write("".join(r["title"] + "\n" for r in rows[:4]) + "y\nq\n")
trained_here = all(processed["files"][name]["checksum"] == value
                   for name, value in artifacts["inputs"].items())
sys.exit(0 if trained_here else 3)
PYEOF

# check_folders WHEN: both folders whole and consistent, and a recommend session on them. After
# preprocess committed, the artifacts belong to the previous processed/: recommend must refuse
# them naming train_svd, and a retraining makes the pair whole again.
check_folders() {
  local when=$1 status=0
  "$PY" check.py || status=$?
  if ((status == 3)); then
    [[ $when == preprocess* ]] || fail "after $when: artifacts trained on another processed/"
    if "${RECOMMEND[@]}" --json < /dev/null > /dev/null 2> refused.txt; then
      fail "after $when: recommend accepted artifacts trained on another processed/"
    fi
    grep -q "run: build/bin/train_svd" refused.txt || fail "no fix command: $(cat refused.txt)"
    "${TRAIN_A[@]}" > /dev/null
    status=0
    "$PY" check.py || status=$?
  fi
  ((status == 0)) || fail "after $when: the folders are not whole and consistent"
  "${RECOMMEND[@]}" --seed 1 --json < session.txt > session.jsonl 2> session_err.txt ||
    fail "after $when: recommend refused the folders: $(cat session_err.txt)"
  [ "$(grep -c '"event":"favourite"' session.jsonl)" -eq 4 ] &&
    tail -n 1 session.jsonl | grep -q '"reason":"quit"' ||
    fail "after $when: the recommend session went wrong: $(cat session.jsonl)"
}

# time_run VAR COMMAND...: runs COMMAND to the end and sets VAR to how long it took, in seconds.
# COMMAND runs in this shell, not in a command substitution (where set -e does not apply), so
# a failed run fails the test instead of timing a failure.
time_run() {
  local var=$1 start end
  shift
  start=$(date +%s.%N)
  "$@" > /dev/null 2> run_err.txt || fail "$* failed: $(cat run_err.txt)"
  end=$(date +%s.%N)
  printf -v "$var" '%s' "$("$PY" -c "print(f'{$end - $start:.3f}')")"
}

# kill_at SECONDS COMMAND...: starts it, kills it with SIGKILL after SECONDS (if still running).
# The run must end killed (status 137) or successful: one that failed on its own (a bad flag, a
# sanitizer report) would leave the folders untouched, and the checks would pass for nothing.
kill_at() {
  local delay=$1 status=0
  shift
  "$@" > /dev/null 2> killed_err.txt &
  local pid=$!
  sleep "$delay"
  kill -KILL "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || status=$?
  ((status == 0 || status == 128 + 9)) ||
    fail "$* exited $status before it was killed: $(cat killed_err.txt)"
}

# kill_many NAME COMMAND_A COMMAND_B: kills the commands, B and A in turn, at POINTS delays
# spread over a measured run of A, and checks the folders after each.
kill_many() {
  local name=$1 duration delay i before replaced=0
  local -n command_a=$2 command_b=$3
  time_run duration "${command_a[@]}"
  check_folders "a whole $name run"
  for ((i = 1; i <= POINTS; i++)); do
    delay=$("$PY" -c "print(f'{$duration * $i / $POINTS:.3f}')")
    before=$(cat processed/manifest.json artifacts/manifest.json | cksum)
    if ((i % 2)); then kill_at "$delay" "${command_b[@]}"; else kill_at "$delay" "${command_a[@]}"; fi
    [[ $(cat processed/manifest.json artifacts/manifest.json | cksum) == "$before" ]] ||
      replaced=$((replaced + 1))
    check_folders "$name killed at ${delay} s of ${duration} s"
  done
  echo "$name: $POINTS kills over a ${duration} s run ($replaced after the new folder was" \
    "committed); the folders were whole after each"
}

"${PREPROCESS_A[@]}" > /dev/null
"${TRAIN_A[@]}" > /dev/null
if [[ $PART != train_svd ]]; then
  kill_many preprocess PREPROCESS_A PREPROCESS_B
fi
if [[ $PART != preprocess ]]; then
  kill_many train_svd TRAIN_A TRAIN_B
fi

# The next runs succeed over whatever the killed ones left, and remove their temporary folders.
"${PREPROCESS_B[@]}" > /dev/null || fail "preprocess failed after the kills"
"${TRAIN_B[@]}" > /dev/null || fail "train_svd failed after the kills"
check_folders "the runs after the kills"
leftovers=$(find . -maxdepth 1 -name '.*.tmp-*')
[ -z "$leftovers" ] || fail "temporary folders left behind: $leftovers"
echo "crash safety e2e: ok"
