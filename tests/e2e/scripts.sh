#!/usr/bin/env bash
# The set-up and bench scripts parse, and pass shellcheck where it is installed.
# Usage: bash scripts.sh BIN_DIR SOURCE_DIR
set -euo pipefail
SRC=$(cd "$2" && pwd)
cd "$SRC"
scripts=(tools/common.sh tools/run.sh tools/test.sh .ci/run bench/*.sh)
for script in "${scripts[@]}"; do
  bash -n "$script" || { echo "FAIL: $script does not parse" >&2; exit 1; }
done
for script in tools/run.sh tools/test.sh .ci/run bench/bench_pipeline.sh bench/fuzz.sh; do
  [[ -x $script ]] || { echo "FAIL: $script is not executable" >&2; exit 1; }
done
if command -v shellcheck >/dev/null; then
  shellcheck -x -P SCRIPTDIR/.. "${scripts[@]}"
else
  echo "shellcheck is not installed; only checked that the scripts parse"
fi
echo "scripts: ok"
