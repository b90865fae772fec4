#!/usr/bin/env bash
# End-to-end: train_svd with the seed's pipeline (an SVD of final_rating; train_als.sh covers the
# ALS models) on a small processed/ folder written here, then the artifacts checked
# with numpy (shapes, dtype, byte-exact .npy, singular values against numpy's dense SVD,
# validation RMSE) and the failures (k too large, missing or changed input) that must leave the
# previous artifacts whole. Usage: train_svd.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"

# processed/: transformed train and val files from a taste model, and a manifest whose
# checksums are XXH3-64 of the files (libxxhash through ctypes, as the library computes them).
"$PY" - "$WORK/processed" <<'PYEOF'
import ctypes, json, os, sys
import numpy as np
out = sys.argv[1]
os.makedirs(out)
rng = np.random.default_rng(4)
users, movies = 45, 18
p, q = rng.normal(size=(users, 3)), rng.normal(size=(movies, 3))
header = "userId,movieId,rating,timestamp,rating_norm,pop_weight,time_weight,final_rating\n"
train, val = [header], [header]
for u in range(users):
    for m in range(movies):
        if rng.random() > 0.55:
            continue
        stars = float(np.clip(np.round(3 + p[u] @ q[m]), 1, 5))
        norm = stars - 3.1
        final = norm * 0.25 * 0.9
        row = f"{10 + 3 * u},{1 + 5 * m},{stars},{1000000 + u * 100 + m},{norm!r},0.25,0.9,{final!r}\n"
        (val if rng.random() < 0.15 else train).append(row)
val.append(f"99999,1,4.0,2000000,0.5,0.25,0.9,0.1125\n")  # a user train never saw
xxh = ctypes.CDLL("libxxhash.so.0")
xxh.XXH3_64bits.restype = ctypes.c_uint64
xxh.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
files = {}
for name, rows in (("train_transformed.csv", train), ("val_transformed.csv", val)):
    data = "".join(rows).encode()
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    files[name] = {"rows": len(rows) - 1, "checksum": format(xxh.XXH3_64bits(data, len(data)), "016x")}
manifest = {"format_version": 1, "program": "preprocess", "config": {}, "files": files}
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=2)
PYEOF

"$BIN/train_svd" --help > help.txt || fail "--help exits non-zero"
grep -q -- "--k" help.txt && grep -q "default 50" help.txt || fail "--help lacks --k and its default"
set +e
"$BIN/train_svd" --no-such-flag > /dev/null 2>&1; [ $? -eq 2 ] || fail "a bad flag must exit 2"
set -e

"$BIN/train_svd" --config "$SRC/config/seed_pipeline.yaml" --k 6 > summary.txt || fail "train_svd failed"
grep -q "45 users x 18 movies" summary.txt || fail "summary lacks the matrix size: $(cat summary.txt)"
grep -q "validation RMSE" summary.txt || fail "summary lacks the validation RMSE"

"$PY" - processed artifacts <<'PYEOF' || fail "artifact checks"
import ctypes, io, json, sys
import numpy as np, pandas as pd
processed, artifacts = sys.argv[1], sys.argv[2]
train = pd.read_csv(f"{processed}/train_transformed.csv")
val = pd.read_csv(f"{processed}/val_transformed.csv")
man = json.load(open(f"{artifacts}/manifest.json"))
for key in ("format_version", "program", "created", "k", "singular_values", "config", "rows",
            "inputs", "validation_rmse", "seconds"):
    assert key in man, f"manifest lacks {key}"
assert man["format_version"] == 1 and man["program"] == "train_svd" and man["k"] == 6
users, movies = sorted(train.userId.unique()), sorted(train.movieId.unique())
assert man["rows"] == {"users": len(users), "movies": len(movies), "nonzeros": len(train)}, man["rows"]
for name in ("user", "movie"):
    emb = np.load(f"{artifacts}/{name}_embeddings.npy")
    ids = users if name == "user" else movies
    assert emb.dtype == np.dtype("<f4") and emb.shape == (len(ids), 6), (emb.dtype, emb.shape)
    assert emb.flags.c_contiguous and np.isfinite(emb).all()
    resaved = io.BytesIO()
    np.save(resaved, emb)
    assert resaved.getvalue() == open(f"{artifacts}/{name}_embeddings.npy", "rb").read(), \
        f"{name}_embeddings.npy differs from numpy's own encoding"
    mapping = json.load(open(f"{artifacts}/{name}_map.json"))
    assert mapping == {str(i): r for r, i in enumerate(ids)}, f"{name}_map.json"
U = np.load(f"{artifacts}/user_embeddings.npy").astype(float)
V = np.load(f"{artifacts}/movie_embeddings.npy").astype(float)
assert np.allclose(V.T @ V, np.eye(6), atol=1e-5), "movie embeddings are not orthonormal"
dense = np.zeros((len(users), len(movies)))
row, col = {u: i for i, u in enumerate(users)}, {m: j for j, m in enumerate(movies)}
for u, m, f in zip(train.userId, train.movieId, train.final_rating):
    dense[row[u], col[m]] = f
ref = np.linalg.svd(dense, compute_uv=False)[:6]
got = np.array(man["singular_values"])
assert np.all(np.abs(got - ref) <= 1e-4 * ref), (got, ref)
assert np.allclose(U @ V.T, (lambda u, s, vt: (u[:, :6] * s[:6]) @ vt[:6])(*np.linalg.svd(dense)), atol=1e-4)
known = val[val.userId.isin(row) & val.movieId.isin(col)]
pred = np.array([U[row[u]] @ V[col[m]] for u, m in zip(known.userId, known.movieId)])
rmse = np.sqrt(np.mean((pred - known.final_rating.values) ** 2))
assert abs(rmse - man["validation_rmse"]) < 1e-5, (rmse, man["validation_rmse"])
assert man["validation_skipped"] == len(val) - len(known) >= 1
xxh = ctypes.CDLL("libxxhash.so.0")
xxh.XXH3_64bits.restype = ctypes.c_uint64
xxh.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
for name in ("train_transformed.csv", "val_transformed.csv"):
    data = open(f"{processed}/{name}", "rb").read()
    assert man["inputs"][name] == format(xxh.XXH3_64bits(data, len(data)), "016x"), name
PYEOF

# Failures: non-zero exit, a clear message, and the previous artifacts untouched.
snapshot() { (cd artifacts && sha256sum *); }
snapshot > before.txt
expect_failure() {
  local what=$1 pattern=$2
  shift 2
  set +e
  "$BIN/train_svd" --config "$SRC/config/seed_pipeline.yaml" "$@" > out.txt 2> err.txt
  local code=$?
  set -e
  [ $code -eq 1 ] || fail "$what: exit $code, expected 1"
  grep -q -- "$pattern" err.txt || fail "$what: message lacks '$pattern': $(cat err.txt)"
  snapshot | diff -q - before.txt > /dev/null || fail "$what: artifacts changed"
  ! compgen -G ".artifacts*" > /dev/null || fail "$what: temporary folder left behind"
}
expect_failure "k too large" "k must be from 1 to 17" --k 18
expect_failure "missing processed/" "manifest.json is missing" --processed nowhere
cp processed/val_transformed.csv val.bak
echo "10,1,4.0,1000000,0.9,0.25,0.9,0.2025" >> processed/val_transformed.csv
expect_failure "changed input" "changed since preprocess" --k 6
rm processed/val_transformed.csv
expect_failure "missing input" "val_transformed.csv is missing" --k 6
echo "train_svd e2e: ok"
