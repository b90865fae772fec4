#!/usr/bin/env bash
# End-to-end test of the PostgreSQL profile store, on a throwaway cluster this test starts
# (support/postgres.sh: initdb and pg_ctl in a private folder, a Unix socket only) and removes,
# also on failure: the unit tests' [postgres] cases (the store suite that SQLite runs too, two
# writer processes on one database, a writer killed with SIGKILL, version 1 migrated, foreign and
# newer databases refused, the server stopped mid-use and started again), then the profiles
# program's checks (the same as on SQLite) and preprocess --profiles against it.
# Usage: bash store_postgres.sh BIN_DIR SOURCE_DIR [PART]
#   PART: unit (the unit tests' cases: the unit_tests binary beside BIN_DIR) or programs (the
#   programs' checks); both by default. ctest registers the parts apart (the line below) because
#   tools/test.sh runs the unit tests in its sanitized stage and the programs in its Release one.
# ctest-parts: unit programs
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"
# shellcheck source=tests/e2e/support/postgres.sh
source "$SRC/tests/e2e/support/postgres.sh"
# shellcheck source=tests/e2e/support/profiles_checks.sh
source "$SRC/tests/e2e/support/profiles_checks.sh"
PART=${3:-both}
[[ $PART == @(unit|programs|both) ]] || fail "PART must be unit or programs, not '$PART'"
postgres_start

# --- the store suite and the failure cases -------------------------------------------------------
if [[ $PART != programs ]]; then
  UNIT_TESTS=$BIN/../tests/unit_tests
  [[ -x $UNIT_TESTS ]] || fail "no $UNIT_TESTS: build the unit_tests target"
  MOVIEREC_TEST_POSTGRES=$PG_URL MOVIEREC_TEST_POSTGRES_STOP=$PG_CTL_STOP \
    MOVIEREC_TEST_POSTGRES_START=$PG_CTL_START "$UNIT_TESTS" "[postgres]" > unit.txt 2>&1 ||
    { cat unit.txt >&2; fail "the unit tests' [postgres] cases"; }
  grep -Eq "All tests passed \(.* in ([1-9][0-9]) test cases\)" unit.txt ||
    fail "the [postgres] cases did not all run: $(tail -n 3 unit.txt)"
  tail -n 2 unit.txt
fi
[[ $PART == unit ]] && { echo "store_postgres: the unit tests' cases passed"; exit 0; }

# --- the profiles program, as on SQLite ------------------------------------------------------------
psql_run() { psql "$PG_URL" -q -v ON_ERROR_STOP=1 -X "$@"; }
psql_run -c "CREATE DATABASE movierec" > /dev/null
url=${PG_URL/\/postgres\?/\/movierec?}
[[ $("$BIN/profiles" --config "$SRC/config/pipeline.yaml" --profiles "$url" list) == "no profiles" ]] ||
  fail "list of a new PostgreSQL store"
[[ $(psql "$url" -XAtc 'SELECT version FROM movierec_schema') == 2 ]] || fail "schema version"
check_profiles_program "$url" psql "$url" -q -v ON_ERROR_STOP=1 -X

# --- preprocess --profiles reads it ------------------------------------------------------------------
small_release 5
movie=$("$PY" -c 'import pandas as pd; print(pd.read_csv("processed/movies_filtered.csv").movieId[0])')
psql "$url" -q -X -c "DELETE FROM answers; DELETE FROM profiles;
  INSERT INTO profiles VALUES ('pg-user', 1700000000, 1);
  INSERT INTO answers VALUES ('pg-user', 1, $movie, 'like', 1700000000, NULL)"
"$BIN/preprocess" --data data --out with --config "$SRC/config/pipeline.yaml" \
  --min-user-ratings 5 --min-movie-ratings 15 --profiles "$url" > /dev/null
"$PY" - "$movie" <<'EOF2' || fail "preprocess --profiles on PostgreSQL"
import json, sys
import pandas as pd
manifest = json.load(open("with/manifest.json"))
user = manifest["profiles"]["pg-user"]
assert user == pd.read_csv("data/ratings.csv").userId.max() + 1
train = pd.read_csv("with/train.csv")
assert list(train[train.userId == user].movieId) == [int(sys.argv[1])]
assert manifest["config"]["profiles"]["store"].startswith("postgresql://postgres@")
EOF2
echo "store_postgres: all checks passed"
