#!/usr/bin/python3
"""Does retraining with a profile's answers recommend better than its four favourites alone?

A simulation through the real programs (recommend --profile, preprocess --profiles, train_svd) on
a MovieLens release, for people the model has never seen:

  1. PEOPLE users of the release with at least 44 + 20 ratings leave it (every PEOPLE-th eligible
     user id, so the choice is fixed). Each one's ratings, by time: the first 44 are what they
     tell movierec, the rest are held out. Of the first 44, the 4 highest rated that are in the
     catalog (ties: earliest) are the favourites; the other 40 are answers: like for 4 stars or
     more, dislike for 2.5 or fewer, skip between. Held-out ratings of 4 or more of catalog
     movies are the movies to find; people with fewer than 5 of them are left out.
  2. The release without those people is preprocessed and trained (the base model), and again
     with the people's profiles added (preprocess --profiles: 44 ratings each, stars from the
     pipeline config): the retrained model.
  3. Each person's first 10 recommendations (exploration off, every one skipped, so they are the
     ranking's top 10) under three conditions:
       favourites   the 4 favourites alone, base model
       online       the 4 favourites and the 40 answers folded in by the session's update rule,
                    base model (a resumed profile without retraining)
       retrained    the retrained model, starting from the person's trained user vector
                    (a resumed profile after preprocess --profiles and train_svd)
     and, to tell the model from the start: fav-retrained (the favourites alone) and
     online-retrained (favourites and answers folded in online) on the retrained model.
     scored by hits among the held-out movies to find: precision@10, recall@10 (hits / min(10,
     to find)), and the share of people with at least one hit; differences with 95% paired
     bootstrap intervals (2,000 resamples of people, seed 1).

Usage: bench/profile_retrain.py [--data DIR] [--people N] [--bin DIR] [--out DIR]
                               [--preprocess-flag=--dislike-stars=2.5 ...]
Defaults: ../shared/data/ml-latest-small, 100 people, build/bin, bench/results/profile_retrain
(report.json and report.txt there).
"""
import argparse
import csv
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOLD = 44
FAVOURITES = 4
MIN_HELD_OUT = 20
MIN_TO_FIND = 5
TOP = 10
RESAMPLES = 2000
TOLD_AT = 1_600_000_000  # answered_at of the simulated answers: before any preprocess run


def run(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def read_ratings(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [(int(r["userId"]), int(r["movieId"]), float(r["rating"]), int(r["timestamp"]))
                for r in csv.DictReader(f)]


def pipeline(args, release, out, profiles=None):
    cmd = [f"{args.bin}/preprocess", "--data", release, "--out", f"{out}/processed", "--config",
           f"{ROOT}/config/pipeline.yaml"]
    if profiles:
        cmd += ["--profiles", profiles] + args.preprocess_flags
    run(cmd, stdout=subprocess.DEVNULL)
    run([f"{args.bin}/train_svd", "--processed", f"{out}/processed", "--out", f"{out}/artifacts",
         "--config", f"{ROOT}/config/pipeline.yaml"], stdout=subprocess.DEVNULL)


def new_store(args, path):
    """An empty profile store, created by the program that keeps them."""
    run([f"{args.bin}/recommend", "--json", "--profiles", path, "--profile", "x", "--artifacts",
         f"{args.out}/base/artifacts", "--processed", f"{args.out}/base/processed"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def write_profile(db, name, favourites, answers):
    seq = 0
    db.execute("INSERT INTO profiles (name, created_at, last_seq) VALUES (?, ?, 0)",
               (name, TOLD_AT))
    for slot, movie in enumerate(favourites, 1):
        seq += 1
        db.execute("INSERT INTO answers VALUES (?, ?, ?, 'favourite', ?, ?)",
                   (name, seq, movie, TOLD_AT + seq, slot))
    for movie, answer in answers:
        seq += 1
        db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?, NULL)",
                   (name, seq, movie, answer, TOLD_AT + seq))
    db.execute("UPDATE profiles SET last_seq = ? WHERE name = ?", (seq, name))


def top_ten(args, model, store, name):
    """The first TOP recommendations of the profile. The session stores its skips, so it runs on
    a copy of the store: no condition sees another's answers."""
    scratch = os.path.join(args.out, "scratch.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(scratch + suffix):
            os.remove(scratch + suffix)
        if os.path.exists(store + suffix):
            shutil.copy(store + suffix, scratch + suffix)
    store = scratch
    lines = "s\n" * (TOP - 1) + "q\n"
    out = subprocess.run(
        [f"{args.bin}/recommend", "--json", "--seed", "1", "--exploration-rate", "0",
         "--policy", f"{ROOT}/config/recommender_policy.yaml", "--artifacts",
         f"{model}/artifacts", "--processed", f"{model}/processed", "--profiles", store,
         "--profile", name], input=lines, capture_output=True, text=True, check=True).stdout
    events = [json.loads(line) for line in out.splitlines()]
    profile = events[0]
    assert profile["event"] == "profile" and profile["resumed"], profile
    shown = [e["movie_id"] for e in events if e["event"] == "recommendation"]
    return profile, shown


def bootstrap(diffs):
    rng = random.Random(1)
    n = len(diffs)
    means = sorted(sum(diffs[rng.randrange(n)] for _ in range(n)) / n for _ in range(RESAMPLES))
    return means[int(0.025 * RESAMPLES)], means[int(0.975 * RESAMPLES) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data",
                                                       "ml-latest-small"))
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "profile_retrain"))
    parser.add_argument("--preprocess-flag", dest="preprocess_flags", action="append", default=[],
                        help="a flag for preprocess --profiles, e.g. --preprocess-flag=--dislike-stars=2.5")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)

    ratings = read_ratings(os.path.join(args.data, "ratings.csv"))
    by_user = {}
    for r in ratings:
        by_user.setdefault(r[0], []).append(r)
    eligible = sorted(u for u, rs in by_user.items() if len(rs) >= TOLD + MIN_HELD_OUT)
    step = max(1, len(eligible) // args.people)
    people = set(eligible[::step][:args.people])

    # The release without them.
    release = os.path.join(args.out, "release")
    os.makedirs(release)
    for name in os.listdir(args.data):
        if name != "ratings.csv":
            shutil.copy(os.path.join(args.data, name), release)
    with open(os.path.join(release, "ratings.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["userId", "movieId", "rating", "timestamp"])
        for r in ratings:
            if r[0] not in people:
                w.writerow([r[0], r[1], f"{r[2]:g}", r[3]])
    pipeline(args, release, f"{args.out}/base")
    catalog = {int(k) for k in json.load(open(f"{args.out}/base/artifacts/movie_map.json"))}

    # What each person tells, and what is held out.
    told, held = {}, {}
    for user in sorted(people):
        rs = sorted(by_user[user], key=lambda r: (r[3], r[1]))
        first, rest = rs[:TOLD], rs[TOLD:]
        ranked = sorted((r for r in first if r[1] in catalog), key=lambda r: (-r[2], r[3], r[1]))
        favourites = [r[1] for r in ranked[:FAVOURITES]]
        to_find = {r[1] for r in rest if r[2] >= 4 and r[1] in catalog}
        if len(favourites) < FAVOURITES or ranked[FAVOURITES - 1][2] < 4 or \
                len(to_find) < MIN_TO_FIND:
            continue
        answers = [(r[1], "like" if r[2] >= 4 else "dislike" if r[2] <= 2.5 else "skip")
                   for r in first if r[1] not in favourites]
        told[f"u{user}"] = (favourites, answers)
        held[f"u{user}"] = to_find
    stores = {"told": f"{args.out}/told.sqlite", "favourites": f"{args.out}/favourites.sqlite"}
    for path in stores.values():
        new_store(args, path)
    with sqlite3.connect(stores["told"]) as db_told, \
            sqlite3.connect(stores["favourites"]) as db_fav:
        for name, (favourites, answers) in told.items():
            write_profile(db_told, name, favourites, answers)
            write_profile(db_fav, "f-" + name, favourites, [])
    pipeline(args, release, f"{args.out}/retrained", stores["told"])
    # The same answers under other names, written after preprocess: not users of the retrained
    # model, so they resume from their favourites and answers on it.
    with sqlite3.connect(stores["told"]) as db_told:
        for name, (favourites, answers) in told.items():
            write_profile(db_told, "x-" + name, favourites, answers)

    # (model, store, profile name prefix); "f-" profiles hold the favourites alone and are not
    # users of the retrained model.
    conditions = {"favourites": (f"{args.out}/base", stores["favourites"], "f-"),
                  "online": (f"{args.out}/base", stores["told"], ""),
                  "retrained": (f"{args.out}/retrained", stores["told"], ""),
                  "fav-retrained": (f"{args.out}/retrained", stores["favourites"], "f-"),
                  "online-retrained": (f"{args.out}/retrained", stores["told"], "x-")}
    scores = {c: {"precision": [], "recall": [], "hit": []} for c in conditions}
    for name in sorted(told):
        for condition, (model, store, prefix) in conditions.items():
            profile, shown = top_ten(args, model, store, prefix + name)
            if condition == "retrained":
                assert profile["trained_user"] is not None, profile
            hits = len(set(shown[:TOP]) & held[name])
            scores[condition]["precision"].append(hits / TOP)
            scores[condition]["recall"].append(hits / min(TOP, len(held[name])))
            scores[condition]["hit"].append(1.0 if hits else 0.0)

    n = len(told)
    report = {"data": os.path.abspath(args.data), "people": n, "told": TOLD, "top": TOP,
              "conditions": {}, "differences": {}}
    lines = [f"{n} people, each told {FAVOURITES} favourites + {TOLD - FAVOURITES} answers; "
             f"top {TOP} against their later ratings of 4+ stars", "",
             f"{'condition':<12} {'precision@10':>13} {'recall@10':>10} {'hit rate':>9}"]
    for condition, s in scores.items():
        means = {k: sum(v) / n for k, v in s.items()}
        report["conditions"][condition] = means
        lines.append(f"{condition:<12} {means['precision']:>13.4f} {means['recall']:>10.4f} "
                     f"{means['hit']:>9.3f}")
    lines.append("")
    for a, b in [("retrained", "favourites"), ("retrained", "online"), ("online", "favourites")]:
        for metric in ("precision", "recall"):
            diffs = [x - y for x, y in zip(scores[a][metric], scores[b][metric])]
            low, high = bootstrap(diffs)
            mean = sum(diffs) / n
            report["differences"][f"{a}-{b}:{metric}"] = {"mean": mean, "ci95": [low, high]}
            lines.append(f"{a} - {b}, {metric}@10: {mean:+.4f} (95% CI {low:+.4f} .. {high:+.4f})")
    text = "\n".join(lines)
    print(text)
    open(f"{args.out}/report.txt", "w").write(text + "\n")
    json.dump(report, open(f"{args.out}/report.json", "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
