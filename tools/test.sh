#!/usr/bin/env bash
# The test command: installs what is missing, builds in Release, and runs every test.
#
#   tools/test.sh [CTEST_OPTIONS...]     e.g. tools/test.sh -R synthetic
#
# Arguments go to ctest (after --output-on-failure -j2). Each stage is one build tree and one
# ctest run, so a further stage (a sanitizer build in build-asan/, say) is one more run_stage line.
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

# Extra packages for the test stages (clang and libfuzzer-14-dev join when fuzz targets build).
TEST_PACKAGES=()

# run_stage NAME DIR [CMAKE_ARGS...]: builds DIR and runs its tests.
run_stage() {
  local name=$1 dir=$2
  shift 2
  build_tree "$REPO_ROOT/$dir" "$@"
  say "running the $name tests in $dir/"
  (cd "$dir" && ctest --output-on-failure -j2 "${CTEST_ARGS[@]}")
}

CTEST_ARGS=("$@")
ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
run_stage Release build
say "all tests passed"
