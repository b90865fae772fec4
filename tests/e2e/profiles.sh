#!/usr/bin/env bash
# End-to-end test of the profiles program and of preprocess --profiles on SQLite stores: a store
# of the first schema version written with sqlite3 (migrated when opened), the program's checks
# shared with PostgreSQL (support/profiles_checks.sh), a missing default store, files that are
# not stores (refused untouched), and the retraining round trip: profiles added by preprocess as
# users above the release's largest id, kept though below the user filter, all their answers in
# train, and present in train_svd's user_map.json.
# Usage: bash profiles.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"
# shellcheck source=tests/e2e/support/profiles_checks.sh
source "$SRC/tests/e2e/support/profiles_checks.sh"
command -v sqlite3 > /dev/null || fail "sqlite3 is missing (Debian: apt-get install sqlite3)"
P=("$BIN/profiles" --config "$SRC/config/pipeline.yaml")

# --- no store yet: list says so, the rest fail naming it ----------------------------------------
mkdir empty
(cd empty && [[ $("${P[@]}" list) == "no profiles (data/profiles.sqlite does not exist yet)" ]]) ||
  fail "list without a store"
if out=$(cd empty && "${P[@]}" show ana 2>&1); then fail "show without a store succeeded"; fi
grep -qF "no profile store at data/profiles.sqlite" <<<"$out" || fail "show without a store: $out"
[[ ! -e empty/data ]] || fail "a read created a store"

# --- a version-1 store, as sqlite3 writes it, is migrated on opening ------------------------------
sqlite3 old.sqlite <<'SQL'
PRAGMA application_id = 1297502787;
PRAGMA user_version = 1;
CREATE TABLE answers (id INTEGER PRIMARY KEY, profile TEXT NOT NULL, movie_id INTEGER NOT NULL,
                      answer TEXT NOT NULL, answered_at INTEGER NOT NULL);
INSERT INTO answers (profile, movie_id, answer, answered_at) VALUES
  ('old', 5, 'favourite', 1600000000), ('old', 6, 'like', 1600000005),
  ('old', 7, 'favourite', 1600000001);
SQL
"${P[@]}" --profiles old.sqlite list | grep -Eq '^old +2 +1 ' || fail "the version-1 store's profile"
[[ $(sqlite3 old.sqlite 'PRAGMA user_version') == 2 ]] || fail "not migrated to version 2"
[[ $(sqlite3 old.sqlite "SELECT group_concat(movie_id || ':' || seq || ':' || ifnull(slot, '-'), ' ')
      FROM (SELECT * FROM answers ORDER BY seq)") == "5:1:1 6:2:- 7:3:2" ]] || fail "migrated rows"
sqlite3 old.sqlite 'DELETE FROM answers; DELETE FROM profiles'
check_profiles_program old.sqlite sqlite3 -bail old.sqlite
# The schema keeps people's own rows to its rules.
if sqlite3 old.sqlite "INSERT INTO answers VALUES ('ana', 99, 1, 'love', 1, NULL)" 2> err.txt; then
  fail "an answer 'love' was let in"
fi
grep -q "CHECK constraint failed" err.txt || fail "the CHECK: $(cat err.txt)"

# --- files that are not profile stores are refused untouched -------------------------------------
printf 'userId,movieId,rating,timestamp\n1,1,4.0,1\n' > ratings.csv
sqlite3 other.sqlite 'CREATE TABLE notes (body TEXT)'
cp old.sqlite newer.sqlite && sqlite3 newer.sqlite 'PRAGMA user_version = 3'
for file in ratings.csv other.sqlite newer.sqlite; do
  cp "$file" before
  if out=$("${P[@]}" --profiles "$file" list 2>&1); then fail "$file accepted"; fi
  grep -q "$file" <<<"$out" || fail "the error does not name $file: $out"
  cmp -s before "$file" || fail "$file was changed"
done
out=$("${P[@]}" --profiles ratings.csv list 2>&1 || true)
grep -q "ratings.csv is not a SQLite database" <<<"$out" || fail "ratings.csv: $out"
out=$("${P[@]}" --profiles newer.sqlite list 2>&1 || true)
grep -q "version 3, newer than this program's 2" <<<"$out" || fail "newer.sqlite: $out"
if "${P[@]}" --profiles 'mysql://h/db' list 2> err.txt; then fail "mysql:// accepted"; fi
grep -q "unknown kind of database" err.txt || fail "mysql://: $(cat err.txt)"

# --- the round trip: preprocess --profiles, then train_svd ----------------------------------------
small_release 11
[[ $("$PY" -c 'import json,sys; print("profiles" in json.load(open("processed/manifest.json")))') == False ]] ||
  fail "a manifest without profiles lists them"
# Four favourites and a few answers on movies of the release: fewer ratings than the user filter's
# 5 after the skip and the watch are left out, and one movie the release lacks.
read -r -a movies < <("$PY" -c '
import pandas as pd
r = pd.read_csv("processed/movies_filtered.csv")
print(" ".join(str(m) for m in r.movieId.head(8)))')
sqlite3 -bail store.sqlite "PRAGMA application_id = 1297502787; PRAGMA user_version = 1;
  CREATE TABLE answers (id INTEGER PRIMARY KEY, profile TEXT NOT NULL, movie_id INTEGER NOT NULL,
                        answer TEXT NOT NULL, answered_at INTEGER NOT NULL);
  INSERT INTO answers (profile, movie_id, answer, answered_at) VALUES
    ('zoe', ${movies[0]}, 'favourite', 1700000000), ('zoe', ${movies[1]}, 'favourite', 1700000001),
    ('zoe', ${movies[2]}, 'like', 1700000002), ('zoe', ${movies[3]}, 'skip', 1700000003),
    ('zoe', ${movies[4]}, 'watch', 1700000004), ('zoe', 987654, 'like', 1700000005),
    ('amy', ${movies[5]}, 'dislike', 1700000006), ('amy', ${movies[6]}, 'like', 1700000007);"
"$BIN/preprocess" --data data --out with --config "$SRC/config/pipeline.yaml" \
  --min-user-ratings 5 --min-movie-ratings 15 --profiles store.sqlite > pre.txt
last=$("$PY" -c 'import pandas as pd; print(pd.read_csv("data/ratings.csv").userId.max())')
amy=$((last + 1)) zoe=$((last + 2))
grep -qF "profiles: 2 in the store, 2 added as users (amy $amy, zoe $zoe) with 5 ratings, all in train; 1 answer dropped" pre.txt ||
  fail "preprocess summary: $(cat pre.txt)"
"$BIN/train_svd" --processed with --out artifacts --config "$SRC/config/pipeline.yaml" > /dev/null
"$PY" - "$amy" "$zoe" "${movies[@]}" <<'EOF2' || fail "round trip"
import json, sys
import pandas as pd
amy, zoe, *movies = [int(m) for m in sys.argv[1:]]
manifest = json.load(open("with/manifest.json"))
assert manifest["profiles"] == {"amy": amy, "zoe": zoe}, manifest["profiles"]
assert manifest["config"]["profiles"]["store"] == "store.sqlite", manifest["config"]
train = pd.read_csv("with/train.csv")
got = train[train.userId == zoe].sort_values("movieId")
expected = sorted([(movies[0], 5.0), (movies[1], 5.0), (movies[2], 4.5)])
assert list(zip(got.movieId, got.rating)) == expected, got
assert sorted(train[train.userId == amy].rating) == [1.5, 4.5]
for part in ("val", "test"):
    held = pd.read_csv(f"with/{part}.csv")
    assert not held.userId.isin([amy, zoe]).any(), part
user_map = json.load(open("artifacts/user_map.json"))
assert {str(amy), str(zoe)} <= set(user_map), "profiles missing from user_map.json"
assert json.load(open("artifacts/manifest.json"))["config"]["profiles"]["store"] == "store.sqlite"
EOF2
# The config's profiles.store works as the flag does.
sed 's|^  store: .*|  store: store.sqlite|' "$SRC/config/pipeline.yaml" > with_store.yaml
grep -q '^  store: store.sqlite' with_store.yaml || fail "config/pipeline.yaml has no profiles.store"
"$BIN/preprocess" --data data --out again --config with_store.yaml --min-user-ratings 5 \
  --min-movie-ratings 15 > /dev/null
cmp -s with/train.csv again/train.csv || fail "profiles.store in the config differs from --profiles"
echo "profiles: all checks passed"
