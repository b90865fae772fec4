#!/usr/bin/python3
"""Groundwork for "any movie as a favourite" (issue 12): how strongly to regularise a movie
folded into a trained ALS model from only a few ratings.

    /usr/bin/python3 bench/fold_in.py [--processed DIR] [--artifacts DIR] [--seed N]

The fold-in is the ALS movie step against the trained user vectors U (what train_svd's weighted
ALS solves for each movie, als.cpp):
    v = (w0 UᵀU + (1 − w0) Σ_rated u uᵀ + λ I)⁻¹ Σ_rated r u
with w0 = train.als_missing_weight. For each catalog movie it keeps only m of its train ratings
(seeded sample), folds it in with λ, and asks how the folded vector ranks the movie for the
users who liked it later (val + test, stars >= 4): the share of the other catalog movies each
such user scores below it (AUC), against the trained vector (all its ratings) and against a
vector of zeros; and the cosine of the folded vector with the trained one (its direction, which
is what a favourite contributes to a session's start vector).
"""
import argparse
import json

import numpy as np
import pandas as pd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--processed", default="processed")
    parser.add_argument("--artifacts", default="artifacts")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    manifest = json.load(open(f"{args.artifacts}/manifest.json"))
    w0 = manifest["config"]["train"]["als_missing_weight"]
    users = np.load(f"{args.artifacts}/user_embeddings.npy").astype(np.float64)
    movies = np.load(f"{args.artifacts}/movie_embeddings.npy").astype(np.float64)
    user_row = {int(k): v for k, v in json.load(open(f"{args.artifacts}/user_map.json")).items()}
    movie_row = {int(k): v for k, v in json.load(open(f"{args.artifacts}/movie_map.json")).items()}
    train = pd.read_csv(f"{args.processed}/train.csv")
    later = pd.concat([pd.read_csv(f"{args.processed}/{n}.csv") for n in ("val", "test")])
    train = train[train.userId.isin(user_row) & train.movieId.isin(movie_row)]
    later = later[(later.rating >= 4) & later.userId.isin(user_row) & later.movieId.isin(movie_row)]
    base = w0 * users.T @ users
    scores = users @ movies.T  # every user's score of every catalog movie
    rng = np.random.default_rng(args.seed)
    counts = (1, 2, 3, 5, 10, 20)
    lambdas = (0.1, 1, 3, 10, 30, 100)
    auc = {(m, lam): [] for m in counts for lam in lambdas}
    cosine = {(m, lam): [] for m in counts for lam in lambdas}
    trained, zero = [], []

    def ranks(movie, vector, likers):
        own = users[likers] @ vector
        others = np.delete(scores[likers], movie, axis=1)
        return (others < own[:, None]).mean(axis=1)

    for movie_id, rated in train.groupby("movieId"):
        movie = movie_row[movie_id]
        likers = [user_row[u] for u in later[later.movieId == movie_id].userId]
        if len(rated) < max(counts) or not likers:
            continue
        trained.extend(ranks(movie, movies[movie], likers))
        zero.extend(ranks(movie, np.zeros(movies.shape[1]), likers))
        for m in counts:
            sample = rated.iloc[rng.choice(len(rated), m, replace=False)]
            u = users[[user_row[x] for x in sample.userId]]
            observed = (1 - w0) * u.T @ u
            rhs = u.T @ sample.rating.to_numpy()
            for lam in lambdas:
                vector = np.linalg.solve(base + observed + lam * np.eye(len(rhs)), rhs)
                auc[(m, lam)].extend(ranks(movie, vector, likers))
                cosine[(m, lam)].append(vector @ movies[movie] / (
                    np.linalg.norm(vector) * np.linalg.norm(movies[movie]) + 1e-300))
    print(f"w0 {w0}; {len(trained)} later likes of the catalog movies with >= {max(counts)} "
          f"train ratings")
    print(f"trained vector AUC {np.mean(trained):.3f}; zero vector {np.mean(zero):.3f}")
    for name, table in (("AUC of the later likes", auc), ("cosine to the trained vector", cosine)):
        print(f"{name}:\nratings kept | " + " | ".join(f"λ={lam}" for lam in lambdas))
        for m in counts:
            print(f"{m:>12} | " + " | ".join(f"{np.mean(table[(m, lam)]):.3f}" for lam in lambdas))


if __name__ == "__main__":
    main()
