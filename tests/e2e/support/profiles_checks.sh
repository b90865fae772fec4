# shellcheck shell=bash
# The profiles program's checks, the same on every backend (sourced after setup.sh):
#   check_profiles_program SPEC SQL_COMMAND...
# SPEC is a store whose tables exist and hold no profile; SQL_COMMAND runs SQL read from stdin
# against the same database (sqlite3 FILE, or psql URL), which writes the fixture the way a
# person with sqlite3 or psql could. Then list, show, export (ratings and watchlist, stars from
# the config and from flags) and delete are checked, and the errors for unknown and bad names.

T0=1700000000
check_profiles_program() {
  local spec=$1 out
  shift
  "$@" <<SQL
INSERT INTO profiles (name, created_at, last_seq) VALUES ('ana', $T0, 12), ('bo', $((T0 + 100)), 1);
INSERT INTO answers (profile, seq, movie_id, answer, answered_at, slot) VALUES
  ('ana', 1, 1, 'favourite', $((T0 + 1)), 1), ('ana', 2, 2, 'favourite', $((T0 + 2)), 2),
  ('ana', 4, 3, 'favourite', $((T0 + 4)), 3), ('ana', 5, 4, 'favourite', $((T0 + 5)), 4),
  ('ana', 6, 10, 'like', $((T0 + 6)), NULL), ('ana', 7, 11, 'dislike', $((T0 + 7)), NULL),
  ('ana', 8, 12, 'skip', $((T0 + 8)), NULL), ('ana', 9, 13, 'watch', $((T0 + 9)), NULL),
  ('ana', 10, 14, 'watch', $((T0 + 10)), NULL), ('ana', 11, 10, 'dislike', $((T0 + 11)), NULL),
  ('ana', 12, 14, 'like', $((T0 + 12)), NULL),
  ('bo', 1, 10, 'like', $((T0 + 100)), NULL);
SQL
  local p=("$BIN/profiles" --config "$SRC/config/pipeline.yaml" --profiles "$spec")

  out=$("${p[@]}" list)
  grep -Eq '^ana +4 +2 +2 +1 +2 +2023-11-14 22:13 UTC$' <<<"$out" || fail "list, ana's row: $out"
  grep -Eq '^bo +0 +1 +0 +0 +0 ' <<<"$out" || fail "list, bo's row: $out"

  out=$("${p[@]}" show ana)
  for line in "favourites (4 of 4):" "likes (2):" "dislikes (2):" "skips (1):" "watchlist (1):" \
      "counts: 4 favourites, 2 likes, 2 dislikes, 1 skip, 2 to watch (7 answers in all)"; do
    grep -qxF "$line" <<<"$out" || fail "show ana lacks '$line': $out"
  done
  sed -n '/^watchlist/,/^counts/p' <<<"$out" | sed -n 2p | grep -Eq '^  13( |$)' ||
    fail "watchlist: $out"

  # Per movie the latest answer: 10 liked then disliked, 14 listed to watch then liked; the
  # skip and the watch are left out with the shipped stars.
  out=$("${p[@]}" export ana)
  [[ $out == "userId,movieId,rating,timestamp
0,1,5.0,$((T0 + 1))
0,2,5.0,$((T0 + 2))
0,3,5.0,$((T0 + 4))
0,4,5.0,$((T0 + 5))
0,10,1.5,$((T0 + 11))
0,11,1.5,$((T0 + 7))
0,14,4.5,$((T0 + 12))" ]] || fail "export ana: $out"
  out=$("${p[@]}" export ana --user-id 999 --like-stars 4 --skip-stars 2 --favourite-stars 0)
  [[ $out == "userId,movieId,rating,timestamp
999,10,1.5,$((T0 + 11))
999,11,1.5,$((T0 + 7))
999,12,2.0,$((T0 + 8))
999,14,4.0,$((T0 + 12))" ]] || fail "export with stars from flags: $out"
  [[ $("${p[@]}" export ana --watchlist) == "movieId,timestamp
13,$((T0 + 9))" ]] || fail "export --watchlist"
  if out=$("${p[@]}" export ana --like-stars 0.2 2>&1); then fail "stars 0.2 accepted"; fi
  grep -q "profiles.like_stars" <<<"$out" || fail "bad stars: $out"

  "${p[@]}" delete bo | grep -q "deleted profile bo" || fail "delete bo"
  [[ $("${p[@]}" list | grep -c '^bo ') == 0 ]] || fail "bo still listed"
  for command in "show bo" "export bo" "delete bo"; do
    # shellcheck disable=SC2086  # the command's words
    if out=$("${p[@]}" $command 2>&1); then fail "$command of a deleted profile succeeded"; fi
    grep -q "no profile named bo in " <<<"$out" || fail "$command: $out"
  done
  if out=$("${p[@]}" show "a b" 2>&1); then fail "show 'a b' succeeded"; fi
  grep -q "1 to 64 letters, digits" <<<"$out" || fail "show 'a b': $out"
  [[ $("${p[@]}" export ana | wc -l) == 8 ]] || fail "ana changed"
}
