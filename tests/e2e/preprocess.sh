#!/usr/bin/env bash
# End-to-end test of preprocess: a small ml-latest-layout release written here (quoted titles,
# a CRLF file, a BOM, rows the loader must drop, users and movies that the filter must drop),
# every output checked with pandas against an independent computation, then the bad inputs of
# issue 2, each of which must fail naming file and line (or the threshold) and leave processed/
# byte for byte as it was.
# Usage: bash preprocess.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"

# --- the fixture -------------------------------------------------------------------------------
mkdir -p data/small
"$PY" - data/small <<'EOF'
import json, sys
out = sys.argv[1]
day = 86400
t0 = 1_500_000_000
rows = []          # (user, movie, rating, timestamp text), as written
valid = []         # the rows the loader must keep
def add(u, m, r, t, keep=True):
    rows.append((u, m, r, str(t)))
    if keep:
        valid.append((u, m, r, t))
# Users 1-6 rate movies 1-10, one a day, stars cycling; users 1-3 then rate movie 13 last.
for u in range(1, 7):
    for m in range(1, 11):
        add(u, m, [4.0, 3.5, 5.0, 2.0, 4.5, 1.0, 3.0, 0.5, 2.5, 4.0][(m + u) % 10], t0 + (u * 3 + m) * day)
    if u <= 3:
        add(u, 13, 5.0, t0 + 100 * day)
# User 2 rates movies 4, 5 and 6 at the same second: ties are broken by movie id (the file lists
# them in the opposite order, as it lists every row).
tie = t0 + 10 * day
rows[:] = [(u, m, r, str(tie)) if (u, m) in ((2, 5), (2, 6)) else (u, m, r, t) for (u, m, r, t) in rows]
valid[:] = [(u, m, r, tie) if (u, m) in ((2, 5), (2, 6)) else (u, m, r, t) for (u, m, r, t) in valid]
# Movie 11: users 4 and 5, and user 7 whose 3 ratings fall below min_user_ratings 5, so after
# the user filter movie 11 has 2 ratings, below min_movie_ratings 3 (the order matters).
add(4, 11, 3.0, t0 + 50 * day); add(5, 11, 4.0, t0 + 51 * day)
add(7, 1, 4.0, t0 + 5 * day); add(7, 2, 4.0, t0 + 6 * day); add(7, 11, 1.0, t0 + 7 * day)
# User 8 has exactly 5 ratings; user 9 keeps one rating after the movie filter (split skips it).
for m in range(1, 6):
    add(8, m, 3.0 + (m % 3) * 0.5, t0 + (40 + m) * day)
add(9, 1, 2.0, t0 + 1 * day)
for m in (14, 15, 16, 17):
    add(9, m, 3.0, t0 + (2 + m) * day)
# User 6 rates movie 15 before their train ratings end: the filter drops the movie (2 ratings),
# and the rating goes to rare_train_transformed.csv to fold it in.
add(6, 15, 4.5, t0 + 4 * day)
# Rows the loader drops: a missing timestamp, an unknown movie, an older duplicate.
rows.append((1, 12, 3.0, ""))
rows.append((2, 99, 3.0, str(t0)))
rows.append((4, 1, 1.5, str(t0 - 5 * day)))  # user 4 rated movie 1 again later; this one goes
with open(f"{out}/ratings.csv", "w", encoding="utf-8", newline="") as f:
    f.write("\ufeffuserId,movieId,rating,timestamp\n")
    for u, m, r, t in reversed(rows):
        f.write(f"{u},{m},{r},{t}\n")
titles = {1: '"Shawshank Redemption, The (1994)"', 2: '"Movie ""Quoted"" (2000)"',
          3: '"Amélie (Fabuleux destin d\'Amélie Poulain, Le) (2001)"', 12: "No Year Movie",
          13: "New Release (2018)"}
with open(f"{out}/movies.csv", "w", encoding="utf-8", newline="") as f:  # CRLF
    f.write("movieId,title,genres\r\n")
    for m in range(1, 18):
        genres = "(no genres listed)" if m == 12 else ("Drama|Crime" if m % 2 else "Comedy")
        f.write(f"{m},{titles.get(m, f'Film {m} ({1980 + m})')},{genres}\r\n")
with open(f"{out}/links.csv", "w") as f:
    f.write("movieId,imdbId,tmdbId\n")
    for m in range(1, 18):
        f.write(f"{m},{m:07d},{ {1: 99911, 3: 99913}.get(m, 5000 + m) if m != 12 else ''}\n")
with open(f"{out}/tags.csv", "w") as f:
    f.write("userId,movieId,tag,timestamp\n")
    # Kept: tags two or more people used. Dropped: one person's ("my note", twice), and
    # spoilers however many used them ("twist ending").
    for u, m, tag in [(1, 1, "prison"), (2, 1, "Prison"), (3, 1, "prison"), (4, 1, "morgan freeman"),
                      (5, 1, "morgan freeman"), (1, 3, "quirky"), (2, 3, '"paris, france"'),
                      (3, 3, "quirky"), (4, 3, '"paris, france"'), (6, 1, "my note"),
                      (6, 3, "my note"), (6, 1, "twist ending"), (7, 1, "twist ending")]:
        f.write(f"{u},{m},{tag},{t0}\n")
with open("tmdb.csv", "w") as f:
    f.write("budget,id,overview,release_date,runtime,title\n")
    f.write('25000000,99911,"Framed in the 1940s, a banker\nfinds hope.",1994-09-22,141.0,Shawshank\n')
    f.write("10,99913,Amelie sees Paris.,2001-04-24,,Amelie\n")
    f.write("10,9999,Unrelated.,,94.5,Other\n")
json.dump({"valid": valid}, open("expected.json", "w"))
EOF

# The fixture's thresholds, unless a test gives its own.
run() {
  local thresholds=(--min-user-ratings 5 --min-movie-ratings 3)
  [[ " $* " == *" --min-"[um]* ]] && thresholds=()
  "$BIN/preprocess" --config "$SRC/config/pipeline.yaml" "${thresholds[@]}" "$@"
}

run --data data/small --out processed --tmdb tmdb.csv > summary.txt 2> stderr.txt ||
  { cat summary.txt stderr.txt; fail "preprocess failed on the fixture"; }
[ -s stderr.txt ] && { cat stderr.txt; fail "preprocess wrote to stderr without a terminal"; }
grep -q "read 82 rating rows" summary.txt || { cat summary.txt; fail "summary: rows read"; }
grep -q "1 with a missing or invalid timestamp, 1 of movies not in the movie list, 1 older" \
  summary.txt || { cat summary.txt; fail "summary: dropped rows"; }

# --- every output, checked with pandas -----------------------------------------------------------
"$PY" - <<'EOF' || fail "pandas checks"
import json, math
import pandas as pd
P = "processed/"
valid = pd.DataFrame(json.load(open("expected.json"))["valid"],
                     columns=["userId", "movieId", "rating", "timestamp"])
# Independent filter: users with >= 5 ratings, then movies with >= 3 among them.
uc = valid.groupby("userId").size()
f = valid[valid.userId.isin(uc[uc >= 5].index)]
mc = f.groupby("movieId").size()
f = f[f.movieId.isin(mc[mc >= 3].index)].sort_values(["userId", "timestamp", "movieId"])
got = pd.read_csv(P + "ratings_filtered.csv")
assert list(got.columns) == ["userId", "movieId", "rating", "timestamp"], got.columns
assert got.values.tolist() == f.values.tolist(), "ratings_filtered differs"
assert 11 not in set(got.movieId) and 7 not in set(got.userId) and 9 in set(got.userId)
movies = pd.read_csv(P + "movies_filtered.csv")
assert list(movies.columns) == ["movieId", "title", "genres"]
assert movies.movieId.tolist() == sorted(set(f.movieId)), movies.movieId.tolist()
assert movies.title[0] == "Shawshank Redemption, The (1994)" and movies.title[1] == 'Movie "Quoted" (2000)'
# Independent split.
train, val, test = [], [], []
for u, g in f.groupby("userId"):
    n = len(g)
    if n < 3:
        continue
    a, b = math.floor(n * 0.7 + 1e-9), math.floor(n * (0.7 + 0.15) + 1e-9)
    train += g.values[:a].tolist(); val += g.values[a:b].tolist(); test += g.values[b:].tolist()
for name, rows in (("train", train), ("val", val), ("test", test)):
    d = pd.read_csv(P + name + ".csv")
    assert list(d.columns) == ["userId", "movieId", "rating", "timestamp"]
    assert d.values.tolist() == rows, name
assert 9 not in set(pd.read_csv(P + "train.csv").userId), "user 9 must be skipped by the split"
# The movies the filter dropped: their ratings by kept users, each in the user's train period.
kept_users = set(uc[uc >= 5].index)
rare = valid[valid.userId.isin(kept_users) & ~valid.movieId.isin(mc[mc >= 3].index)]
last = pd.DataFrame(train, columns=valid.columns).groupby("userId").timestamp.max()
rare = rare[rare.userId.isin(last.index)]
rare = rare[rare.timestamp <= rare.userId.map(last)].sort_values(["userId", "timestamp", "movieId"])
got_rare = pd.read_csv(P + "rare_train_transformed.csv")
assert got_rare[["userId", "movieId", "rating", "timestamp"]].values.tolist() == rare.values.tolist(), \
    (got_rare, rare)
assert len(rare) > 0, "the fixture must drop a movie some kept user rated in train"
u2 = pd.read_csv(P + "train.csv").query("userId == 2")
assert u2.movieId.tolist() == [1, 2, 3, 4, 5, 6, 7], u2.movieId.tolist()
# Independent transform with train statistics.
tr = pd.DataFrame(train, columns=["userId", "movieId", "rating", "timestamp"])
means = tr.groupby("userId").rating.mean(); counts = tr.groupby("movieId").size()
tmax = tr.timestamp.max(); gmean = tr.rating.mean()
assert int(open(P + "train_max_timestamp.txt").read()) == tmax
for name in ("train", "val", "test"):
    d = pd.read_csv(P + name + "_transformed.csv")
    assert list(d.columns) == ["userId", "movieId", "rating", "timestamp", "rating_norm",
                               "pop_weight", "time_weight", "final_rating"]
    for r in d.itertuples():
        norm = r.rating - means.get(r.userId, gmean)
        pop = counts.get(r.movieId, 1) ** -0.5
        days = max(0.0, (tmax - r.timestamp) / 86400)
        tw = math.exp(-math.log(2) * days / 365)
        for got_v, want in ((r.rating_norm, norm), (r.pop_weight, pop), (r.time_weight, tw),
                            (r.final_rating, norm * pop * tw)):
            assert abs(got_v - want) <= 1e-12 * max(1, abs(want)), (name, r, got_v, want)
test_t = pd.read_csv(P + "test_transformed.csv")
assert (test_t[test_t.movieId == 13].pop_weight == 1).all() and (test_t.movieId == 13).any()
um = json.load(open(P + "user_means.json"))
assert {int(k): v for k, v in um.items()} == means.to_dict()
pop = {int(k): v for k, v in json.load(open(P + "movie_popularity.json")).items()}
assert sorted(pop) == movies.movieId.tolist() and pop[13] == 0 and pop[1] == counts[1]
# Metadata: every movie of movies.csv, counts and means over all valid ratings.
md = pd.read_csv(P + "movie_metadata.csv", dtype={"imdbId": str})
assert list(md.columns) == ["movieId", "title", "year", "genres", "rating_count", "rating_mean",
                            "imdbId", "tmdbId", "tags", "overview", "release_date", "runtime"]
assert md.movieId.tolist() == list(range(1, 18))
md = md.set_index("movieId")
vc = valid.groupby("movieId").rating
for m in range(1, 18):
    want_n = int(vc.size().get(m, 0))
    assert md.rating_count[m] == want_n, (m, md.rating_count[m], want_n)
    assert abs(md.rating_mean[m] - (vc.mean().get(m, 0.0))) < 1e-12
assert md.year[1] == 1994 and math.isnan(md.year[12]) and md.year[3] == 2001
assert md.title[3].startswith("Amélie")
assert md.tags[1] == "prison|morgan freeman" and md.tags[3] == "paris, france|quirky", md.tags
assert md.imdbId[1] == "0000001" and md.tmdbId[1] == 99911 and math.isnan(md.tmdbId[12])
assert md.overview[1] == "Framed in the 1940s, a banker finds hope." and md.runtime[1] == 141
assert md.release_date[3] == "2001-04-24" and math.isnan(md.runtime[3])
assert math.isnan(md.runtime[2]) and not isinstance(md.overview[2], str)
# Manifest.
man = json.load(open(P + "manifest.json"))
assert man["format_version"] == 1 and man["program"] == "preprocess"
assert man["created"].endswith("Z") and len(man["created"]) == 20
assert man["data"]["layout"].startswith("csv") and len(man["data"]["checksum"]) == 16
assert man["config"]["filter"] == {"min_user_ratings": 5, "min_movie_ratings": 3}
assert man["config"]["split"]["train_ratio"] == 0.7
c = man["counts"]
assert (c["train"], c["val"], c["test"]) == (len(train), len(val), len(test))
assert c["ratings_kept"] == len(f) and c["users_skipped"] == 1
assert c["dropped_by_user_threshold"] == 3 and c["dropped_by_movie_threshold"] == 2 + 4 + 1
names = {"ratings_filtered.csv", "movies_filtered.csv", "train.csv", "val.csv", "test.csv",
         "train_transformed.csv", "val_transformed.csv", "test_transformed.csv", "user_means.json",
         "movie_popularity.json", "train_max_timestamp.txt", "movie_metadata.csv",
         "rare_train_transformed.csv"}
assert set(man["files"]) == names, set(man["files"]) ^ names
for name, info in man["files"].items():
    if name.endswith(".csv"):
        assert info["rows"] == len(pd.read_csv(P + name)), name
    assert len(info["checksum"]) == 16
EOF

# --- columns in another order: the same outputs -------------------------------------------------
cp -r data/small data/reordered
"$PY" - data/reordered/ratings.csv <<'EOF'
import sys
lines = open(sys.argv[1], encoding="utf-8-sig").read().splitlines()
out = [",".join([p[3], p[2], p[0], p[1]]) for p in (l.split(",") for l in lines)]
open(sys.argv[1], "w").write("\n".join(out) + "\n")
EOF
run --data data/reordered --out reordered --tmdb tmdb.csv > /dev/null ||
  fail "columns in another order must work"
for f in ratings_filtered.csv train.csv val_transformed.csv movie_metadata.csv; do
  cmp -s "processed/$f" "reordered/$f" || fail "$f differs when the columns come in another order"
done

# --- bad input: non-zero exit, file and line named, processed/ untouched -------------------------
snapshot() { (cd processed && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
before=$(snapshot)
# expect_failure NAME PATTERN ARGS...: runs preprocess into processed/ with a broken copy made by
# the caller in data/bad, and checks the exit code, the message and that processed/ is intact.
expect_failure() {
  local name=$1 pattern=$2
  shift 2
  local status=0
  local out=(--out processed)
  [[ " $* " == *" --out "* ]] && out=()
  run "${out[@]}" "$@" > out.txt 2> err.txt || status=$?
  [ "$status" -ne 0 ] || fail "$name: exit status 0"
  [ -n "${SHOW_ERRORS:-}" ] && echo "$name: $(cat err.txt)"
  grep -Eq -- "$pattern" err.txt || { cat err.txt; fail "$name: message does not match $pattern"; }
  [ "$(snapshot)" = "$before" ] || fail "$name: processed/ changed"
  ! compgen -G ".processed.tmp*" > /dev/null || fail "$name: temporary folder left behind"
}
fresh() { rm -rf data/bad && cp -r data/small data/bad; }

fresh; rm data/bad/movies.csv
expect_failure "missing movies.csv" "movies\.csv" --data data/bad
fresh; sed -i '1s/.*/userId,movieId,stars,timestamp/' data/bad/ratings.csv
expect_failure "missing column" "ratings\.csv:1: .*rating" --data data/bad
fresh; sed -Ei '5s/^([^,]*,[^,]*,)[^,]*/\1abc/' data/bad/ratings.csv
expect_failure "non-numeric rating" "ratings\.csv:5: .*rating" --data data/bad
fresh; sed -Ei '7s/^([^,]*,[^,]*,)[^,]*/\17.5/' data/bad/ratings.csv
expect_failure "rating out of range" "ratings\.csv:7: .*rating" --data data/bad
fresh; printf '18,"Broken "title (1999),Drama\r\n' >> data/bad/movies.csv
expect_failure "malformed quoted title" "movies\.csv:19: " --data data/bad
fresh; printf '18,"Never closed (1999),Drama\r\n' >> data/bad/movies.csv
expect_failure "unterminated quoted title" "movies\.csv:19: " --data data/bad
fresh; : > data/bad/ratings.csv
expect_failure "empty ratings file" "ratings\.csv: .*empty" --data data/bad
fresh; : > data/bad/movies.csv
expect_failure "empty movies file" "movies\.csv: .*empty" --data data/bad
expect_failure "user threshold empties the data" \
  "no user has at least 1000 ratings \(filter\.min_user_ratings\)" \
  --data data/small --min-user-ratings 1000
expect_failure "movie threshold empties the data" "\(filter\.min_movie_ratings\)" \
  --data data/small --min-user-ratings 5 --min-movie-ratings 1000
expect_failure "split threshold empties the data" "\(split\.min_ratings\)" \
  --data data/small --min-ratings 1000
expect_failure "missing --tmdb file" "nowhere\.csv: cannot open" --data data/small \
  --tmdb nowhere.csv
printf 'id,overview,release_date,runtime\n99911,x,1994-09-22,long\n' > bad_tmdb.csv
expect_failure "bad TMDB row" "bad_tmdb\.csv:2: column 'runtime'" --data data/small \
  --tmdb bad_tmdb.csv
expect_failure "missing data folder" "nothing-here" --data nothing-here
cp -r data/small data/keep
expect_failure "--out naming a data folder" "holds files preprocess did not write" \
  --data data/small --out data/keep
diff -r data/small data/keep > /dev/null || fail "--out data/keep changed the data folder"
expect_failure "value out of range" "train_ratio" --data data/small --train-ratio 1.5

# Usage errors exit 2; --help lists the options with their defaults.
status=0; "$BIN/preprocess" --no-such-flag > /dev/null 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "an unknown flag must exit 2, got $status"
"$BIN/preprocess" --help > help.txt
for word in --data --out --config --tmdb --min-user-ratings --half-life-days --top-tags \
            data/ml-latest-small config/pipeline.yaml; do
  grep -q -- "$word" help.txt || fail "--help does not mention $word"
done
! grep -q -- "--svd-tolerance" help.txt || fail "--help offers train settings"
echo "preprocess e2e: all checks passed"
