#!/usr/bin/env bash
# The set-up, bench and test scripts parse and pass shellcheck (the tests at warning level: their
# `check && check || fail` is deliberate, fail exits). shellcheck is one of the packages
# tools/test.sh installs; without it this test fails rather than pass on parsing alone.
# Usage: bash scripts.sh BIN_DIR SOURCE_DIR
set -euo pipefail
SRC=$(cd "$2" && pwd)
cd "$SRC"
scripts=(tools/common.sh tools/run.sh tools/test.sh .ci/run bench/*.sh)
tests=(tests/e2e/*.sh tests/e2e/support/*.sh tests/layers/*.sh)
for script in "${scripts[@]}" "${tests[@]}"; do
  bash -n "$script" || { echo "FAIL: $script does not parse" >&2; exit 1; }
done
for script in tools/run.sh tools/test.sh .ci/run bench/bench_pipeline.sh bench/fuzz.sh; do
  [[ -x $script ]] || { echo "FAIL: $script is not executable" >&2; exit 1; }
done
command -v shellcheck > /dev/null ||
  { echo "FAIL: shellcheck is not installed (Debian: shellcheck; tools/test.sh installs it)" >&2; exit 1; }
shellcheck -x -P SCRIPTDIR/.. "${scripts[@]}"
shellcheck -x -S warning -P SCRIPTDIR/../.. "${tests[@]}"
echo "scripts: ok"
