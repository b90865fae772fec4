# shellcheck shell=bash
# Shared by tools/run.sh, tools/test.sh and bench/: the Debian packages the project needs and the
# CMake builds. Source it; it sets REPO_ROOT and defines the functions below.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JOBS=${MOVIEREC_JOBS:-$(nproc 2>/dev/null || echo 2)}

# Debian packages, one per line. A script installs what it needs in one apt-get call
# (tools/test.sh: ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"); a package only the
# tests need is one more line in TEST_PACKAGES.
# shellcheck disable=SC2034  # used by the scripts that source this file
BUILD_PACKAGES=(
  cmake
  ninja-build         # the build tool: a step counter, and less overhead than make
  g++
  pkg-config
  mold                # a faster linker (CMakeLists.txt falls back to lld or the default)
  libeigen3-dev
  libspectra-dev
  libyaml-cpp-dev
  nlohmann-json3-dev
  libcli11-dev
  libedit-dev
  libfmt-dev
  libxxhash-dev
  libsqlite3-dev      # the profile store's embedded database
  libpq-dev           # and its PostgreSQL client
  libcpp-httplib-dev  # serve's HTTP transport
  libopenmpi-dev      # train_svd under mpirun (src/train/distributed.cpp)
  catch2              # found when the tree is configured, which run.sh's tree is too
)
# shellcheck disable=SC2034
TEST_PACKAGES=(
  clang-14            # the sanitized stage's compiler
  libclang-rt-14-dev  # its sanitizer and libFuzzer runtimes (only recommended by clang-14)
  shellcheck          # e2e.scripts checks every script with it
  python3-pandas      # the end-to-end tests read our files as pandas and numpy users will
  python3-numpy
  postgresql          # the profile store's tests start a throwaway cluster
  sqlite3             # and read its files with the sqlite3 client
  chromium            # e2e.browser drives the web page in headless chromium
  chromium-driver
  python3-selenium
  openmpi-bin         # mpirun, for e2e.train_mpi
)

# The Release tree that run.sh, test.sh and bench/ share, and its one set of flags: each reuses
# what another built. Warnings are errors here as in CI, so a warning stops run.sh too.
RELEASE_TREE=$REPO_ROOT/build
RELEASE_FLAGS=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_COMPILE_WARNING_AS_ERROR=ON)

# Messages go to stderr, so stdout stays for the programs (recommend --json).
say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# rating_count SIZE: the number of ratings a benchmark's SIZE names ("2M", "500k", "25000000"),
# on stdout; dies (in the caller's subshell: call it as `n=$(rating_count "$size") || exit 1`)
# when it names none.
rating_count() {
  local size=$1 count
  case $size in
    *[kK]) count=$((${size%?} * 1000)) ;;
    *[mM]) count=$((${size%?} * 1000000)) ;;
    *) count=$size ;;
  esac
  [[ $count =~ ^[0-9]+$ && $count -gt 0 ]] ||
    die "SIZE must be a number of ratings, like 2M or 500k (got '$size')"
  echo "$count"
}
# join_by SEPARATOR WORD...: the words with SEPARATOR between them.
join_by() {
  local separator=$1 out=${2:-} word
  shift $(($# < 2 ? $# : 2))
  for word in "$@"; do out+=$separator$word; done
  printf '%s' "$out"
}

package_installed() {
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# ensure_packages PKG...: installs the missing ones with one apt-get call when run as root;
# otherwise says exactly what to install and exits 1.
ensure_packages() {
  local missing=() package
  for package in "$@"; do
    package_installed "$package" || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  if [[ $(id -u) -ne 0 ]]; then
    say "missing Debian packages: ${missing[*]}"
    say "install them with:  sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
    say "install failed; updating the package lists and trying again"
    apt-get update >&2
    apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
      die "could not install: ${missing[*]}"
  fi
}

# configure_tree DIR CMAKE_ARGS...: configures a build tree. A new tree uses Ninja when it is
# installed; an existing tree keeps the generator it was made with.
configure_tree() {
  local dir=$1
  shift
  local generator=()
  if [[ ! -f $dir/CMakeCache.txt && -z ${CMAKE_GENERATOR:-} ]] && command -v ninja > /dev/null; then
    generator=(-G Ninja)
  fi
  mkdir -p "$dir"
  [[ -f $dir/CMakeCache.txt ]] || say "configuring ${dir#"$REPO_ROOT"/}/ (the first time takes a few seconds)"
  cmake -S "$REPO_ROOT" -B "$dir" "${generator[@]}" "$@" > "$dir/configure.log" 2>&1 ||
    { cat "$dir/configure.log" >&2; die "configuring ${dir#"$REPO_ROOT"/}/ failed"; }
}

# show_progress LOG: reads the build's output, keeps all of it in LOG and shows the build's own
# step counter ([12/80] with Ninja, [ 15%] with make): on one updated line at a terminal, else a
# line per tenth of the build.
show_progress() {
  local log=$1 line done_steps total percent shown=-1
  : > "$log"
  while IFS= read -r line; do
    printf '%s\n' "$line" >> "$log"
    if [[ $line =~ ^\[([0-9]+)/([0-9]+)\] ]]; then
      done_steps=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
      # Ninja's own two steps before the build (checking the globs, re-running CMake).
      [[ $line == *"Re-checking globbed directories"* || $line == *"Re-running CMake"* ]] && continue
      percent=$((100 * done_steps / total))
    elif [[ $line =~ ^\[\ *([0-9]+)%\] ]]; then
      percent=${BASH_REMATCH[1]} done_steps="" total=""
    else
      continue
    fi
    if [[ -t 2 ]]; then
      printf '\r%s: building: %3d%%%s' "${0##*/}" "$percent" \
        "${total:+ (step $done_steps of $total)}" >&2
    elif ((percent / 10 > shown)); then
      shown=$((percent / 10))
      say "building: $percent%${total:+ (step $done_steps of $total)}"
    fi
  done
  [[ -t 2 ]] && printf '\n' >&2
  return 0
}

# build_targets DIR TARGET...: builds the targets (`all`: everything) of a configured tree, showing
# progress; the compiler's output is in DIR/build.log, and its end is shown on failure.
build_targets() {
  local dir=$1 start=$SECONDS status=0
  shift
  say "building $* in ${dir#"$REPO_ROOT"/}/ with $JOBS jobs (log: ${dir#"$REPO_ROOT"/}/build.log)"
  # The scripts run with pipefail, and show_progress always succeeds: status is the build's.
  cmake --build "$dir" -j "$JOBS" --target "$@" 2>&1 | show_progress "$dir/build.log" ||
    status=$?
  if ((status != 0)); then
    grep -v '^\[[0-9 /%]*\]' "$dir/build.log" | tail -n 60 >&2
    die "build failed; the whole log is in $dir/build.log"
  fi
  say "built $* in $((SECONDS - start)) s"
}

# build_release_tree TARGET...: the shared Release tree (RELEASE_TREE), configured with
# RELEASE_FLAGS, then the targets built.
build_release_tree() {
  configure_tree "$RELEASE_TREE" "${RELEASE_FLAGS[@]}"
  build_targets "$RELEASE_TREE" "$@"
}
