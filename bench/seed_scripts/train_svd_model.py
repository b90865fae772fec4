#!/usr/bin/python3
"""Seed section 5: ids mapped to indices (user_map.json, movie_map.json), the users x movies
matrix of final_rating, scikit-learn's TruncatedSVD (k 50, randomized), the model (joblib) and
the embeddings (.npy) written, and the validation RMSE printed."""
import json
import os

import joblib
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

from common import K, folders

processed, artifacts = folders()
train = pd.read_csv(os.path.join(processed, "train_transformed.csv"))
val = pd.read_csv(os.path.join(processed, "val_transformed.csv"))
user_map = {int(u): i for i, u in enumerate(np.sort(train["userId"].unique()))}
movie_map = {int(m): i for i, m in enumerate(np.sort(train["movieId"].unique()))}
with open(os.path.join(artifacts, "user_map.json"), "w") as f:
    json.dump(user_map, f)
with open(os.path.join(artifacts, "movie_map.json"), "w") as f:
    json.dump(movie_map, f)
rows = train["userId"].map(user_map).to_numpy()
cols = train["movieId"].map(movie_map).to_numpy()
matrix = sp.csr_matrix((train["final_rating"].to_numpy(), (rows, cols)),
                       shape=(len(user_map), len(movie_map)))
svd = TruncatedSVD(n_components=K, random_state=1)
user_embeddings = svd.fit_transform(matrix)  # U·Σ
movie_embeddings = svd.components_.T
joblib.dump(svd, os.path.join(artifacts, "svd_model.joblib"))
np.save(os.path.join(artifacts, "user_embeddings.npy"), user_embeddings.astype(np.float32))
np.save(os.path.join(artifacts, "movie_embeddings.npy"), movie_embeddings.astype(np.float32))
known = val[val["userId"].isin(user_map) & val["movieId"].isin(movie_map)]
u = known["userId"].map(user_map).to_numpy()
m = known["movieId"].map(movie_map).to_numpy()
predicted = np.einsum("ij,ij->i", user_embeddings[u], movie_embeddings[m])
rmse = float(np.sqrt(np.mean((predicted - known["final_rating"].to_numpy()) ** 2)))
print(f"validation RMSE {rmse:.6f} on {len(known)} ratings")
