#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test once, in one of two
# stages chosen by the tests' ctest labels:
# - Release (build/, g++, the tree tools/run.sh builds its programs in, with the same flags): the
#   programs, and every test but the unit tests: the end-to-end tests (label e2e) run the
#   programs users run, and the checks that read sources;
# - ASan+UBSan (build-asan/, clang, Debug: -O0, assertions on): the unit tests (label
#   unit) and the fuzz targets replaying their corpora (fuzz), where any sanitizer report fails
#   the run (see tests/CMakeLists.txt). Neither stage builds what it does not run: compiling
#   the library's tests or its programs twice was most of the suite's time.
# Both builds treat compiler warnings as errors, so the code stays warning-free under both
# compilers.
#
#   tools/test.sh [CTEST_OPTIONS...]     e.g. tools/test.sh -R synthetic
#   MOVIEREC_SANITIZE=0 tools/test.sh    every test in the Release stage, none sanitized
#
# Arguments go to ctest (after --output-on-failure -j and the stage's label). Each stage is one
# build tree and one ctest run; the time of each step is printed at the end.
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

SANITIZED_TREE=$REPO_ROOT/build-asan
# clang: g++ 12's UBSan writes its reports to stderr whatever log_path says, where an expected
# failure could hide them. Debug for the assertions (Eigen's index checks among them), and -O0:
# the library compiles in half the time, and the unit tests run nearly as fast (CMakeLists.txt).
SANITIZED_FLAGS=(-DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug -DMOVIEREC_SANITIZE=ON
                 -DMOVIEREC_BUILD_BENCHMARKS=OFF -DCMAKE_COMPILE_WARNING_AS_ERROR=ON)
# ctest runs this many tests at a time: the end-to-end tests wait on pipes, ptys and sleeps part
# of the time, so one more than the cores keeps them busy.
TEST_JOBS=${MOVIEREC_TEST_JOBS:-$((JOBS + 1))}
TIMES=()

# run_tests NAME DIR LABEL_OPTION...: runs DIR's tests that the label options (ctest's -L or -LE)
# select.
run_tests() {
  local name=$1 dir=$2 start=$SECONDS
  shift 2
  say "running the $name tests ($TEST_JOBS at a time)"
  (cd "$dir" && ctest --output-on-failure -j "$TEST_JOBS" "$@" "${CTEST_ARGS[@]}")
  TIMES+=("$name tests: $((SECONDS - start)) s")
  say "the $name tests passed in $((SECONDS - start)) s"
}

CTEST_ARGS=("$@")
start=$SECONDS
ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
TIMES+=("packages: $((SECONDS - start)) s")

SANITIZE=${MOVIEREC_SANITIZE:-1}
# What the Release stage builds and runs: the programs (not the benchmarks, which bench/ builds)
# and every test but the unit tests; without the sanitized stage, the unit tests too.
RELEASE_TARGETS=(programs)
RELEASE_LABELS=(-LE unit)
if [[ $SANITIZE == 0 ]]; then
  RELEASE_TARGETS+=(unit_tests)
  RELEASE_LABELS=()
fi
start=$SECONDS
build_release_tree "${RELEASE_TARGETS[@]}"
TIMES+=("Release build: $((SECONDS - start)) s")
run_tests Release "$RELEASE_TREE" "${RELEASE_LABELS[@]}"

if [[ $SANITIZE != 0 ]]; then
  start=$SECONDS
  configure_tree "$SANITIZED_TREE" "${SANITIZED_FLAGS[@]}"
  build_targets "$SANITIZED_TREE" unit_tests fuzzers
  TIMES+=("ASan+UBSan build: $((SECONDS - start)) s")
  run_tests "ASan+UBSan" "$SANITIZED_TREE" -L 'unit|fuzz'  # ctest adds the sanitizer fixture
fi
say "all tests passed; $(join_by ', ' "${TIMES[@]}")"
