#!/usr/bin/python3
"""Seed section 4: rating_norm = stars - the user's train mean, pop_weight = train count ^ -0.5,
time_weight halving every 365 days before the newest train rating, final_rating their product;
writes user_means.json, movie_popularity.json, train_max_timestamp.txt and the *_transformed.csv."""
import json
import os

import numpy as np
import pandas as pd

from common import HALF_LIFE_DAYS, POP_EXPONENT, folders

_, out = folders()
parts = {name: pd.read_csv(os.path.join(out, f"{name}.csv")) for name in ("train", "val", "test")}
train = parts["train"]
user_means = train.groupby("userId")["rating"].mean()
popularity = train.groupby("movieId").size()
newest = train["timestamp"].max()
global_mean = train["rating"].mean()
with open(os.path.join(out, "user_means.json"), "w") as f:
    json.dump({str(k): v for k, v in user_means.items()}, f)
with open(os.path.join(out, "movie_popularity.json"), "w") as f:
    json.dump({str(k): int(v) for k, v in popularity.items()}, f)
with open(os.path.join(out, "train_max_timestamp.txt"), "w") as f:
    f.write(f"{newest}\n")
for name, part in parts.items():
    part["rating_norm"] = part["rating"] - part["userId"].map(user_means).fillna(global_mean)
    part["pop_weight"] = part["movieId"].map(popularity).fillna(1.0) ** -POP_EXPONENT
    days = ((newest - part["timestamp"]) / 86400.0).clip(lower=0)
    part["time_weight"] = np.exp(-np.log(2) * days / HALF_LIFE_DAYS)
    part["final_rating"] = part["rating_norm"] * part["pop_weight"] * part["time_weight"]
    part.to_csv(os.path.join(out, f"{name}_transformed.csv"), index=False)
