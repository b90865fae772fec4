#!/usr/bin/env bash
# End-to-end: the programs' command lines (issue 13). --help shows the shipped config's values
# (not the built-in defaults) and typed placeholders (INT, FLOAT, PATH, NAME), never TEXT for a
# number; numeric flags are range-checked while parsing (exit 2, one plain sentence, ranges as
# whole numbers); negative seeds are refused; a config key typed as a flag names the flag.
# Usage: command_lines.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"

# --help from the source folder, where the shipped config files are.
# usage_error PROGRAM EXPECTED ARGS...: the program exits 2 and says EXPECTED on stderr.
usage_error() {
  local program=$1 expected=$2
  shift 2
  set +e
  (cd "$SRC" && "$BIN/$program" "$@" < /dev/null > /dev/null 2> "$OLDPWD/usage.txt")
  local status=$?
  set -e
  [ "$status" -eq 2 ] || fail "$program $* must exit 2, got $status: $(cat usage.txt)"
  grep -qF -- "$expected" usage.txt || fail "$program $*: no \"$expected\" in: $(cat usage.txt)"
}

(cd "$SRC" && "$BIN/train_svd" --help) > train_help.txt
"$PY" - train_help.txt "$SRC/config/pipeline.yaml" <<'PYEOF' || fail "train_svd --help"
import re, sys
text = open(sys.argv[1]).read()
shipped = open(sys.argv[2]).read()
k = re.search(r"^\s*k:\s*(\d+)", shipped, re.M).group(1)
model = re.search(r"^\s*model:\s*(\w+)", shipped, re.M).group(1)
assert re.search(r"--k INT .*\[train\.k, default %s; 1 to 2000\]" % k, text), text
assert re.search(r"--model NAME .*\[train\.model, default %s\]" % model, text), text
assert re.search(r"--seed INT .*0 to 2147483647\]", text), text
assert re.search(r"--processed PATH", text) and re.search(r"--config PATH", text), text
assert re.search(r"--als-missing-weight FLOAT", text), text
assert "e+0" not in text, "a range printed in exponent form"
for line in text.splitlines():
    assert not re.search(r"--[a-z-]+ TEXT", line), line
PYEOF
(cd "$SRC" && "$BIN/recommend" --help) > recommend_help.txt
grep -q -- "--learning-rate FLOAT" recommend_help.txt && grep -q -- "--seed INT" recommend_help.txt ||
  fail "recommend --help placeholders: $(grep -- '--seed\|--learning-rate' recommend_help.txt)"

usage_error train_svd 'train_svd: --k must be a whole number from 1 to 2000 (got "0"; config key train.k)' --k 0
usage_error train_svd '--k must be a whole number' --k 2.5
usage_error train_svd 'must be one of svd, als, biased_als (got "svx"' --model svx
usage_error train_svd '--seed must be a whole number from 0 to 2147483647 (got "-1"' --seed -1
usage_error train_svd '--als-missing-weight must be a number from 0 to 1 (got "2"' \
  --als-missing-weight 2
usage_error recommend '--seed must be a whole number from 0 to 18446744073709551615 (got "-1"' \
  --seed -1
usage_error evaluate '--users must be a whole number from 0 to 2147483647 (got "-1"' --users -1
usage_error evaluate '--seed must be a whole number' --seed -3
usage_error recommend '--learning_rate is a config key; its flag is --learning-rate.' \
  --learning_rate 0.1
usage_error recommend '--learning-rate must be a number from 0 to 1 (got "7"' --learning-rate 7
usage_error preprocess '--min-user-ratings must be a whole number' --min-user-ratings x
echo "command_lines e2e: ok"
