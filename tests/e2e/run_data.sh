#!/usr/bin/env bash
# End-to-end: tools/run.sh --data RELEASE, offline. run.sh runs in a scratch copy of the
# repository's scripts and configs, with this build's programs (MOVIEREC_BIN) and a mirror on
# disk (MOVIEREC_MOVIELENS_URL=file://...) holding zips this test writes from a synthetic
# release. Checked: bad command lines exit 2 before anything is built or fetched (an unknown
# release is refused with the list, --data without a value, --processed and --artifacts that
# --data chooses); a zip that does not match the checksum pinned for its release, or the MD5
# published beside it, is refused and leaves nothing in data/; a release without pinned
# checksums and without a published MD5 is refused; a verified release is unzipped into its own
# data/RELEASE/, preprocessed and trained into its own processed-RELEASE/ and artifacts-RELEASE/
# (the default release's processed/ and artifacts/ untouched), and recommend gets the remaining
# arguments and those folders; a second run reuses everything. Usage: run_data.sh BIN_DIR SOURCE_DIR
# shellcheck source=tests/e2e/support/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/support/setup.sh"

# The scratch repository: run.sh works from its root (the folder above tools/).
mkdir -p repo/tools repo/config mirror
cp "$SRC/tools/run.sh" "$SRC/tools/common.sh" repo/tools/
cp "$SRC/config/pipeline.yaml" "$SRC/config/recommender_policy.yaml" repo/config/
export MOVIEREC_BIN=$BIN MOVIEREC_SHARED_DATA=$WORK/no-shared-data
export MOVIEREC_MOVIELENS_URL=file://$WORK/mirror

# run_sh EXPECTED_STATUS ARGS...: runs repo/tools/run.sh with a session on stdin; its stdout in
# out.txt, stderr in err.txt.
run_sh() {
  local expected=$1 status=0
  shift
  repo/tools/run.sh "$@" < session.txt > out.txt 2> err.txt || status=$?
  [ "$status" -eq "$expected" ] ||
    fail "run.sh $* exited $status, expected $expected: $(cat err.txt)"
}
: > session.txt

# --- bad command lines: exit 2 at once, with the list of releases ---------------------------------
releases="ml-latest-small ml-latest ml-32m ml-25m ml-20m ml-10m ml-1m ml-100k"
run_sh 2 --data ml-99m
grep -q "unknown release 'ml-99m'" err.txt && grep -q "one of: $releases" err.txt ||
  fail "an unknown release: $(cat err.txt)"
run_sh 2 --data=
grep -q "unknown release ''" err.txt || fail "an empty release: $(cat err.txt)"
run_sh 2 --seed 3 --data
grep -q -- "--data needs a release" err.txt || fail "--data without a value: $(cat err.txt)"
run_sh 2 --processed elsewhere
grep -q "chooses recommend's --processed from --data" err.txt || fail "--processed: $(cat err.txt)"
run_sh 2 --artifacts=elsewhere --data ml-1m
grep -q "chooses recommend's --artifacts from --data" err.txt || fail "--artifacts: $(cat err.txt)"
[ ! -e repo/data ] || fail "a refused command line made data/"

# --- the zips: a synthetic release in the ml-latest layout, under each release's folder name ----
"$BIN/make_synthetic" --out release --ratings 30000 --users 300 --movies 300 --seed 5 > /dev/null
# make_zip RELEASE: mirror/RELEASE.zip holding RELEASE/ with the synthetic release's files.
make_zip() {
  "$PY" - "$1" <<'PYEOF'
import os, sys, zipfile
release = sys.argv[1]
with zipfile.ZipFile(f"mirror/{release}.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir("release")):
        z.write(f"release/{name}", f"{release}/{name}")
PYEOF
}
md5_of() { md5sum "$1" | cut -d' ' -f1; }

# A release with pinned checksums: this zip is not GroupLens's, so it is refused, naming both.
make_zip ml-25m
run_sh 1 --data ml-25m --json
grep -q "ml-25m.zip: MD5 $(md5_of mirror/ml-25m.zip), expected 6b51fb2759a8657d3bfcbfc42b592ada" \
  err.txt || fail "a zip that does not match the pinned MD5: $(cat err.txt)"
[ -z "$(ls -A repo/data)" ] || fail "a refused zip left files in data/: $(ls -A repo/data)"
# The same when its published MD5 matches it: the pin still refuses it.
echo "MD5 (ml-25m.zip) = $(md5_of mirror/ml-25m.zip)" > mirror/ml-25m.zip.md5
run_sh 1 --data ml-25m
grep -q "expected 6b51fb2759a8657d3bfcbfc42b592ada (pinned in tools/run.sh)" err.txt ||
  fail "a pinned release with a matching published MD5: $(cat err.txt)"

# ml-latest has nothing pinned: without a published MD5 it cannot be verified, with a wrong one
# it is refused.
make_zip ml-latest
run_sh 1 --data ml-latest
grep -q "ml-latest.zip: no checksum to verify it against" err.txt ||
  fail "no checksum at all: $(cat err.txt)"
echo "0123456789abcdef0123456789abcdef  ml-latest.zip" > mirror/ml-latest.zip.md5
run_sh 1 --data ml-latest
grep -q "but GroupLens publishes 0123456789abcdef0123456789abcdef" err.txt ||
  fail "a wrong published MD5: $(cat err.txt)"
[ -z "$(ls -A repo/data)" ] || fail "a refused zip left files in data/: $(ls -A repo/data)"

# --- a verified release: its own folders, recommend's arguments passed on ------------------------
echo "$(md5_of mirror/ml-latest.zip)  ml-latest.zip" > mirror/ml-latest.zip.md5
"$PY" - <<'PYEOF'
import csv, re
rows = list(csv.DictReader(open("release/ratings.csv")))
counts = {}
for r in rows:
    counts[r["movieId"]] = counts.get(r["movieId"], 0) + 1
plain = re.compile(r"^[^,()]+ \(\d{4}\)$")  # shown as written: no article moved, no alternative
titles = {r["movieId"]: r["title"] for r in csv.DictReader(open("release/movies.csv"))}
popular = sorted((m for m in counts if plain.match(titles[m])), key=lambda m: (-counts[m], int(m)))[:4]
open("session.txt", "w").write("".join(titles[m] + "\n" for m in popular) + "y\nq\n")
PYEOF
run_sh 0 --json --data ml-latest --seed 3
grep -q "matches the MD5 GroupLens publishes" err.txt || fail "no verification said: $(cat err.txt)"
diff -r release repo/data/ml-latest > /dev/null || fail "data/ml-latest/ is not what the zip holds"
[ -f repo/processed-ml-latest/manifest.json ] && [ -f repo/artifacts-ml-latest/manifest.json ] ||
  fail "no processed-ml-latest/ or artifacts-ml-latest/: $(ls repo)"
[ ! -e repo/processed ] && [ ! -e repo/artifacts ] || fail "the default release's folders were made"
"$PY" - out.txt <<'PYEOF' || fail "recommend did not run the session: $(cat out.txt)"
import json, sys
events = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
assert [e["event"] for e in events].count("favourite") == 4, events
assert events[-1]["event"] == "end" and events[-1]["reason"] == "quit", events[-1]
PYEOF
"$PY" - repo <<'PYEOF' || fail "processed-ml-latest/ was not made from data/ml-latest"
import json, os, sys
manifest = json.load(open(f"{sys.argv[1]}/processed-ml-latest/manifest.json"))
assert manifest["data"]["dir"] == os.path.realpath(f"{sys.argv[1]}/data/ml-latest"), manifest["data"]
PYEOF
# The same seed and answers replay the same session (so recommend had --seed 3).
cp out.txt first.jsonl
rm mirror/ml-latest.zip  # a second run must not download again
run_sh 0 --data ml-latest --json --seed 3
cmp -s first.jsonl out.txt || fail "a second run with the same seed gave another session"
! grep -q "preprocessing\|training\|downloading" err.txt ||
  fail "a second run redid what was done: $(cat err.txt)"
echo "run.sh --data: ok"
