#!/usr/bin/env bash
# End-to-end test of make_synthetic: --help and usage errors, sizes it must refuse (with no
# folder left behind), and a small release checked with pandas: the ml-latest layout, the asked
# counts, valid values, no repeated (user, movie) pair, and the same bytes for the same seed.
# Usage: bash make_synthetic.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"

"$BIN/make_synthetic" --help >help.txt || fail "--help exited non-zero"
grep -q -- "--ratings" help.txt || fail "--help does not list --ratings"
grep -q "default 1e+06\|default 1000000" help.txt || fail "--help does not show the defaults"

set +e
"$BIN/make_synthetic" --out rel --no-such-flag 2>err.txt; code=$?
set -e
[[ $code == 2 ]] || fail "an unknown flag exited $code, not 2"

set +e
"$BIN/make_synthetic" --out rel --ratings 100 --users 500 2>err.txt; code=$?
set -e
[[ $code == 1 ]] || fail "too many users exited $code, not 1"
grep -q "size.users" err.txt || fail "the error does not name size.users: $(cat err.txt)"
[[ ! -e rel ]] || fail "a refused run left rel/ behind"

set +e
"$BIN/make_synthetic" --out rel --ratings 100 --genres 40 2>err.txt; code=$?
set -e
[[ $code == 2 ]] || fail "40 genres exited $code, not 2 (usage)"
grep -q "size.genres" err.txt || fail "the error does not name size.genres: $(cat err.txt)"

"$BIN/make_synthetic" --out rel --ratings 20000 --users 150 --movies 500 --seed 3 --tags >out.txt
grep -q "20000 ratings by 150 users of 500 movies" out.txt || fail "summary: $(cat out.txt)"
"$BIN/make_synthetic" --out again --ratings 20000 --users 150 --movies 500 --seed 3 --tags >/dev/null
for file in ratings.csv movies.csv links.csv tags.csv; do
  cmp -s "rel/$file" "again/$file" || fail "$file differs between two runs with the same seed"
done
! compgen -G "*tmp*" > /dev/null && ! compgen -G ".*tmp*" > /dev/null ||
  fail "a temporary folder was left behind: $(ls -A)"

"$PY" - rel <<'PYEOF' || fail "the release does not check out in pandas"
import json, sys
import pandas as pd
d = sys.argv[1]
r = pd.read_csv(f"{d}/ratings.csv")
m = pd.read_csv(f"{d}/movies.csv")
l = pd.read_csv(f"{d}/links.csv", dtype={"imdbId": str})
t = pd.read_csv(f"{d}/tags.csv")
about = json.load(open(f"{d}/synthetic.json"))
assert list(r.columns) == ["userId", "movieId", "rating", "timestamp"], r.columns
assert list(m.columns) == ["movieId", "title", "genres"], m.columns
assert list(l.columns) == ["movieId", "imdbId", "tmdbId"], l.columns
assert list(t.columns) == ["userId", "movieId", "tag", "timestamp"], t.columns
assert len(r) == 20000 and r.userId.nunique() == 150 and len(m) == 500 and len(l) == 500
assert about["counts"]["ratings"] == 20000 and about["counts"]["tags"] == len(t) > 0
assert not r.duplicated(["userId", "movieId"]).any()
assert r.movieId.isin(m.movieId).all() and t.movieId.isin(m.movieId).all()
assert r.rating.between(0.5, 5).all() and ((r.rating * 2) % 1 == 0).all()
assert r.groupby("userId").size().min() >= 20
assert m.movieId.is_monotonic_increasing and l.imdbId.str.len().eq(7).all()
assert m.title.str.match(r"^Synthetic Movie \d+").all()
assert (r.groupby("userId").timestamp.min() >= 820454400).all()
PYEOF
echo "make_synthetic: ok"
