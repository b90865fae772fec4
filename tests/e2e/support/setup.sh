# shellcheck shell=bash
# Sourced first by every end-to-end test (tests/e2e/*.sh, run as `bash TEST.sh BIN_DIR SOURCE_DIR`):
# strict mode, BIN (the programs) and SRC (the repository) from the arguments, PY (Debian's
# Python, with pandas and numpy), a scratch folder WORK that is removed at exit and is the
# current folder, and fail MESSAGE.
# inherit_errexit: a command that fails inside $(...) fails the test too (bash otherwise turns
# set -e off there, and the substitution's output is used as if all went well).
set -euo pipefail
shopt -s inherit_errexit
BIN=$(cd "${1:?usage: bash TEST.sh BIN_DIR SOURCE_DIR}" && pwd)
SRC=$(cd "${2:?usage: bash TEST.sh BIN_DIR SOURCE_DIR}" && pwd)
# shellcheck disable=SC2034  # used by the tests that source this file
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# small_release SEED: a small synthetic release in data/ (300 users, 400 movies, 15,000
# ratings), preprocessed into processed/ with thresholds that suit its size.
small_release() {
  "$BIN/make_synthetic" --out data --ratings 15000 --users 300 --movies 400 --seed "$1" > /dev/null
  "$BIN/preprocess" --data data --out processed --config "$SRC/config/pipeline.yaml" \
    --min-user-ratings 5 --min-movie-ratings 15 > /dev/null
}

# small_model SEED: small_release SEED trained by train_svd (the shipped config, k = 8) into
# artifacts/; MODEL holds the model flags recommend and serve take.
small_model() {
  small_release "$1"
  "$BIN/train_svd" --processed processed --out artifacts --config "$SRC/config/pipeline.yaml" \
    --k 8 > /dev/null
  # shellcheck disable=SC2034  # used by the tests that call this
  MODEL=(--artifacts artifacts --processed processed --policy "$SRC/config/recommender_policy.yaml")
}
