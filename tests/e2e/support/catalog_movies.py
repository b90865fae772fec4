#!/usr/bin/python3
"""Movies of a trained model for the end-to-end tests of serve: the four most rated movies of
the catalog whose MovieLens title reads as it is shown ("Title (Year)": no article moved behind,
no alternative title), and one movie outside the trained catalog (the filter dropped it) that
train_svd folded in from its ratings: it can be a favourite, and is not recommended.

Usage: catalog_movies.py ARTIFACTS_DIR PROCESSED_DIR OUT_JSON
Writes {"favourites": [id, ...], "titles": [title, ...], "outside": id}.
"""
import csv
import json
import re
import sys

artifacts, processed, out = sys.argv[1:4]
embedded = set(json.load(open(f"{artifacts}/movie_map.json")))
folded = set(json.load(open(f"{artifacts}/outside_movie_map.json")))
rows = list(csv.DictReader(open(f"{processed}/movie_metadata.csv", encoding="utf-8")))
plain = re.compile(r"^[^,()]+ \(\d{4}\)$")
inside = sorted((r for r in rows if r["movieId"] in embedded and plain.match(r["title"])),
                key=lambda r: -int(r["rating_count"]))[:4]
outside = [r for r in rows if r["movieId"] in folded and int(r["rating_count"]) > 0]
assert len(inside) == 4 and outside, "the fixture needs movies inside and outside the catalog"
json.dump({"favourites": [int(r["movieId"]) for r in inside],
           "titles": [r["title"] for r in inside],
           "outside": int(outside[0]["movieId"])}, open(out, "w"))
