#!/usr/bin/env bash
# End-to-end: the retraining round trip of a profile. A profile answers 20 movies with recommend
# --profile; preprocess --profiles and train_svd make a model that knows it as a user; recommend
# --profile on that model starts from the trained user vector (the first recommendation's model
# score is that vector's dot product with the movie's embedding), says so in the profile event,
# recommends none of the answered movies, and folds in the answers given after the processed data
# was made (since_training), which a later session restores.
# Usage: profile_retrain.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"

small_release 17
"$BIN/train_svd" --processed processed --out artifacts --config "$SRC/config/pipeline.yaml" \
  --k 8 > /dev/null
"$PY" "$SRC/tests/e2e/support/catalog_movies.py" artifacts processed movies.json
"$PY" -c 'import json; print("\n".join(json.load(open("movies.json"))["titles"]))' > favourites.txt
RECOMMEND=("$BIN/recommend" --policy "$SRC/config/recommender_policy.yaml" --json
  --profiles p.sqlite --profile ana)

# 20 answers on the release's model.
{ cat favourites.txt; for i in $(seq 20); do if ((i % 3)); then echo y; else echo n; fi; done
  echo q; } > first.txt
"${RECOMMEND[@]}" --seed 2 --artifacts artifacts --processed processed < first.txt > first.jsonl \
  2> /dev/null
grep -q '"likes":14,"dislikes":6' first.jsonl || fail "the first session: $(tail -n 1 first.jsonl)"

# Retrained with the profile.
"$BIN/preprocess" --data data --out with --config "$SRC/config/pipeline.yaml" \
  --min-user-ratings 5 --min-movie-ratings 15 --profiles p.sqlite > /dev/null
"$BIN/train_svd" --processed with --out retrained --config "$SRC/config/pipeline.yaml" \
  --k 8 > /dev/null
sleep 1.1  # answers from now on are after the processed data's time (whole seconds)

printf 'y\ny\nn\nq\n' | "${RECOMMEND[@]}" --seed 3 --artifacts retrained --processed with \
  > second.jsonl 2> /dev/null
printf 'q\n' | "${RECOMMEND[@]}" --seed 4 --artifacts retrained --processed with \
  > third.jsonl 2> /dev/null

"$PY" - <<'PYEOF' || fail "the retrained profile"
import json
import numpy as np
manifest = json.load(open("with/manifest.json"))
user = manifest["profiles"]["ana"]
first = [json.loads(line) for line in open("first.jsonl")]
answered = {e["movie_id"] for e in first if e["event"] == "recommendation"}
answered -= {first[-2]["movie_id"]}  # the one shown when q was typed was not answered
assert len(answered) == 20, len(answered)

second = [json.loads(line) for line in open("second.jsonl")]
profile, start = second[0], second[1]
assert profile["event"] == "profile" and profile["resumed"], profile
assert profile["trained_user"] == user, (profile, user)
assert (profile["answers"], profile["since_training"]) == (20, 0), profile
assert (profile["likes"], profile["dislikes"]) == (14, 6), profile
# The start is the trained user vector: the model score is its dot product with the movie's.
user_map = json.load(open("retrained/user_map.json"))
movie_map = json.load(open("retrained/movie_map.json"))
users = np.load("retrained/user_embeddings.npy")
movies = np.load("retrained/movie_embeddings.npy")
expected = float(users[user_map[str(user)]].astype(np.float64) @
                 movies[movie_map[str(start["movie_id"])]].astype(np.float64))
assert abs(start["parts"]["model_score"] - expected) < 1e-4 * max(1.0, abs(expected)), \
    (start["parts"]["model_score"], expected)
shown = [e["movie_id"] for e in second if e["event"] == "recommendation"]
assert not set(shown) & answered, set(shown) & answered
new = shown[:3]

third = [json.loads(line) for line in open("third.jsonl")]
profile = third[0]
assert profile["trained_user"] == user and profile["since_training"] == 3, profile
assert (profile["answers"], profile["likes"], profile["dislikes"]) == (23, 16, 7), profile
assert third[1]["movie_id"] not in answered | set(new), third[1]
PYEOF
echo "profile_retrain: all checks passed"
