#!/usr/bin/python3
"""Seed section 3: each user's ratings oldest first, 70% train, 15% validation, 15% test (users
with fewer than 3 left out); writes train.csv, val.csv, test.csv and movie_features.csv."""
import os

import numpy as np
import pandas as pd

from common import MIN_SPLIT, TRAIN, VAL, folders

_, out = folders()
ratings = pd.read_csv(os.path.join(out, "ratings_filtered.csv"))
ratings = ratings.sort_values(["userId", "timestamp", "movieId"], kind="stable")
ratings = ratings.reset_index(drop=True)
position = ratings.groupby("userId").cumcount()
count = ratings.groupby("userId")["userId"].transform("size")
a = np.floor(count * TRAIN + 1e-9)
b = np.floor(count * (TRAIN + VAL) + 1e-9)
kept = count >= MIN_SPLIT
ratings[kept & (position < a)].to_csv(os.path.join(out, "train.csv"), index=False)
ratings[kept & (position >= a) & (position < b)].to_csv(os.path.join(out, "val.csv"), index=False)
ratings[kept & (position >= b)].to_csv(os.path.join(out, "test.csv"), index=False)
movies = pd.read_csv(os.path.join(out, "movies_filtered.csv"))
movies.to_csv(os.path.join(out, "movie_features.csv"), index=False)
