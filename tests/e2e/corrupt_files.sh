#!/usr/bin/env bash
# End-to-end: a real trained pair of folders (make_synthetic, preprocess, train_svd), damaged in
# one way at a time: truncated, empty, wrong-dtype, Fortran-order and big-endian .npy files,
# embeddings whose rows or columns disagree with the id maps or k, manifests of another format
# version, NaN and infinite values, broken JSON, missing files, changed processed files, and
# processed files from one run with artifacts from another. recommend and evaluate must refuse
# each with exit 1, a message saying what is wrong, and the command that fixes
# it; never crash. train_svd must refuse damaged processed files likewise.
# Usage: corrupt_files.sh BIN_DIR SOURCE_DIR   (SHOW_ERRORS=1 prints each message)
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"
CONFIG=(--config "$SRC/config/pipeline.yaml")

small_release 5
"$BIN/train_svd" --processed processed --out artifacts "${CONFIG[@]}" --k 8 > /dev/null
# Another run's processed/: other thresholds, so other files.
"$BIN/preprocess" --data data --out other "${CONFIG[@]}" --min-user-ratings 5 \
  --min-movie-ratings 25 > /dev/null

# refused WHAT FIX PATTERN: recommend and evaluate on damaged/ and damaged_processed/ must exit
# 1 with PATTERN and "run: FIX" in the message.
refused() {
  local what=$1 fix=$2 pattern=$3 program status
  for program in recommend evaluate; do
    local args=(--artifacts damaged --processed damaged_processed
                --policy "$SRC/config/recommender_policy.yaml")
    [[ $program == recommend ]] && args+=(--json --seed 1)
    set +e
    "$BIN/$program" "${args[@]}" < /dev/null > out.txt 2> err.txt
    status=$?
    set -e
    [[ ${SHOW_ERRORS:-0} == 1 ]] && echo "$what ($program): $(cat err.txt)"
    [ "$status" -eq 1 ] || fail "$what: $program exited $status, not 1: $(cat err.txt)"
    [ ! -s out.txt ] || fail "$what: $program wrote to stdout: $(head -c 300 out.txt)"
    grep -q -- "$pattern" err.txt || fail "$what: $program did not say '$pattern': $(cat err.txt)"
    grep -q -- "run: build/bin/$fix" err.txt || fail "$what: $program did not name $fix: $(cat err.txt)"
  done
}

# fresh: damaged/ and damaged_processed/ as copies of the trained pair.
fresh() {
  rm -rf damaged damaged_processed
  cp -r artifacts damaged
  cp -r processed damaged_processed
}

# py CODE: runs python with numpy and json on the copies.
py() { "$PY" -c "import json, numpy as np; $1"; }

fresh
"$BIN/recommend" --artifacts damaged --processed damaged_processed --json --seed 1 \
  --policy "$SRC/config/recommender_policy.yaml" < /dev/null > /dev/null ||
  fail "the undamaged copies do not load"

fresh; head -c 300 artifacts/movie_embeddings.npy > damaged/movie_embeddings.npy
refused "truncated .npy" train_svd "truncated .npy file"
fresh; : > damaged/user_embeddings.npy
refused "empty .npy" train_svd "empty file"
fresh; head -c 5 artifacts/user_embeddings.npy > damaged/user_embeddings.npy
refused "a few bytes of .npy" train_svd "user_embeddings.npy"
fresh; py "np.save('damaged/movie_embeddings.npy', np.load('artifacts/movie_embeddings.npy').astype('<f8'))"
refused "float64 .npy" train_svd "dtype '<f8' is not supported"
fresh; py "np.save('damaged/movie_embeddings.npy', np.load('artifacts/movie_embeddings.npy').astype('>f4'))"
refused "big-endian .npy" train_svd "dtype '>f4' is not supported"
fresh; py "np.save('damaged/movie_embeddings.npy', np.asfortranarray(np.load('artifacts/movie_embeddings.npy')))"
refused "Fortran-order .npy" train_svd "Fortran-order"
fresh; py "np.save('damaged/movie_embeddings.npy', np.load('artifacts/movie_embeddings.npy').ravel())"
refused "1-D .npy" train_svd "expected a 2-D array"
fresh; printf 'garbage' >> damaged/movie_embeddings.npy
refused "bytes after the .npy data" train_svd "over-long .npy file"
fresh; py "np.save('damaged/movie_embeddings.npy', np.load('artifacts/movie_embeddings.npy')[:-1])"
refused "fewer embedding rows than ids" train_svd "rows but movie_map.json maps"
fresh; py "
m = json.load(open('artifacts/user_map.json')); m.pop(next(iter(m)))
json.dump({k: i for i, k in enumerate(m)}, open('damaged/user_map.json', 'w'))"
refused "more embedding rows than ids" train_svd "rows but user_map.json maps"
fresh; py "np.save('damaged/user_embeddings.npy', np.load('artifacts/user_embeddings.npy')[:, :-1])"
refused "fewer columns than k" train_svd "columns but the manifest says k = 8"
fresh; py "
e = np.load('artifacts/movie_embeddings.npy'); e[3, 2] = np.nan; np.save('damaged/movie_embeddings.npy', e)"
refused "NaN in an embedding" train_svd "NaN or infinite"
fresh; py "
e = np.load('artifacts/user_embeddings.npy'); e[0, 0] = -np.inf; np.save('damaged/user_embeddings.npy', e)"
refused "infinity in an embedding" train_svd "NaN or infinite"
fresh; sed -i 's/"format_version": 1/"format_version": 2/' damaged/manifest.json
refused "artifacts of format version 2" train_svd "format version 2 is not supported"
fresh; sed -i 's/"format_version": 1/"format_version": 9/' damaged_processed/manifest.json
refused "processed/ of format version 9" preprocess "has format version 9"
fresh; py "
m = json.load(open('artifacts/manifest.json')); m['k'] = 6; json.dump(m, open('damaged/manifest.json', 'w'))"
refused "another k in the manifest" train_svd "k = 6"
fresh; py "
m = json.load(open('artifacts/manifest.json')); m['validation_rmse'] = float('nan')
open('damaged/manifest.json', 'w').write(json.dumps(m))"
refused "NaN in the manifest" train_svd "manifest.json"
fresh; py "
m = json.load(open('artifacts/manifest.json')); m['config']['train']['k'] = 1e300
open('damaged/manifest.json', 'w').write(json.dumps(m))"
refused "a recorded config value out of range" train_svd "train.k"
fresh; printf '{"1": 0,' > damaged/movie_map.json
refused "broken JSON map" train_svd "not valid JSON"
fresh; printf '{"1": 0, "x": 1}' > damaged/movie_map.json
refused "a map with a key that is not an id" train_svd "is not an integer id"
fresh; rm damaged/movie_map.json
refused "missing movie_map.json" train_svd "movie_map.json is missing"
fresh; rm -r damaged
refused "missing artifacts/" train_svd "is missing"
fresh; rm damaged_processed/manifest.json
refused "missing processed manifest" preprocess "manifest.json is missing"
fresh; printf '1,"x",1999,,1,3.0,,,,,,\n' >> damaged_processed/movie_metadata.csv
refused "changed movie_metadata.csv" preprocess "has changed since preprocess wrote it"
fresh; printf '{}' > damaged_processed/movie_popularity.json
refused "changed movie_popularity.json" preprocess "has changed since preprocess wrote it"
fresh; rm -r damaged_processed; cp -r other damaged_processed
refused "processed/ of another run" train_svd "was trained on another"

# A damaged file whose checksum the manifest agrees with: the readers' own checks.
fresh; py "
import ctypes
xxh = ctypes.CDLL('libxxhash.so.0'); xxh.XXH3_64bits.restype = ctypes.c_uint64
xxh.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
path = 'damaged_processed/movie_metadata.csv'
lines = open(path, encoding='utf-8').read().split('\n')
cells = lines[1].split(','); cells[5] = 'nan'; lines[1] = ','.join(cells)
data = '\n'.join(lines).encode(); open(path, 'wb').write(data)
m = json.load(open('damaged_processed/manifest.json'))
m['files']['movie_metadata.csv']['checksum'] = format(xxh.XXH3_64bits(data, len(data)), '016x')
json.dump(m, open('damaged_processed/manifest.json', 'w'))"
refused "NaN in movie_metadata.csv" preprocess "rating_mean"

# A policy with NaN or infinite values is refused by key.
for value in .nan .inf -.inf; do
  printf 'learning_rate: %s\n' "$value" > policy.yaml
  set +e
  "$BIN/recommend" --artifacts artifacts --processed processed --json --policy policy.yaml \
    < /dev/null > /dev/null 2> err.txt
  status=$?
  set -e
  [ "$status" -eq 1 ] && grep -q "learning_rate" err.txt ||
    fail "a policy with learning_rate $value: exit $status, $(cat err.txt)"
done

# train_svd refuses damaged processed files and leaves the artifacts as they were (the shipped
# target is stars: train_svd reads train.csv).
before=$(cat artifacts/manifest.json)
for damage in truncate nan; do
  rm -rf bad && cp -r processed bad
  if [[ $damage == truncate ]]; then
    head -c 1000 processed/train.csv > bad/train.csv
  else
    sed -i '2s/[^,]*$/nan/' bad/train.csv
  fi
  set +e
  "$BIN/train_svd" --processed bad --out artifacts "${CONFIG[@]}" --k 8 > /dev/null 2> err.txt
  status=$?
  set -e
  [[ ${SHOW_ERRORS:-0} == 1 ]] && echo "train_svd on $damage: $(cat err.txt)"
  [ "$status" -eq 1 ] || fail "train_svd on a $damage file exited $status: $(cat err.txt)"
  grep -q "run: build/bin/preprocess" err.txt || fail "train_svd did not name preprocess: $(cat err.txt)"
  [ "$(cat artifacts/manifest.json)" == "$before" ] || fail "train_svd replaced the artifacts"
done
echo "corrupt files e2e: ok"
