#!/usr/bin/python3
"""Seed section 2: timestamps made datetimes (invalid ones dropped), users with at least 20
ratings kept, then movies with at least 50; writes ratings_filtered.csv and movies_filtered.csv."""
import os

import pandas as pd

from common import MIN_MOVIE, MIN_USER, folders

data, out = folders()
ratings = pd.read_csv(os.path.join(data, "ratings.csv"))
movies = pd.read_csv(os.path.join(data, "movies.csv"))
ratings["timestamp"] = pd.to_datetime(ratings["timestamp"], unit="s", errors="coerce")
ratings = ratings.dropna(subset=["timestamp"])
ratings = ratings[ratings.groupby("userId")["userId"].transform("size") >= MIN_USER]
ratings = ratings[ratings.groupby("movieId")["movieId"].transform("size") >= MIN_MOVIE]
movies = movies[movies["movieId"].isin(ratings["movieId"].unique())]
# Written back as epoch seconds, as preprocess writes them.
ratings["timestamp"] = ratings["timestamp"].astype("int64") // 10**9
ratings.to_csv(os.path.join(out, "ratings_filtered.csv"), index=False)
movies.to_csv(os.path.join(out, "movies_filtered.csv"), index=False)
