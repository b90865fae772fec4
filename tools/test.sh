#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test twice: in a Release
# build with g++ (build/), then in a build with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/: the library at -O1, assertions on, no benchmarks),
# where any sanitizer report fails the run (see tests/CMakeLists.txt) and the end-to-end tests
# run that build's programs.
# Both builds treat compiler warnings as errors, so the code stays warning-free under both
# compilers.
#
#   tools/test.sh [CTEST_OPTIONS...]     e.g. tools/test.sh -R synthetic
#   MOVIEREC_SANITIZE=0 tools/test.sh    the Release stage only
#
# Arguments go to ctest (after --output-on-failure -j2). Each stage is one build tree and one
# ctest run.
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

# Extra packages for the test stages: the sanitized build's compiler; the PostgreSQL server and
# the sqlite3 and psql clients of the profile store's tests; the browser the web page's test
# drives (tests/e2e/browser.sh).
TEST_PACKAGES=(clang-14 postgresql sqlite3 chromium chromium-driver python3-selenium)
SANITIZED_CXX=clang++-14

# run_stage NAME DIR [CMAKE_ARGS...]: builds DIR and runs its tests.
run_stage() {
  local name=$1 dir=$2 start=$SECONDS
  shift 2
  build_tree "$REPO_ROOT/$dir" "$@"
  say "built $dir/ in $((SECONDS - start)) s; running the $name tests"
  start=$SECONDS
  (cd "$dir" && ctest --output-on-failure -j2 "${CTEST_ARGS[@]}")
  say "the $name tests passed in $((SECONDS - start)) s"
}

CTEST_ARGS=("$@")
ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
run_stage Release build -DCMAKE_COMPILE_WARNING_AS_ERROR=ON
if [[ ${MOVIEREC_SANITIZE:-1} != 0 ]]; then
  # clang: g++ 12's UBSan writes its reports to stderr whatever log_path says, where an expected
  # failure could hide them. Debug for the assertions (Eigen's index checks among them); the
  # library is compiled at -O1 (CMakeLists.txt).
  run_stage "ASan+UBSan" build-asan -DCMAKE_CXX_COMPILER="$SANITIZED_CXX" -DCMAKE_BUILD_TYPE=Debug \
    -DMOVIEREC_SANITIZE=ON -DMOVIEREC_BUILD_BENCHMARKS=OFF -DCMAKE_COMPILE_WARNING_AS_ERROR=ON
fi
say "all tests passed"
