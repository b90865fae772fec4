#!/usr/bin/python3
"""Trains model variants (train.model, k, ALS weights, scaling, target) on one processed/ folder
and evaluates each with one policy: a Markdown table on stdout, one row per variant.

  bench/levers_grid.py [--processed processed] [--policy FILE] [--out DIR] [--only TEXT]

Run from the source folder after building (build/bin). Each variant is trained into
OUT/<name> and evaluated with build/bin/evaluate --json; the table shows the configured
session's likes@10/@20 (learning on and off), likes@20 over the most-popular baseline's,
Recall@10, NDCG@10, coverage (ranking and sessions) and the validation RMSE against final_rating
(predictions converted, as evaluate does) and against stars (models that predict stars).
"""
import argparse, json, os, re, subprocess

BIN = "build/bin"

def variants():
    yield "seed (seed_pipeline + seed_policy)", [], "config/seed_pipeline.yaml", "config/seed_policy.yaml"
    yield "svd final_rating k50 (pipeline.yaml)", [], None, None
    for target in ("rating", "rating_norm", "like"):
        yield f"svd {target} k20", ["--target", target, "--k", "20"], None, None
    for scaling in ("v_sigma", "normalized"):
        yield f"svd rating k20 {scaling}", ["--target", "rating", "--k", "20",
                                             "--movie-scaling", scaling], None, None
    for k in (10, 20, 32):
        for w0 in (0.03, 0.1, 0.3):
            for lam in (0.3, 1, 3):
                yield (f"als rating k{k} w0={w0} λ={lam}",
                       ["--model", "als", "--target", "rating", "--k", str(k),
                        "--als-missing-weight", str(w0), "--als-regularization", str(lam)], None, None)
    best = ["--model", "als", "--k", "20", "--als-missing-weight", "0.1", "--als-regularization", "1"]
    yield "als rating k20 w0=0.1 λ=1 normalized", best + ["--target", "rating", "--movie-scaling", "normalized"], None, None
    for target in ("rating_norm", "like", "final_rating"):
        yield f"als {target} k20 w0=0.1 λ=1", best + ["--target", target], None, None
    for seed in (2, 3):
        yield f"als rating k20 w0=0.1 λ=1 seed {seed}", best + ["--target", "rating", "--seed", str(seed)], None, None
    yield "als rating k20 w0=0.1 λ=1 + seed policy", best + ["--target", "rating"], None, "config/seed_policy.yaml"
    for k in (10, 20, 32):
        for lam in (1, 3, 10):
            for scaling in ("v", "normalized"):
                yield (f"biased_als k{k} λ=λ_b={lam} {scaling}",
                       ["--model", "biased_als", "--target", "rating", "--k", str(k),
                        "--als-regularization", str(lam), "--bias-regularization", str(lam),
                        "--movie-scaling", scaling], None, None)

def number(x, digits=3):
    return "n/a" if x is None else f"{x:.{digits}f}"

def run(args, name, flags, config, policy):
    out = os.path.join(args.out, re.sub(r"[^A-Za-z0-9_.=-]+", "_", name))
    subprocess.run([f"{BIN}/train_svd", "--processed", args.processed, "--out", out,
                    "--config", config or "config/pipeline.yaml"] + flags,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report = out + ".evaluate.json"
    subprocess.run([f"{BIN}/evaluate", "--processed", args.processed, "--artifacts", out,
                    "--policy", policy or args.policy, "--json", report],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    r = json.load(open(report))
    model, systems = r["models"][0], {s["name"]: s for s in r["systems"]}
    on, off = systems["configured"], systems["configured (learning off)"]
    fit = model["rating_fit"]
    return (f"| {name} | {on['likes_at_10']:.3f} | {on['likes_at_20']:.3f} | {off['likes_at_20']:.3f} "
            f"| {on['likes_at_20'] / systems['most popular']['likes_at_20']:.2f}× "
            f"| {model['ranking']['recall']:.3f} | {model['ranking']['ndcg']:.3f} "
            f"| {100 * model['ranking']['coverage']:.1f}% | {100 * on['coverage']:.1f}% "
            f"| {number(fit['final_rating']['val']['rmse'])} | {number(fit['stars']['val']['rmse'])} |")

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processed", default="processed")
    parser.add_argument("--policy", default="config/recommender_policy.yaml")
    parser.add_argument("--out", default="/tmp/levers")
    parser.add_argument("--only", default="", help="run the variants whose name contains this")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    print("| variant | likes@10 | likes@20 | likes@20 (learning off) | ÷ most popular | Recall@10 "
          "| NDCG@10 | ranking coverage | session coverage | RMSE final_rating val | RMSE stars val |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, flags, config, policy in variants():
        if args.only in name:
            print(run(args, name, flags, config, policy), flush=True)

if __name__ == "__main__":
    main()
