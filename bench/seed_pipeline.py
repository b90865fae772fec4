#!/usr/bin/python3
"""The seed design's offline pipeline as its seed describes it (pandas + scikit-learn), for timing
beside preprocess + train_svd (bench/bench_seed_python.sh runs both on one release).

    /usr/bin/python3 bench/seed_pipeline.py --data RELEASE --out DIR [--k 50]

Does what config/seed_pipeline.yaml asks of our programs, the pandas way: read ratings.csv and
movies.csv; keep users with at least 20 ratings, then movies with at least 50; split each user's
ratings oldest first 70 / 15 / 15 (users with fewer than 3 left out); the seed's transform
(rating_norm = stars - the user's train mean, pop_weight = train count ^ -0.5, time_weight halving
every 365 days before the newest train rating, final_rating their product); write the same CSV and
JSON files as processed/; then scikit-learn's TruncatedSVD (k 50, randomized) of the users x movies
matrix of final_rating, and the user and movie embeddings as .npy. Prints the seconds of each step.
"""
import argparse
import json
import os
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

MIN_USER, MIN_MOVIE, TRAIN, VAL, MIN_SPLIT = 20, 50, 0.70, 0.15, 3
POP_EXPONENT, HALF_LIFE_DAYS = 0.5, 365.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--k", type=int, default=50)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    laps, start = [], time.perf_counter()

    def lap(name):
        nonlocal start
        now = time.perf_counter()
        laps.append((name, now - start))
        start = now

    ratings = pd.read_csv(os.path.join(args.data, "ratings.csv"))
    movies = pd.read_csv(os.path.join(args.data, "movies.csv"))
    lap("read")

    ratings = ratings[ratings.groupby("userId")["userId"].transform("size") >= MIN_USER]
    ratings = ratings[ratings.groupby("movieId")["movieId"].transform("size") >= MIN_MOVIE]
    ratings = ratings.sort_values(["userId", "timestamp", "movieId"], kind="stable")
    ratings = ratings.reset_index(drop=True)
    movies = movies[movies["movieId"].isin(ratings["movieId"].unique())]
    lap("filter")

    position = ratings.groupby("userId").cumcount()
    count = ratings.groupby("userId")["userId"].transform("size")
    a = np.floor(count * TRAIN + 1e-9)
    b = np.floor(count * (TRAIN + VAL) + 1e-9)
    kept = count >= MIN_SPLIT
    train = ratings[kept & (position < a)]
    val = ratings[kept & (position >= a) & (position < b)]
    test = ratings[kept & (position >= b)]
    lap("split")

    user_means = train.groupby("userId")["rating"].mean()
    popularity = train.groupby("movieId").size()
    newest = train["timestamp"].max()
    global_mean = train["rating"].mean()

    def transform(part):
        out = part.copy()
        out["rating_norm"] = out["rating"] - out["userId"].map(user_means).fillna(global_mean)
        out["pop_weight"] = out["movieId"].map(popularity).fillna(1.0) ** -POP_EXPONENT
        days = ((newest - out["timestamp"]) / 86400.0).clip(lower=0)
        out["time_weight"] = np.exp(-np.log(2) * days / HALF_LIFE_DAYS)
        out["final_rating"] = out["rating_norm"] * out["pop_weight"] * out["time_weight"]
        return out

    transformed = {name: transform(part) for name, part in
                   (("train", train), ("val", val), ("test", test))}
    lap("transform")

    ratings.to_csv(os.path.join(args.out, "ratings_filtered.csv"), index=False)
    movies.to_csv(os.path.join(args.out, "movies_filtered.csv"), index=False)
    for name, part in (("train", train), ("val", val), ("test", test)):
        part.to_csv(os.path.join(args.out, f"{name}.csv"), index=False)
        transformed[name].to_csv(os.path.join(args.out, f"{name}_transformed.csv"), index=False)
    with open(os.path.join(args.out, "user_means.json"), "w") as f:
        json.dump({str(k): v for k, v in user_means.items()}, f)
    with open(os.path.join(args.out, "movie_popularity.json"), "w") as f:
        json.dump({str(k): int(v) for k, v in popularity.items()}, f)
    lap("write")

    part = transformed["train"]
    users = np.sort(part["userId"].unique())
    items = np.sort(part["movieId"].unique())
    rows = np.searchsorted(users, part["userId"].to_numpy())
    cols = np.searchsorted(items, part["movieId"].to_numpy())
    matrix = sp.csr_matrix((part["final_rating"].to_numpy(), (rows, cols)),
                           shape=(len(users), len(items)))
    svd = TruncatedSVD(n_components=args.k, random_state=1)
    user_factors = svd.fit_transform(matrix)  # U·Σ
    np.save(os.path.join(args.out, "user_embeddings.npy"), user_factors.astype(np.float32))
    np.save(os.path.join(args.out, "movie_embeddings.npy"), svd.components_.T.astype(np.float32))
    lap("train")

    print(" ".join(f"{name} {seconds:.2f}" for name, seconds in laps),
          f"total {sum(s for _, s in laps):.2f}",
          f"(train ratings {len(train)}, users {len(users)}, movies {len(items)})")


if __name__ == "__main__":
    main()
