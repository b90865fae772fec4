# shellcheck shell=bash
# Shared by tools/run.sh, tools/test.sh and bench/: the Debian packages the project needs and the
# CMake build. Source it; it sets REPO_ROOT and defines the functions below.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JOBS=${MOVIEREC_JOBS:-$(nproc 2>/dev/null || echo 2)}

# Packages every build needs (compiler, CMake, the libraries CMakeLists.txt finds, Catch2) and
# the Python the end-to-end tests use to read our files the way pandas and numpy users will.
# shellcheck disable=SC2034  # used by the scripts that source this file
BUILD_PACKAGES=(cmake g++ make pkg-config libeigen3-dev libyaml-cpp-dev nlohmann-json3-dev
                catch2 libspectra-dev libcli11-dev libedit-dev libfmt-dev libxxhash-dev
                libsqlite3-dev libpq-dev libcpp-httplib-dev python3-pandas python3-numpy)

# Messages go to stderr, so stdout stays for the programs (recommend --json).
say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { say "error: $*"; exit 1; }

package_installed() {
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# ensure_packages PKG...: installs the missing ones with apt-get when run as root; otherwise says
# exactly what to install and exits 1.
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
  if ! apt-get install -y "${missing[@]}" >&2; then
    say "install failed; updating the package lists and trying again"
    apt-get update >&2
    apt-get install -y "${missing[@]}" >&2 || die "could not install: ${missing[*]}"
  fi
}

# build_tree DIR [CMAKE_ARGS...]: configures a Release build in DIR and builds it (binaries in
# DIR/bin). With QUIET_BUILD=1 the compiler's output goes to DIR/build.log and is shown only
# when the build fails; with BUILD_TARGET=NAME only that target (and what it needs) is built.
build_tree() {
  local dir=$1
  shift
  mkdir -p "$dir"
  if [[ ${QUIET_BUILD:-0} == 1 ]]; then
    say "building in ${dir#"$REPO_ROOT"/}/ (log: ${dir#"$REPO_ROOT"/}/build.log)"
    if ! { cmake -S "$REPO_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" &&
           cmake --build "$dir" -j "$JOBS" ${BUILD_TARGET:+--target "$BUILD_TARGET"}; } \
         >"$dir/build.log" 2>&1; then
      tail -n 60 "$dir/build.log" >&2
      die "build failed; the whole log is in $dir/build.log"
    fi
  else
    say "building in ${dir#"$REPO_ROOT"/}/"
    cmake -S "$REPO_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >&2
    cmake --build "$dir" -j "$JOBS" ${BUILD_TARGET:+--target "$BUILD_TARGET"} >&2
  fi
}
