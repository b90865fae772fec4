#!/usr/bin/env bash
# The main command: installs what is missing, builds the programs, gets a MovieLens release, runs
# the offline pipeline when its outputs are missing or stale, and starts the recommender.
#
#   tools/run.sh [--data RELEASE] [RECOMMEND_OPTIONS...]
#     e.g. tools/run.sh, tools/run.sh --seed 7, tools/run.sh --data ml-1m --json
#   tools/run.sh [--data RELEASE] --web [SERVE_OPTIONS...]
#     the web page and JSON API instead (build/bin/serve), e.g. tools/run.sh --web --port 8000
#
# RELEASE is one of the MovieLens releases in the table below (default ml-latest-small); every
# other argument goes to build/bin/recommend. From the repository root:
#   1. the Debian packages the build needs (apt-get when run as root; otherwise it says what to
#      install), then the programs (not the tests or benchmarks) built in build/: Release, the
#      tree and flags tools/test.sh uses, so neither rebuilds what the other built;
#   2. data/RELEASE/: copied from ../shared/data/RELEASE when that exists, else downloaded from
#      GroupLens and checked against the pinned checksums (or, for a release without them, the
#      MD5 GroupLens publishes beside the zip); data/tmdb-5000/tmdb_5000_movies.csv (optional
#      metadata) is copied the same way when present;
#   3. preprocess (data/RELEASE -> the processed folder) when that is missing or older than the
#      data, config/pipeline.yaml or the program; train_svd (-> the artifacts folder) when that
#      is missing or older than the processed folder, the config or the program. The folders:
#      processed/ and artifacts/ for ml-latest-small, processed-RELEASE/ and artifacts-RELEASE/
#      for any other release (beside them, not inside: each program replaces its output folder
#      whole);
#   4. exec build/bin/recommend --processed FOLDER --artifacts FOLDER [RECOMMEND_OPTIONS...]
#      (with --web: build/bin/serve, which prints the URL to open).
# Environment:
#   MOVIEREC_SHARED_DATA    where local copies of releases are looked for (default ../shared/data)
#   MOVIEREC_MOVIELENS_URL  a mirror of https://files.grouplens.org/datasets/movielens (holding
#                           RELEASE.zip and RELEASE.zip.md5; file:// works), or one zip's URL
#   MOVIEREC_BIN            run the programs in this folder instead of building build/
#   MOVIEREC_JOBS           the build's parallelism
# A bad command line exits 2, naming the problem.
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

SHARED_DATA=${MOVIEREC_SHARED_DATA:-$REPO_ROOT/../shared/data}
MOVIELENS_URL=${MOVIEREC_MOVIELENS_URL:-https://files.grouplens.org/datasets/movielens}
DEFAULT_RELEASE=ml-latest-small

# The releases --data knows, with the zip's size in bytes (0: not known here), its pinned MD5 and
# SHA-256 (empty: none pinned), the file that holds its ratings, and whether GroupLens replaces
# it from time to time (the two "latest" releases). Nothing on this project's machine could
# reach GroupLens, so no value below was computed here from a downloaded zip. Where they come
# from:
#   SHA-256 and size: TensorFlow Datasets (tensorflow_datasets/url_checksums/movielens.txt):
#     ml-latest-small, ml-100k, ml-1m, ml-20m, ml-25m.
#   MD5: the values of GroupLens's RELEASE.zip.md5 files as public projects quote them:
#     ml-100k, ml-1m, ml-10m, ml-20m, ml-25m in eli-osherovich/papers_with_code
#     (datasets/movielens/dl_config.py); ml-32m (and its size, 238,950,008 bytes) in several
#     independent projects that download it (pooch known_hash md5:...). Where TFDS also gives a
#     SHA-256 the two agree on the same zip only if both sources are right: unverified here.
#   ml-latest: nothing pinned (GroupLens regenerates it); checked against the published .md5.
# A pinned value that does not match refuses the zip. For the two "latest" releases a zip that
# matches the MD5 GroupLens publishes today but not the pinned SHA-256 is accepted with a note
# (GroupLens has replaced it since it was pinned).
declare -A ZIP_BYTES=(
  [ml-latest-small]=978202 [ml-latest]=0 [ml-32m]=238950008 [ml-25m]=261978986
  [ml-20m]=198702078 [ml-10m]=0 [ml-1m]=5917549 [ml-100k]=4924029
)
declare -A ZIP_MD5=(
  [ml-32m]=d472be332d4daa821edc399621853b57 [ml-25m]=6b51fb2759a8657d3bfcbfc42b592ada
  [ml-20m]=cd245b17a1ae2cc31bb14903e1204af3 [ml-10m]=ce571fd55effeba0271552578f2648bd
  [ml-1m]=c4d9eecfca2ab87c1945afe126590906 [ml-100k]=0e33842e24a9c977be4e0107933c0723
)
declare -A ZIP_SHA256=(
  [ml-latest-small]=696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436
  [ml-25m]=8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa
  [ml-20m]=96f243c338a8665f6bcc89c53edf6ee39162a846940de6b7c8c48aeada765ff3
  [ml-1m]=a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20
  [ml-100k]=50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229
)
declare -A RATINGS_FILE=(
  [ml-latest-small]=ratings.csv [ml-latest]=ratings.csv [ml-32m]=ratings.csv
  [ml-25m]=ratings.csv [ml-20m]=ratings.csv [ml-10m]=ratings.dat [ml-1m]=ratings.dat
  [ml-100k]=u.data
)
declare -A REPLACED_BY_GROUPLENS=([ml-latest-small]=1 [ml-latest]=1)
RELEASES=(ml-latest-small ml-latest ml-32m ml-25m ml-20m ml-10m ml-1m ml-100k)

usage_error() {
  say "$*"
  say "usage: tools/run.sh [--data RELEASE] [--web] [RECOMMEND_OR_SERVE_OPTIONS...]; RELEASE is" \
    "one of: ${RELEASES[*]}"
  exit 2
}

# parse_args ARGS...: sets RELEASE, WEB (1 for --web: serve instead of recommend) and
# RECOMMEND_ARGS (what goes to the program).
parse_args() {
  RELEASE=$DEFAULT_RELEASE
  WEB=0
  RECOMMEND_ARGS=()
  while (($# > 0)); do
    case $1 in
      --web) WEB=1; shift ;;
      --data)
        (($# >= 2)) || usage_error "--data needs a release"
        RELEASE=$2
        shift 2
        ;;
      --data=*) RELEASE=${1#--data=}; shift ;;
      --processed | --processed=* | --artifacts | --artifacts=*)
        usage_error "run.sh chooses recommend's ${1%%=*} from --data; to use other folders, run" \
          "build/bin/recommend yourself"
        ;;
      *) RECOMMEND_ARGS+=("$1"); shift ;;
    esac
  done
  [[ -n $RELEASE && -n ${RATINGS_FILE[$RELEASE]+set} ]] || usage_error "unknown release '$RELEASE'"
  if [[ $RELEASE == "$DEFAULT_RELEASE" ]]; then
    PROCESSED=processed
    ARTIFACTS=artifacts
  else
    PROCESSED=processed-$RELEASE
    ARTIFACTS=artifacts-$RELEASE
  fi
}

# copy_release SOURCE_DIR TARGET_DIR: copies through a temporary folder, so an interrupted copy
# never leaves a half-filled target.
copy_release() {
  local temp="$2.tmp-$$"
  rm -rf "$temp"
  cp -R "$1" "$temp"
  chmod -R u+w "$temp"
  mv "$temp" "$2"
}

zip_url() {
  if [[ $MOVIELENS_URL == *.zip ]]; then echo "$MOVIELENS_URL"; else echo "$MOVIELENS_URL/$RELEASE.zip"; fi
}

# verify_zip ZIP: dies unless the zip matches what is pinned for RELEASE and what GroupLens
# publishes beside it (when that can be fetched).
verify_zip() {
  local zip=$1 name=$RELEASE.zip url md5 sha256 published=""
  url=$(zip_url)
  md5=$(md5sum "$zip" | cut -d' ' -f1)
  sha256=$(sha256sum "$zip" | cut -d' ' -f1)
  # The .md5 file reads "MD5 (RELEASE.zip) = HASH" or "HASH  RELEASE.zip".
  published=$(curl -fsSL --retry 2 "$url.md5" 2> /dev/null | grep -oiE '\b[0-9a-f]{32}\b' |
              head -n 1 | tr 'A-F' 'a-f') || published=""
  local pinned_md5=${ZIP_MD5[$RELEASE]:-} pinned_sha256=${ZIP_SHA256[$RELEASE]:-}
  if [[ -n $published && $md5 != "$published" ]]; then
    die "$name: MD5 $md5, but GroupLens publishes $published ($url.md5): a damaged or" \
      "altered download; nothing was kept"
  fi
  if [[ -n $pinned_md5 && $md5 != "$pinned_md5" ]]; then
    die "$name: MD5 $md5, expected $pinned_md5 (pinned in tools/run.sh); nothing was kept"
  fi
  if [[ -n $pinned_sha256 && $sha256 != "$pinned_sha256" ]]; then
    if [[ -n $published && -n ${REPLACED_BY_GROUPLENS[$RELEASE]:-} ]]; then
      say "note: $name matches the MD5 GroupLens publishes, but is not the zip pinned in" \
        "tools/run.sh (SHA-256 $sha256): GroupLens has replaced $RELEASE since"
    else
      die "$name: SHA-256 $sha256, expected $pinned_sha256 (pinned in tools/run.sh); nothing" \
        "was kept"
    fi
  fi
  if [[ -z $published && -z $pinned_md5 && -z $pinned_sha256 ]]; then
    die "$name: no checksum to verify it against ($url.md5 could not be fetched and none is" \
      "pinned); put the release in data/$RELEASE/ by hand"
  fi
  local checked=()
  [[ -n $published ]] && checked+=("the MD5 GroupLens publishes")
  [[ -n $pinned_md5 ]] && checked+=("the pinned MD5")
  [[ -n $pinned_sha256 && $sha256 == "$pinned_sha256" ]] && checked+=("the pinned SHA-256")
  say "$name matches $(join_by ', ' "${checked[@]}")"
}

download_release() {
  ensure_packages curl unzip ca-certificates
  local temp url top
  url=$(zip_url)
  temp=$(mktemp -d "$REPO_ROOT/data/.download.XXXXXX")
  trap 'rm -rf "$temp"' EXIT
  local size=${ZIP_BYTES[$RELEASE]} about=""
  ((size > 0)) && about=" ($(((size + 500000) / 1000000)) MB)"
  say "downloading $url$about"
  local progress=(--silent --show-error)
  [[ -t 2 ]] && progress=(--progress-bar)
  curl -fL --retry 3 "${progress[@]}" -o "$temp/$RELEASE.zip" "$url" ||
    die "download failed; put the release in data/$RELEASE/ by hand, or set MOVIEREC_MOVIELENS_URL to a mirror"
  verify_zip "$temp/$RELEASE.zip"
  # -DD: files get today's time, so a processed folder from an older copy counts as stale.
  unzip -q -DD "$temp/$RELEASE.zip" -d "$temp/unzipped" || die "$RELEASE.zip: unzip failed"
  # The zip holds one folder (ml-10m's is ml-10M100K) with the release's files.
  top=$(find "$temp/unzipped" -mindepth 2 -maxdepth 2 -name "${RATINGS_FILE[$RELEASE]}" -printf '%h\n')
  [[ -n $top && $(wc -l <<< "$top") -eq 1 ]] ||
    die "$RELEASE.zip holds no folder with ${RATINGS_FILE[$RELEASE]}"
  chmod -R u+w "$top"
  mv "$top" "data/$RELEASE"
  rm -rf "$temp"
  trap - EXIT
}

get_data() {
  mkdir -p data
  local ratings=${RATINGS_FILE[$RELEASE]}
  if [[ ! -f data/$RELEASE/$ratings ]]; then
    rm -rf "data/$RELEASE"
    if [[ -f $SHARED_DATA/$RELEASE/$ratings ]]; then
      say "copying $RELEASE from $SHARED_DATA"
      copy_release "$SHARED_DATA/$RELEASE" "data/$RELEASE"
    else
      download_release
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

run_pipeline() {
  local data_files=("data/$RELEASE"/* data/tmdb-5000/tmdb_5000_movies.csv)
  if stale "$PROCESSED/manifest.json" "${data_files[@]}" config/pipeline.yaml "$BIN/preprocess"; then
    say "preprocessing data/$RELEASE into $PROCESSED/"
    "$BIN/preprocess" --data "data/$RELEASE" --out "$PROCESSED" >&2
  fi
  if stale "$ARTIFACTS/manifest.json" "$PROCESSED/manifest.json" config/pipeline.yaml \
      "$BIN/train_svd"; then
    say "training the model (train_svd) into $ARTIFACTS/"
    "$BIN/train_svd" --processed "$PROCESSED" --out "$ARTIFACTS" >&2
  fi
}

parse_args "$@"
if [[ -n ${MOVIEREC_BIN:-} ]]; then
  BIN=$(cd "$MOVIEREC_BIN" && pwd)
else
  ensure_packages "${BUILD_PACKAGES[@]}"
  build_release_tree programs
  BIN=$RELEASE_TREE/bin
fi
get_data
run_pipeline
PROGRAM=recommend
if ((WEB)); then
  PROGRAM=serve
  say "starting serve: open the URL below in a browser; Ctrl-C stops it"
fi
exec "$BIN/$PROGRAM" --processed "$PROCESSED" --artifacts "$ARTIFACTS" "${RECOMMEND_ARGS[@]}"
