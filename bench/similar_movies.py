#!/usr/bin/python3
"""Chooses "more like this" by measurement: which similarity between two catalog movies?

    /usr/bin/python3 bench/similar_movies.py [--processed DIR] [--artifacts DIR]

Candidates (each a movie x movie matrix over the trained catalog, the movie itself excluded):
  cosine       cosine of the model's movie vectors (artifacts/movie_embeddings.npy)
  corating     co-rating cosine over train likes (stars >= 4), shrunk by n_ij / (n_ij + s)
  blend        w x cosine + (1 - w) x corating (both on a 0..1 scale)
Measures, for the top 10 of every catalog movie:
  held-out     for users of val/test: each train-liked movie's top 10 against the movies the
               same user liked later (val + test, stars >= 4): share of those found (recall)
  series       movies of the same franchise (titles sharing a name before ':' / a number, from
               FRANCHISES below, at least two in the catalog): share of the siblings in the top 10
  popularity   share of the top 10 drawn from the 10% most-rated movies (0.10 when popularity
               plays no part), and the coverage (distinct movies in any top 10 / catalog)
"most popular" (the same list for every movie) shows how far the held-out recall alone
rewards popularity.
"""
import argparse
import json
import re

import numpy as np
import pandas as pd

FRANCHISES = [
    "Toy Story", "Star Wars", "Lord of the Rings", "Harry Potter", "Matrix", "Indiana Jones",
    "Back to the Future", "Terminator", "Godfather", "Shrek", "Pirates of the Caribbean",
    "Bourne", "Dark Knight|Batman Begins", "Spider-Man", "X-Men|X2", "Mission: Impossible",
    "Die Hard", "Alien|Aliens", "Jurassic Park|Lost World", "Ocean's", "Men in Black",
    "Kill Bill", "Austin Powers", "Lethal Weapon", "Ice Age", "Monsters", "Incredibles",
    "Finding", "Hunger Games", "Iron Man", "Avengers", "Star Trek", "Twilight", "Hobbit",
    "Rocky", "Ghostbusters", "Home Alone", "Cars", "Despicable Me", "How to Train Your Dragon",
    "Kung Fu Panda", "Madagascar", "Sherlock Holmes", "Captain America", "Thor", "Transformers",
    "Bill & Ted", "Naked Gun", "Meet the", "American Pie", "Scream", "Saw", "Mummy",
    "Night at the Museum", "Planet of the Apes", "Fast and the Furious|Fast & Furious|Furious",
    "Harry Potter", "Star Wars", "Beverly Hills Cop", "Hangover", "Bad Boys", "Rush Hour",
    "Blade", "Hellboy", "Wallace", "Princess Diaries", "Legally Blonde", "Dumb", "Addams Family",
    "Jaws", "Predator", "Halloween", "Nightmare on Elm Street", "Friday the 13th", "Evil Dead|Army of Darkness",
    "Mad Max", "Before Sunrise|Before Sunset|Before Midnight", "Three Colors", "Lion King",
    "Toy Story", "Zoolander", "Jackass", "Kingsman", "Guardians of the Galaxy", "Deadpool",
    "Bridget Jones", "Police Academy", "Superman", "Batman", "Pink Panther", "Hot Shots",
]


def load(processed, artifacts):
    emb = np.load(f"{artifacts}/movie_embeddings.npy").astype(np.float64)
    movie_map = json.load(open(f"{artifacts}/movie_map.json"))
    ids = np.empty(len(movie_map), dtype=np.int64)
    for movie_id, row in movie_map.items():
        ids[row] = int(movie_id)
    meta = pd.read_csv(f"{processed}/movie_metadata.csv").set_index("movieId")
    titles = meta.loc[ids, "title"].tolist()
    read = lambda name: pd.read_csv(f"{processed}/{name}")
    return emb, ids, titles, read("train.csv"), pd.concat([read("val.csv"), read("test.csv")])


def likes_matrix(ratings, row_of, users):
    liked = ratings[(ratings.rating >= 4) & ratings.movieId.isin(row_of.index)]
    matrix = np.zeros((len(users), len(row_of)), dtype=np.float64)
    matrix[users.get_indexer(liked.userId), row_of.loc[liked.movieId].to_numpy()] = 1
    return matrix


def cosine_of(vectors):
    norms = np.linalg.norm(vectors, axis=1)
    norms[norms == 0] = 1
    unit = vectors / norms[:, None]
    return unit @ unit.T


def corating(train_likes, shrink):
    counts = train_likes.T @ train_likes  # n_ij (diagonal n_i)
    n = np.diag(counts).copy()
    denom = np.sqrt(np.outer(n, n))
    denom[denom == 0] = 1
    shrunk = counts + shrink
    shrunk[shrunk == 0] = 1  # no co-rating and no shrinkage: similarity 0, not 0/0
    return counts / denom * counts / shrunk


def top10(similarity):
    s = similarity.copy()
    np.fill_diagonal(s, -np.inf)
    return np.argsort(-s, axis=1, kind="stable")[:, :10]


def series_groups(titles):
    groups = []
    for pattern in dict.fromkeys(FRANCHISES):
        rows = [r for r, t in enumerate(titles) if re.search(rf"\b({pattern})", t)]
        if len(rows) >= 2:
            groups.append(rows)
    return groups


def measure(name, tops, train_likes, later_likes, popular, groups):
    found = wanted = 0
    for u in range(train_likes.shape[0]):
        later = np.flatnonzero(later_likes[u])
        if len(later) == 0:
            continue
        later_set = set(later.tolist())
        for i in np.flatnonzero(train_likes[u]):
            found += len(later_set.intersection(tops[i].tolist()))
            wanted += min(10, len(later_set))
    sib = []
    for rows in groups:
        for r in rows:
            others = set(rows) - {r}
            sib.append(len(others.intersection(tops[r].tolist())) / min(10, len(others)))
    pop_share = popular[tops].mean()
    coverage = len(np.unique(tops)) / tops.shape[0]
    print(f"{name:<22} held-out recall {found / wanted:.4f}  series {np.mean(sib):.3f} "
          f"({len(groups)} series, {len(sib)} movies)  top-10% share {pop_share:.3f}  "
          f"coverage {coverage:.3f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--processed", default="processed")
    parser.add_argument("--artifacts", default="artifacts")
    parser.add_argument("--show", nargs="*", default=["Toy Story (1995)", "Matrix, The (1999)",
                                                       "Godfather, The (1972)"])
    args = parser.parse_args()
    emb, ids, titles, train, later = load(args.processed, args.artifacts)
    row_of = pd.Series(np.arange(len(ids)), index=ids)
    users = pd.Index(sorted(set(train.userId)))
    train_likes = likes_matrix(train, row_of, users)
    later_likes = likes_matrix(later, row_of, users)
    n = train_likes.sum(axis=0)
    popular = n >= np.quantile(n, 0.9)
    groups = series_groups(titles)
    print(f"{len(ids)} catalog movies, {len(users)} users; series: "
          + "; ".join(" / ".join(titles[r] for r in g) for g in groups[:6]) + " ...")
    cos = cosine_of(emb)
    candidates = {"cosine": cos}
    for shrink in (0, 5, 10, 25, 50):
        candidates[f"corating s={shrink}"] = corating(train_likes, shrink)
    for s in (10, 25):
        co = corating(train_likes, s)
        for w in (0.25, 0.5, 0.75):
            candidates[f"blend w={w} s={s}"] = w * (cos + 1) / 2 + (1 - w) * co
    candidates["dot (unnormalised)"] = emb @ emb.T
    candidates["most popular (reference)"] = np.tile(n, (len(n), 1))
    tops = {}
    for name, sim in candidates.items():
        tops[name] = top10(sim)
        measure(name, tops[name], train_likes, later_likes, popular, groups)
    for title in args.show:
        if title not in titles:
            continue
        r = titles.index(title)
        for name in ("cosine", "corating s=10", "blend w=0.5 s=10"):
            print(f"{title} [{name}]: " + "; ".join(titles[j] for j in tops[name][r][:6]))


if __name__ == "__main__":
    main()
