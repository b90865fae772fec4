#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test twice: in the Release
# build with g++ (build/, the tree tools/run.sh builds its programs in, with the same flags), then
# in a build with clang, AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/: the
# library at -O1, assertions on, no benchmarks, plus the fuzz targets replaying their corpora),
# where any sanitizer report fails the run (see tests/CMakeLists.txt) and the end-to-end tests
# run that build's programs. Both builds treat compiler warnings as errors, so the code stays
# warning-free under both compilers.
#
#   tools/test.sh [CTEST_OPTIONS...]     e.g. tools/test.sh -R synthetic
#   MOVIEREC_SANITIZE=0 tools/test.sh    the Release stage only
#
# Arguments go to ctest (after --output-on-failure -j). Each stage is one build tree and one ctest
# run; the time of each step is printed at the end.
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

SANITIZED_TREE=$REPO_ROOT/build-asan
# clang: g++ 12's UBSan writes its reports to stderr whatever log_path says, where an expected
# failure could hide them. Debug for the assertions (Eigen's index checks among them); the library
# is compiled at -O1 (CMakeLists.txt).
SANITIZED_FLAGS=(-DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug -DMOVIEREC_SANITIZE=ON
                 -DMOVIEREC_BUILD_BENCHMARKS=OFF -DCMAKE_COMPILE_WARNING_AS_ERROR=ON)
# ctest runs this many tests at a time: the end-to-end tests wait on pipes, ptys and sleeps part
# of the time, so one more than the cores keeps them busy.
TEST_JOBS=${MOVIEREC_TEST_JOBS:-$((JOBS + 1))}
TIMES=()

# run_tests NAME DIR: runs DIR's tests.
run_tests() {
  local name=$1 dir=$2 start=$SECONDS
  say "running the $name tests ($TEST_JOBS at a time)"
  (cd "$dir" && ctest --output-on-failure -j "$TEST_JOBS" "${CTEST_ARGS[@]}")
  TIMES+=("$name tests: $((SECONDS - start)) s")
  say "the $name tests passed in $((SECONDS - start)) s"
}

CTEST_ARGS=("$@")
start=$SECONDS
ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
TIMES+=("packages: $((SECONDS - start)) s")

start=$SECONDS
# What the tests run: the programs and the unit tests (not the benchmarks, which bench/ builds).
build_release_tree programs unit_tests
TIMES+=("Release build: $((SECONDS - start)) s")
run_tests Release "$RELEASE_TREE"

if [[ ${MOVIEREC_SANITIZE:-1} != 0 ]]; then
  start=$SECONDS
  configure_tree "$SANITIZED_TREE" "${SANITIZED_FLAGS[@]}"
  build_targets "$SANITIZED_TREE" all
  TIMES+=("ASan+UBSan build: $((SECONDS - start)) s")
  run_tests "ASan+UBSan" "$SANITIZED_TREE"
fi
say "all tests passed; $(join_by ', ' "${TIMES[@]}")"
