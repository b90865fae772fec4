#!/usr/bin/python3
"""Measures session levers (issue 14) against the shipped policy, robustly: each lever is a set of
policy flags given to build/bin/evaluate, compared with config/recommender_policy.yaml through the
paired bootstrap over users, in two independent checks and on two kinds of answers:

  seeds   ml-latest-small, the shipped model trained with ALS seeds 1, 2 and 3 (each user's likes
          averaged over the three models, so one lucky training run does not decide);
  halves  the users with odd ids and those with even ids (bench/quality.sh's odd and even sets),
          each with its own model, pooled (a stratified bootstrap over both halves' users);
  val     the val answers (what the levers' values were chosen on);
  test    the test answers (nothing was chosen on them).

  bench/session_levers.py [--results bench/results/quality] [--only NAME]...

Needs bench/quality.sh to have run first (its processed/ and shipped/ folders for small, odd and
even); trains the seed 2 and 3 models beside them. Prints one row per lever and check: likes in
20 of the lever and of the shipped policy, and the lever's relative gain with its 95% interval.
"""
import argparse, json, os, subprocess, tempfile
import numpy as np

BIN = "build/bin"
SHIPPED = "config/recommender_policy.yaml"
LEVERS = {
    "greedy (exploration none)": ["--exploration", "none"],
    "moving average (the seed's rule)": ["--user-update", "moving_average"],
    "skips as weak negatives, weight 0.1": ["--skip-weight", "0.1"],
    "skips as weak negatives, weight 0.3": ["--skip-weight", "0.3"],
    "no lead-ins (lead_in_weight 0)": ["--lead-in-weight", "0"],
    # The item-kNN part of the score (README, "Quality") was measured with the policy keys
    # item_blend, item_neighbours and item_shrinkage of commit a1a7dcc, removed since: it was not
    # kept, and only evaluate could compute its weights.
}


def likes(processed, artifacts, flags, answers):
    """Per-user likes in 20 of the lever ("configured") and of the shipped policy."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run(
            ["nice", "-n", "10", f"{BIN}/evaluate", "--processed", processed, "--artifacts",
             artifacts, "--policy", SHIPPED, "--baselines", "none", "--answers", answers,
             "--resamples", "1", "--compare", f"shipped={artifacts},{SHIPPED}", "--json",
             report.name] + flags, check=True, stdout=subprocess.DEVNULL)
        systems = {s["name"]: s for s in json.load(open(report.name))["systems"]}
    return (np.array(systems["configured"]["user_likes"], float),
            np.array(systems["shipped"]["user_likes"], float))


def interval(strata, rng):
    """Relative gain of the lever over shipped, and its 95% stratified paired-bootstrap interval."""
    gains = []
    for _ in range(2000):
        lever = shipped = 0.0
        for a, b in strata:
            pick = rng.integers(0, len(a), len(a))
            lever += a[pick].sum()
            shipped += b[pick].sum()
        gains.append(lever / shipped - 1)
    total_a = sum(a.sum() for a, _ in strata)
    total_b = sum(b.sum() for _, b in strata)
    users = sum(len(a) for a, _ in strata)
    low, high = np.percentile(gains, [2.5, 97.5])
    return total_a / users, total_b / users, total_a / total_b - 1, low, high


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default="bench/results/quality")
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args()
    small = os.path.join(args.results, "small")
    models = [os.path.join(small, "shipped")]
    for seed in (2, 3):
        out = os.path.join(small, f"shipped-seed{seed}")
        subprocess.run([f"{BIN}/train_svd", "--processed", f"{small}/processed", "--out", out,
                        "--config", "config/pipeline.yaml", "--seed", str(seed)],
                       check=True, stdout=subprocess.DEVNULL)
        models.append(out)
    print(f"| lever | check | answers | likes@20 (lever / shipped) | gain [95%] |")
    print("|---|---|---|---|---|")
    for name, flags in LEVERS.items():
        if args.only and not any(text in name for text in args.only):
            continue
        for answers in ("val", "test"):
            rng = np.random.default_rng(1)
            runs = [likes(f"{small}/processed", m, flags, answers) for m in models]
            seeds = [(np.mean([a for a, _ in runs], 0), np.mean([b for _, b in runs], 0))]
            halves = [likes(f"{args.results}/{h}/processed", f"{args.results}/{h}/shipped", flags,
                            answers) for h in ("odd", "even")]
            for check, strata in (("ALS seeds 1-3", seeds), ("user halves", halves)):
                a, b, gain, low, high = interval(strata, rng)
                print(f"| {name} | {check} | {answers} | {a:.3f} / {b:.3f} | "
                      f"{gain:+.1%} [{low:+.1%}, {high:+.1%}] |", flush=True)


if __name__ == "__main__":
    main()
