#!/usr/bin/python3
"""Writes the fuzz targets' seed corpora into tests/fuzz/corpus/<target>/ (committed; run again
after changing a seed). Seeds are small and written here by hand, or are the project's own test
fixtures (tests/fixtures/movielens/, written by us) with the target's selector byte in front.

    tests/fuzz/make_corpus.py
"""
import ctypes
import hashlib
import io
import json
import os
import shutil
import sqlite3

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "movielens")
SEPARATOR = b"\n--\n"  # between the files of one input (fuzz_support.hpp)

xxh = ctypes.CDLL("libxxhash.so.0")
xxh.XXH3_64bits.restype = ctypes.c_uint64
xxh.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]


def checksum(data):
    return format(xxh.XXH3_64bits(data, len(data)), "016x")


def fixture(layout, name):
    with open(os.path.join(FIXTURES, layout, name), "rb") as f:
        return f.read()


def npy(array):
    out = io.BytesIO()
    np.save(out, np.asarray(array, dtype="<f4"))
    return out.getvalue()


def csv_seeds():
    return [
        b"userId,movieId,rating,timestamp\n1,1,4.0,1000000300\n1,3,4.5,1000000100\n",
        b'movieId,title,genres\n1,"Fixture Story (1995)",Animation\n'
        b'11,"Fixture President, The (1995)",Comedy|Drama\n'
        b'12,"Fixture: ""Dead"" (1995)",Comedy\n',
        b"\xef\xbb\xbfa,b\r\n1,2\r\n\r\n3,4",
        b'a,b\n"two\nlines",x\n"",""\n',
        b"a,b\n1\n",
        b'a,b\n"open,1\n',
        b'a,b\nx"y,1\n"q"z,2\n',
        b"n\n1e400\n-0\n007\n+5\n0x10\n-9223372036854775808\n9223372036854775808\nnan\n",
        b"a|b\n1|2\n",
        b"1::101::5::1010000300\n2::3::a::b\n",
    ]


def movielens_csv_seeds():
    return [
        b"0" + fixture("csv", "ratings.csv"),
        b"1" + fixture("csv", "movies.csv"),
        b"2" + fixture("csv", "links.csv"),
        b"3" + fixture("csv", "tags.csv"),
        b"0userId,movieId,rating,timestamp\n1,1,4.0,\n1,2,5.5,3\n2,1,0.5,x\n",
        b"1movieId,title,genres\n3,Am\xe9lie (2001),(no genres listed)\n4,,Drama\n",
        b"0timestamp,rating,movieId,userId\n1000000300,3,1,1\n",
    ]


def movielens_dat_seeds():
    return [
        b"0" + fixture("dat", "ratings.dat"),
        b"1" + fixture("dat", "movies.dat"),
        b"2" + fixture("dat", "tags.dat"),
        b"01::1::5::\n1::2::0::3\n",
        b"11::Title: With::Colons (1999)::Drama\n",
    ]


def movielens_100k_seeds():
    return [
        b"0" + fixture("ml100k", "u.data"),
        b"1" + fixture("ml100k", "u.genre") + SEPARATOR + fixture("ml100k", "u.item"),
        b"1a|0\nb|0\n" + SEPARATOR + b"1|T|||u|1|0\n",
        b"0101\t202\t3\n",
    ]


def npy_seeds():
    matrix = npy([[1.0, -2.5, 0.0], [3.25, 1e-30, 7.0]])
    vector = npy([0.5, 1.5, -2.0])
    v2 = bytearray(npy([[1.0]]))  # the same as format 2.0 (4-byte header length)
    header_len = int.from_bytes(v2[8:10], "little")
    v2 = v2[:6] + b"\x02\x00" + header_len.to_bytes(4, "little") + v2[10:]
    return [
        b"\x00" + matrix,
        b"\x01" + vector,
        b"\x00" + npy(np.zeros((0, 4))),
        b"\x00" + bytes(v2),
        b"\x00" + matrix[:-5],  # truncated
        b"\x00" + npy(np.ones((2, 2), dtype="<f8")).replace(b"<f8", b"<f4")[:100],
        b"\x00" + npy(np.ones((2, 2), dtype=">f4")),
        b"\x00" + npy(np.asfortranarray(np.ones((2, 3)))).replace(b"False", b"True "),
        b"\x01" + npy([np.nan, np.inf]),
    ]


def json_seeds():
    return [
        b'{"1": 0, "3": 1, "7": 2}',
        b'{"-5": 1, "2147483647": 0}',
        b'{"01": 0}',
        b'{"1": 0, "2": 0}',
        b'{"1": 1.0}',
        b'{"filter": {"min_user_ratings": 5, "min_movie_ratings": 15}, "train": {"k": 8}}',
        b'{"split": {"train_ratio": 0.9, "val_ratio": 0.2}}',
        b'{"learning_rate": 0.5, "exploration": "random_dampening", "diversity_boost": 0.1}',
        b'{"train": {"target": "like", "k": 2000}, "metadata": {"top_tags": []}}',
    ]


def model_files_seeds():
    metadata = (b"movieId,title,year,genres,rating_count,rating_mean,imdbId,tmdbId,tags,overview,"
                b"release_date,runtime\n"
                b'1,"Matrix, The (1999)",1999,Action|Sci-Fi,300,4.2,0999931,99931,cyberpunk,'
                b'"A hacker learns.",1999-04-01,131\n'
                b"2,Toy Story (1995),1995,Animation|Children,250,3.9,0999901,99901,,,,81\n"
                b"3,Heat (1995),1995,Action|Crime,120,3.8,,,,,,\n"
                b"4,Fargo (1996),1996,Comedy|Crime,200,4.1,,,,,,\n"
                b"5,Alien (1979),1979,Horror|Sci-Fi,180,4.0,,,,,,\n"
                b"6,Obscure (2005),2005,Drama,3,2.0,,,,,,\n")
    popularity = b'{"1": 150, "2": 120, "3": 60, "4": 100, "5": 90}'
    train = "0123456789abcdef"
    processed = json.dumps({
        "format_version": 1, "program": "preprocess",
        "files": {"movie_metadata.csv": {"rows": 6, "checksum": checksum(metadata)},
                  "movie_popularity.json": {"rows": 5, "checksum": checksum(popularity)},
                  "train_transformed.csv": {"rows": 1, "checksum": train}}}).encode()
    artifacts = json.dumps({
        "format_version": 1, "program": "train_svd", "k": 2, "config": {"train": {"k": 2}},
        "inputs": {"train_transformed.csv": train}}).encode()
    user_map = b'{"10": 0, "11": 1}'
    movie_map = b'{"1": 0, "2": 1, "3": 2, "4": 3, "5": 4}'
    users = npy([[0.5, 0.1], [-0.2, 0.4]])
    movies = npy([[1.0, 0.1], [0.0, 1.0], [0.7, -0.3], [0.2, 0.6], [0.9, 0.0]])
    parts = [artifacts, user_map, movie_map, users, movies, processed, metadata, popularity]
    seeds = [b"\x00" + SEPARATOR.join(parts), b"\x01" + SEPARATOR.join(parts)]
    version2 = list(parts)
    version2[0] = artifacts.replace(b'"format_version": 1', b'"format_version": 2')
    seeds.append(b"\x00" + SEPARATOR.join(version2))
    nan = list(parts)
    nan[4] = npy([[1.0, np.nan], [0.0, 1.0], [0.7, -0.3], [0.2, 0.6], [0.9, 0.0]])
    seeds.append(b"\x00" + SEPARATOR.join(nan))
    short = list(parts)
    short[4] = npy([[1.0, 0.1], [0.0, 1.0]])
    seeds.append(b"\x01" + SEPARATOR.join(short))
    biased = list(parts)  # a biased_als model: both bias files and the manifest's global_mean
    biased[0] = artifacts.replace(b'"k": 2,', b'"k": 2, "global_mean": 3.5,')
    biased += [npy([0.1, -0.2]), npy([0.3, 0.0, -0.1, 0.2, 0.05])]
    seeds += [b"\x00" + SEPARATOR.join(biased), b"\x01" + SEPARATOR.join(biased)]
    return seeds


def config_yaml_seeds():
    """Pipeline config seeds behind a '0', policy seeds behind a '1' (fuzz_config_yaml.cpp)."""
    return ([b"0" + seed for seed in pipeline_yaml_seeds()] +
            [b"1" + seed for seed in policy_yaml_seeds()])


def policy_yaml_seeds():
    with open(os.path.join(HERE, "..", "..", "config", "recommender_policy.yaml"), "rb") as f:
        shipped = f.read()
    return [
        shipped,
        b"learning_rate: 0.5\nnegative_weight: 1\n",
        b"learning_rate: 7\n",
        b"learnig_rate: 0.2\n",
        b"exploration: random_dampening\nexploration_rate: 0.3\nexploration_damping: 0\n",
        b"user_update: [a, b]\n",
        b"learning_rate: 0.1\nlearning_rate: 0.2\n",
        b"? [complex, key]\n: 1\n",
        b"- just\n- a list\n",
        b"score_weight_model: !!float 1e3\ndiversity_boost: .inf\n",
        b"a: &x 1\nb: *x\n",
        b"{learning_rate: 0.2, {nested: map}: 1}\n",
    ]


def pipeline_yaml_seeds():
    with open(os.path.join(HERE, "..", "..", "config", "pipeline.yaml"), "rb") as f:
        shipped = f.read()
    return [
        shipped,
        b"filter:\n  min_user_ratings: 5\n  min_movie_ratings: 15\ntrain:\n  k: 8\n",
        b"split:\n  train_ratio: 0.9\n  val_ratio: 0.2\n",
        b"train:\n  target: like\n  svd_tolerance: 1e-12\n",
        b"filter: 3\n",
        b"filter:\n  filter:\n    min_user_ratings: 1\n",
        b"min_user_ratings: 5\n",
        b"train: {k: 99999999999999999999}\n",
        b"%YAML 1.2\n---\ntrain:\n  k: 8\n...\n",
    ]


def title_search_seeds():
    return [
        b"The Matrix (1999)", b"matrix", b"Matrix, The", b"heat 1995", b"heat (1972)", b"heat",
        b"toy sto", b"toy story 3", b"forest gump", b"AMELIE", b"fabuleux destin",
        b"godfather 2", b"godfather part ii", b"blade runner 2049", b"se7en", b"spiderman",
        b"schindlers list", b"l'auberge", b"fast and furious", b"1917", b"m", b"lovehjerte",
        b"strasse", b"aeon flux", b"star wars episode iv", b"band of brothers 2001", b"",
        b"\xc3\x28", b"the the the", b"a" * 600,
    ]


def session_seeds():
    favourites = b"The Matrix (1999)\nPulp Fiction (1994)\nForrest Gump (1994)\nFargo (1996)\n"
    return [
        favourites + b"i\ny\nn\ns\nyes\nNO\nskip\ninfo\nh\nq\n",
        b"heat\n1\ntoy story\n2\nHeat (1972)\n1\namelie\nalien\nq\n",
        b"Obscure Film (2005)\nKept Unrated\nToy Story Toons\n1\nthe matrix\nmatrix\n",
        b"\n\r\n\x00\x01\n\xc3\x28\n" + b"x" * 2000 + b"\nh\n?\nexit\nafter the end\n",
        favourites + b"s\n" * 10,
        favourites + b"bogus\n\n  Y  \r\ni\n",
        b"blade runner\n9\n0\n007\nfargo 1996\n",
    ]


def http_api_seeds():
    start = (b"POST /api/sessions\n"
             b'{"favourites": [1, 6, 10, 7], "seed": 3}\n--\n')
    answer = b'POST /api/sessions/$SID/answers\n{"movie_id": $MOVIE, "answer": "%s"}\n--\n'
    return [
        start + answer % b"like" + answer % b"dislike" + b"GET /api/sessions/$SID/explain\n--\n"
        + answer % b"skip" + b"GET /api/sessions/$SID\n--\nDELETE /api/sessions/$SID\n--\n"
        + b"GET /api/sessions/$SID\n",
        b"GET /api/health\n--\nGET /api/movies/search?q=toy+story&limit=3\n--\n"
        b"GET /api/movies/search?q=%ff%c3%28\n--\nGET /api/movies/5\n--\nGET /api/movies/x\n--\n"
        b"GET /metrics\n--\nGET /\n--\nGET /app.js\n",
        start * 5 + b"PUT /api/sessions\n--\nFROB /\n--\nGET /../etc/passwd\n",
        start + b'POST /api/sessions/$SID/answers\n{"movie_id": 2, "answer": "like"}\n--\n'
        b"POST /api/sessions/$SID/answers\n[1, {]\n--\n"
        b'POST /api/sessions\n{"favourites": [1, 1, 5, "x"], "seed": -1, "x": 2}\n',
        start + (answer % b"skip") * 9,
    ]


def catalog_seeds():
    header = (b"movieId,title,year,genres,rating_count,rating_mean,imdbId,tmdbId,tags,overview,"
              b"release_date,runtime\n")
    return [b"2" + seed for seed in [
        header + b'2500,"Matrix, The (1999)",1999,Action|Sci-Fi,278,4.19,0999931,99931,'
                 b'martial arts|sci-fi,"A hacker, at last.",1999-04-01,131.0\n'
                 b"3,Toy Story (1995),1995,Adventure|Animation,215,3.92,0999901,99901,pixar,,,81\n"
                 b"99999,Obscure Film,,(no genres listed),,,,,,,,\n",
        header + b"1,Amelie (Fabuleux destin d'Am\xc3\xa9lie Poulain; Le) (2001),2001,Comedy,1,5,,"
                 b"99901.0,,,2001-04-24,122.5\n",
        header + b"0,Bad,1999,,1,3,,,,,,\n",
        header + b"1,A,1999,,1,3,,,,,1999-13-01,\n1,B,1999,,1,3,,,,,,\n",
        b"title,movieId\nBand of Brothers (2001\xe2\x80\x932001),5\n",
    ]]


def processed_seeds():
    transformed = (b"userId,movieId,rating,timestamp,rating_norm,pop_weight,time_weight,final_rating\n"
                   b"1,1,4.0,1000000300,0.5,0.25,0.9,0.1125\n"
                   b"1,3,4.5,1000000100,1.0,0.1,1,0.1\n")
    return [
        b"\x00userId,movieId,rating,timestamp\n1,1,4.0,1000000300\n1,3,4.5,1000000100\n",
        b"\x00userId,movieId,rating,timestamp\n1,1,7.0,1000000300\n",
        b"\x01" + transformed,
        b"\x01" + transformed.replace(b"0.1125", b"nan"),
    ] + catalog_seeds()


def sqlite_bytes(script):
    """The bytes of a SQLite file that `script` makes, with small pages to keep seeds small."""
    path = os.path.join(HERE, ".seed.sqlite")
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.executescript("PRAGMA page_size = 512;" + script)
    db.close()
    with open(path, "rb") as f:
        data = f.read()
    os.remove(path)
    return data


# A version-2 store as src/store/sqlite_profile_store.cpp creates it (kCreateV2; a seed that
# drifts from it is still a seed).
STORE_V2 = """
PRAGMA application_id = 1297502787; PRAGMA user_version = 2;
CREATE TABLE profiles (name TEXT PRIMARY KEY NOT NULL CHECK (length(name) BETWEEN 1 AND 64 AND
  name NOT GLOB '*[^A-Za-z0-9._-]*'), created_at INTEGER NOT NULL,
  last_seq INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE TABLE answers (profile TEXT NOT NULL REFERENCES profiles (name) ON DELETE CASCADE,
  seq INTEGER NOT NULL, movie_id INTEGER NOT NULL CHECK (movie_id > 0), answer TEXT NOT NULL
  CHECK (answer IN ('favourite', 'like', 'dislike', 'skip', 'watch')),
  answered_at INTEGER NOT NULL, slot INTEGER CHECK ((answer = 'favourite') = (slot IS NOT NULL)
  AND (slot IS NULL OR slot BETWEEN 1 AND 4)), PRIMARY KEY (profile, seq)) STRICT;
CREATE UNIQUE INDEX answers_favourite_slot ON answers (profile, slot) WHERE slot IS NOT NULL;
CREATE UNIQUE INDEX answers_favourite_movie ON answers (profile, movie_id) WHERE slot IS NOT NULL;
CREATE INDEX answers_movie ON answers (profile, movie_id);
INSERT INTO profiles VALUES ('ana', 1700000000, 3);
INSERT INTO answers VALUES ('ana', 1, 1, 'favourite', 1700000000, 1),
  ('ana', 2, 7, 'like', 1700000001, NULL), ('ana', 3, 9, 'watch', 1700000002, NULL);
"""

STORE_V1 = """
PRAGMA application_id = 1297502787; PRAGMA user_version = 1;
CREATE TABLE answers (id INTEGER PRIMARY KEY, profile TEXT NOT NULL, movie_id INTEGER NOT NULL,
  answer TEXT NOT NULL, answered_at INTEGER NOT NULL);
INSERT INTO answers (profile, movie_id, answer, answered_at) VALUES
  ('ana', 1, 'favourite', 1700000000), ('ana', 7, 'like', 1700000001);
"""


def profile_store_seeds():
    return ([b"\x00" + name for name in [b"ana", b"Ana-Maria_2.0", b"a b", b"x" * 65, b""]] +
            [b"\x01" + spec for spec in [b"data/profiles.sqlite", b":memory:",
                                          b"postgresql://ana:secret@db:5433/movies",
                                          b"postgres:///p?host=/tmp/s&port=5", b"mysql://h/d"]] +
            [b"\x02" + sqlite_bytes(script) for script in [STORE_V2, STORE_V1, ""]] +
            [b"\x02" + sqlite_bytes("CREATE TABLE notes (body TEXT);")])


TARGETS = {
    "fuzz_csv": csv_seeds,
    "fuzz_movielens_csv": movielens_csv_seeds,
    "fuzz_movielens_dat": movielens_dat_seeds,
    "fuzz_movielens_100k": movielens_100k_seeds,
    "fuzz_npy": npy_seeds,
    "fuzz_json_maps": json_seeds,
    "fuzz_model_files": model_files_seeds,
    "fuzz_config_yaml": config_yaml_seeds,
    "fuzz_title_search": title_search_seeds,
    "fuzz_session": session_seeds,
    "fuzz_http_api": http_api_seeds,
    "fuzz_processed": processed_seeds,
    "fuzz_profile_store": profile_store_seeds,
}


def main():
    # Corpora of targets that no longer exist go.
    for name in os.listdir(os.path.join(HERE, "corpus")):
        if name not in TARGETS:
            shutil.rmtree(os.path.join(HERE, "corpus", name))
    for target, seeds in TARGETS.items():
        out = os.path.join(HERE, "corpus", target)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        for seed in seeds():
            # Named by content, as libFuzzer names what it adds to a corpus.
            with open(os.path.join(out, hashlib.sha1(seed).hexdigest()), "wb") as f:
                f.write(seed)
        print(f"{target}: {len(os.listdir(out))} seeds")


if __name__ == "__main__":
    main()
