#!/usr/bin/env bash
# The set-up, bench and test scripts parse, and pass shellcheck where it is installed (the tests at
# warning level: their `check && check || fail` is deliberate, fail exits).
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
if command -v shellcheck >/dev/null; then
  shellcheck -x -P SCRIPTDIR/.. "${scripts[@]}"
  shellcheck -x -S warning -P SCRIPTDIR/../.. "${tests[@]}"
else
  echo "shellcheck is not installed; only checked that the scripts parse"
fi
echo "scripts: ok"
