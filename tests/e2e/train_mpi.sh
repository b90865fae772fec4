#!/usr/bin/env bash
# End-to-end: train_svd under Open MPI's mpirun on a small synthetic release. The artifacts of
# -np 1, 2 and 3 (als, and biased_als on 2) agree with train_svd alone up to summation order,
# with the bytes exchanged counted as the algorithm says and each process holding only its
# share of the ratings; svd is refused under mpirun; a process
# that fails (process 0 unable to write) or dies (one killed mid-training) ends the whole job
# with a message and non-zero status, and leaves the previous artifacts whole.
# Usage: train_mpi.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"

command -v mpirun > /dev/null || fail "mpirun is missing (Debian's openmpi-bin, tools/common.sh)"
# More processes than cores (--oversubscribe); as root Open MPI wants to be told it is fine.
# In the sanitized build, LeakSanitizer would report what Open MPI keeps until exit (from plugins
# it has unloaded by then, so no suppression can name them): leak checking is off for the
# processes mpirun starts, AddressSanitizer's other checks stay on (train_svd alone, below and
# in the other tests, is still checked for leaks).
MPIRUN=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" mpirun --oversubscribe)
[ "$(id -u)" -ne 0 ] || MPIRUN+=(--allow-run-as-root)

small_release 13
BASE=("$BIN/train_svd" --processed processed --config "$SRC/config/pipeline.yaml" --target rating)
TRAIN=("${BASE[@]}" --k 6 --als-iterations 5)

"${TRAIN[@]}" --model als --out alone > alone.txt 2> alone.err ||
  fail "train_svd alone failed: $(cat alone.err)"
"${TRAIN[@]}" --model biased_als --out biased_alone > /dev/null 2> err.txt ||
  fail "biased_als alone failed: $(cat err.txt)"
for n in 1 2 3; do
  "${MPIRUN[@]}" -np "$n" "${TRAIN[@]}" --model als --out "np$n" > "np$n.txt" 2> "np$n.err" ||
    fail "mpirun -np $n train_svd failed: $(cat "np$n.err")"
  # One summary, from process 0.
  [ "$(grep -c "^wrote np$n/" "np$n.txt")" -eq 1 ] || fail "-np $n output: $(cat "np$n.txt")"
done
"${MPIRUN[@]}" -np 2 "${TRAIN[@]}" --model biased_als --out biased_np2 > /dev/null 2> err.txt ||
  fail "mpirun -np 2 biased_als failed: $(cat err.txt)"

"$PY" - <<'PYEOF' || fail "the artifacts of different process counts disagree"
import json, math, os
import numpy as np
def load(folder):
    m = json.load(open(f"{folder}/manifest.json"))
    arrays = {name: np.load(f"{folder}/{name}.npy") for name in
              ("user_embeddings", "movie_embeddings", "user_bias", "movie_bias")
              if os.path.exists(f"{folder}/{name}.npy")}
    maps = [json.load(open(f"{folder}/{name}_map.json")) for name in ("user", "movie")]
    return m, arrays, maps
for alone, runs in (("alone", {1: "np1", 2: "np2", 3: "np3"}), ("biased_alone", {2: "biased_np2"})):
    m0, a0, maps0 = load(alone)
    assert "mpi" not in m0, m0.keys()
    for n, folder in runs.items():
        m, a, maps = load(folder)
        assert maps == maps0, folder
        assert a.keys() == a0.keys(), (folder, a.keys(), a0.keys())
        for name, values in a0.items():
            assert a[name].dtype == values.dtype and a[name].shape == values.shape, (folder, name)
            assert np.allclose(a[name], values, rtol=1e-5, atol=1e-6), (folder, name,
                   float(np.abs(a[name] - values).max()))
        for key in m0:
            if key in ("created", "seconds", "als"):
                continue
            if key == "lead_ins":  # counted by the first process alone, in its own time
                assert {**m[key], "seconds": 0} == {**m0[key], "seconds": 0}, (folder, key)
                continue
            if key in ("validation_rmse", "global_mean"):
                assert math.isclose(m[key], m0[key], rel_tol=1e-6), (folder, key)
            else:
                assert m[key] == m0[key], (folder, key, m[key], m0[key])
        assert np.allclose(m["als"]["objective"], m0["als"]["objective"], rtol=1e-9), folder
        mpi = m["mpi"]
        assert mpi["processes"] == n and len(mpi["seconds_per_iteration"]) == 5, mpi
        # Each process receives every row it did not solve: (n - 1) copies of both sides.
        width = m["k"] + (1 if "global_mean" in m else 0)
        rows = m["rows"]["users"] + m["rows"]["movies"]
        assert mpi["bytes_per_iteration"] == (n - 1) * rows * width * 8, (mpi, rows, width)
        # Each process holds its users' rows and its movies' columns: all of R between them,
        # none of them all of it (the two blocks overlap).
        nonzeros = m["rows"]["nonzeros"]
        held = mpi["ratings_held"]
        assert (held == nonzeros) if n == 1 else (nonzeros < held < n * nonzeros), (mpi, nonzeros)
        assert (mpi["touched_rows_bytes_per_iteration"] == 0) == (n == 1), mpi
PYEOF

# svd has no distributed form: refused, nothing written.
set +e
"${MPIRUN[@]}" -np 2 "${TRAIN[@]}" --model svd --out svd > /dev/null 2> svd.err; code=$?
set -e
[ $code -ne 0 ] && grep -q "train.model svd does not run on several processes" svd.err ||
  fail "svd under mpirun: exit $code, $(cat svd.err)"
[ ! -e svd ] || fail "a refused training wrote its folder"

# Process 0 cannot write (the output's parent is a file): the others, waiting for it, end too.
echo "not a folder" > blocker
set +e
timeout 120 "${MPIRUN[@]}" -np 2 "${TRAIN[@]}" --model als --out blocker/artifacts \
  > /dev/null 2> write.err
code=$?
set -e
[ $code -ne 0 ] && [ $code -ne 124 ] && grep -q "train_svd: error: process 0 of 2: " write.err ||
  fail "a failed write: exit $code, $(cat write.err)"
[ "$(cat blocker)" = "not a folder" ] || fail "the failed write changed blocker"

# One process killed mid-training: mpirun ends the other, and the previous artifacts stay whole.
cp -r np2 kept
"${MPIRUN[@]}" -np 2 "${BASE[@]}" --model als --k 40 --als-iterations 10000 --out kept \
  > /dev/null 2> killed.err &
job=$!
ranks=""
for _ in $(seq 100); do
  ranks=$(pgrep -P "$job" -x train_svd || true)
  [ "$(wc -w <<<"$ranks")" -eq 2 ] && break
  sleep 0.1
done
[ "$(wc -w <<<"$ranks")" -eq 2 ] || fail "the two processes never appeared (ranks: $ranks): $(cat killed.err)"
sleep 1
victim=$(head -n 1 <<<"$ranks")
kill -KILL "$victim"
set +e
wait "$job"
code=$?
set -e
[ $code -ne 0 ] || fail "mpirun succeeded though a process was killed"
# mpirun has signalled the survivor as it exits; it is gone (or a zombie) within seconds.
for pid in $ranks; do
  state=""
  for _ in $(seq 100); do
    state=$(ps -o stat= -p "$pid" || true)
    [[ -z $state || $state == Z* ]] && break
    sleep 0.1
  done
  [[ -z $state || $state == Z* ]] || fail "process $pid outlived the job (state $state)"
done
grep -qi "signal 9\|killed" killed.err || fail "no word of the killed process: $(cat killed.err)"
diff -r np2 kept > /dev/null || fail "the previous artifacts changed"
echo "train_mpi: ok"
