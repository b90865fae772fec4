#!/usr/bin/env bash
# The main command: installs what is missing, builds, gets the data, runs the offline pipeline
# when its outputs are missing or stale, and starts the recommender.
#
#   tools/run.sh [RECOMMEND_OPTIONS...]     e.g. tools/run.sh --seed 7, tools/run.sh --json
#   tools/run.sh --web [SERVE_OPTIONS...]   the web page instead: starts serve, prints its URL
#
# Every argument goes to build/bin/recommend. Steps, from the repository root:
#   1. Debian packages (installed with apt-get as root; else it says what to install), then a
#      Release build in build/ (binaries in build/bin/).
#   2. data/ml-latest-small/: copied from ../shared/data/ml-latest-small when that exists, else
#      downloaded from GroupLens and its checksum verified. data/tmdb-5000/tmdb_5000_movies.csv
#      (optional metadata) is copied the same way when present.
#   3. build/bin/preprocess when processed/manifest.json is missing or older than the data,
#      config/pipeline.yaml or the preprocess binary; build/bin/train_svd when
#      artifacts/manifest.json is missing or older than processed/manifest.json,
#      config/pipeline.yaml or the train_svd binary.
#   4. exec build/bin/recommend "$@" (with --web first: exec build/bin/serve with the rest).
# Environment: MOVIEREC_SHARED_DATA (default ../shared/data) is where local copies of the data
# sets are looked for; MOVIEREC_JOBS sets the build's parallelism.
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

SHARED_DATA=${MOVIEREC_SHARED_DATA:-$REPO_ROOT/../shared/data}
# MOVIEREC_MOVIELENS_URL may point at a mirror (or a file:// URL).
MOVIELENS_URL=${MOVIEREC_MOVIELENS_URL:-https://files.grouplens.org/datasets/movielens/ml-latest-small.zip}
# ml-latest-small.zip of 2018-09-26 (978,202 bytes), as recorded by TensorFlow Datasets
# (tensorflow_datasets/url_checksums/movielens.txt). GroupLens also publishes an MD5 beside the
# zip (ml-latest-small.zip.md5), which is checked when it can be fetched.
MOVIELENS_SHA256=696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436

# copy_release SOURCE_DIR TARGET_DIR: copies through a temporary folder, so an interrupted copy
# never leaves a half-filled target.
copy_release() {
  local temp="$2.tmp-$$"
  rm -rf "$temp"
  cp -R "$1" "$temp"
  chmod -R u+w "$temp"
  mv "$temp" "$2"
}

verify_download() {
  local zip=$1 published actual
  actual=$(md5sum "$zip" | cut -d' ' -f1)
  if published=$(curl -fsSL --retry 2 "$MOVIELENS_URL.md5" 2>/dev/null | grep -oE '[0-9a-f]{32}' | head -n1) &&
     [[ -n $published ]]; then
    [[ $actual == "$published" ]] || die "ml-latest-small.zip: MD5 $actual, GroupLens publishes $published"
    say "MD5 matches the one GroupLens publishes ($published)"
  fi
  actual=$(sha256sum "$zip" | cut -d' ' -f1)
  if [[ $actual == "$MOVIELENS_SHA256" ]]; then
    say "SHA-256 matches the 2018-09-26 release"
  elif [[ -n ${published:-} ]]; then
    say "note: this is not the 2018-09-26 release this project was measured on (SHA-256 $actual)"
  else
    die "ml-latest-small.zip: SHA-256 $actual, expected $MOVIELENS_SHA256 (and no MD5 to check)"
  fi
}

download_movielens() {
  ensure_packages curl unzip ca-certificates
  local temp
  temp=$(mktemp -d "$REPO_ROOT/data/.download.XXXXXX")
  trap 'rm -rf "$temp"' EXIT
  say "downloading $MOVIELENS_URL"
  curl -fL --retry 3 --progress-bar -o "$temp/ml-latest-small.zip" "$MOVIELENS_URL" ||
    die "download failed; put the release in data/ml-latest-small/ by hand, or set MOVIEREC_SHARED_DATA"
  verify_download "$temp/ml-latest-small.zip"
  # -DD: files get today's time, so processed/ from an older data set counts as stale.
  unzip -q -DD "$temp/ml-latest-small.zip" -d "$temp"
  chmod -R u+w "$temp/ml-latest-small"
  [[ -f $temp/ml-latest-small/ratings.csv ]] || die "the zip holds no ml-latest-small/ratings.csv"
  mv "$temp/ml-latest-small" data/ml-latest-small
  rm -rf "$temp"
  trap - EXIT
}

get_data() {
  mkdir -p data
  if [[ ! -f data/ml-latest-small/ratings.csv ]]; then
    rm -rf data/ml-latest-small
    if [[ -f $SHARED_DATA/ml-latest-small/ratings.csv ]]; then
      say "copying ml-latest-small from $SHARED_DATA"
      copy_release "$SHARED_DATA/ml-latest-small" data/ml-latest-small
    else
      download_movielens
    fi
  fi
  if [[ ! -f data/tmdb-5000/tmdb_5000_movies.csv && -f $SHARED_DATA/tmdb-5000/tmdb_5000_movies.csv ]]; then
    say "copying the TMDB metadata from $SHARED_DATA"
    rm -rf data/tmdb-5000
    copy_release "$SHARED_DATA/tmdb-5000" data/tmdb-5000
  fi
}

# stale TARGET INPUT...: true when TARGET is missing or older than any existing INPUT.
stale() {
  local target=$1 input
  shift
  [[ -f $target ]] || return 0
  for input in "$@"; do
    [[ -e $input && $input -nt $target ]] && return 0
  done
  return 1
}

require_program() {
  [[ -x build/bin/$1 ]] || die "build/bin/$1 is not built (is tools/$1.cpp there?)"
}

run_pipeline() {
  local data_files=(data/ml-latest-small/*.csv data/tmdb-5000/tmdb_5000_movies.csv)
  if stale processed/manifest.json "${data_files[@]}" config/pipeline.yaml build/bin/preprocess; then
    require_program preprocess
    say "preprocessing data/ml-latest-small into processed/"
    build/bin/preprocess >&2
  fi
  if stale artifacts/manifest.json processed/manifest.json config/pipeline.yaml build/bin/train_svd; then
    require_program train_svd
    say "training the model (train_svd) into artifacts/"
    build/bin/train_svd >&2
  fi
}

ensure_packages "${BUILD_PACKAGES[@]}"
QUIET_BUILD=1 build_tree "$REPO_ROOT/build"
get_data
run_pipeline
if [[ ! -x build/bin/recommend ]]; then
  say "recommend is not built yet (tools/recommend.cpp is missing); stopping after training."
  say "the model is in artifacts/, made from processed/."
  exit 0
fi
# --web: the web page and JSON API (build/bin/serve) instead of the terminal; other arguments
# go to serve (tools/run.sh --web --port 8000). serve prints the URL to open.
if [[ ${1:-} == --web ]]; then
  shift
  require_program serve
  say "starting serve: open the URL below in a browser; Ctrl-C stops it"
  exec build/bin/serve "$@"
fi
exec build/bin/recommend "$@"
