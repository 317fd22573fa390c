"""Per-trial times of every tunable algorithm on ml-100k u1, and what a tuned suite costs.

    python benchmarks/tuned/trial_times.py --data-dir ../shared/datasets [--trials 5] [--budget 50]

For each algorithm with a search space, one tuned run on u1 (``--trials`` trials: the
defaults, then TPE's random startup samples from the space) with one thread per job, as in
the suite's ``n_jobs = 2`` on two cores. A trial is a fit on 80% of the training fold plus a
full-ranking validation on the rest. The estimate of a tuned suite multiplies each mean
trial time by the budget and the folds of the three suite files (ml-100k 5-fold, ml-100k
u1-u5, ml-latest-small 5-fold), scaling ml-latest-small by the ratio of the algorithm's
default fit + score time there to ml-100k's (from the committed results), and divides by
the two jobs that run at once. Prints markdown.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import recbench
from recbench.algorithms import load_class, registered
from recbench.tuning.space import default_space

ROOT = Path(__file__).resolve().parents[2]


def default_seconds(folder: str) -> dict:
    """algorithm -> mean fit + score seconds per fold at the defaults, from a committed run."""
    record = json.loads((ROOT / "results" / folder / "run.json").read_text())
    out: dict = {}
    for r in record["results"]:
        if r["metric"] in ("fit_time_s", "score_time_s") and r["mean"] is not None:
            out[r["algorithm"]] = out.get(r["algorithm"], 0.0) + r["mean"]
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default="../shared/datasets")
    p.add_argument("--trials", type=int, default=5)
    p.add_argument("--budget", type=int, default=50)
    p.add_argument("--algorithms", help="comma-separated (default: every tunable algorithm)")
    args = p.parse_args()
    names = args.algorithms.split(",") if args.algorithms else \
        [n for n in sorted(registered()) if default_space(load_class(n))]
    small, big = default_seconds("ml-latest-small"), default_seconds("ml-100k")
    rows, total = [], 0.0
    for name in names:
        t0 = time.perf_counter()
        run = recbench.run("ml-100k", [name], split="u1", data_dir=args.data_dir, k=10,
                           metrics=["ndcg@10"], threads=1,
                           tune=recbench.Tuning(trials=args.trials, defaults=False))
        wall = time.perf_counter() - t0
        if run.record["failures"]:
            rows.append((name, None, None, None, run.record["failures"][0]["error"][:60]))
            continue
        secs = [t["seconds"] for t in run.record["tuning"]["jobs"][0]["trials"]]
        mean = statistics.fmean(secs)
        scale = small.get(name, 0.0) / big[name] if big.get(name) else 1.0
        per_suite = mean * args.budget * (5 + 5 + 5 * scale)
        total += per_suite
        rows.append((name, mean, max(secs), per_suite, f"{wall:.0f} s measured, "
                     f"ml-latest-small x{scale:.1f}"))
        print(f"{name}: {mean:.2f} s per trial", flush=True)
    print(f"\n| algorithm | s per trial (mean) | slowest trial | tuned suite, {args.budget} "
          f"trials (CPU-h) | note |\n|---|---|---|---|---|")
    for name, mean, worst, suite, note in rows:
        if mean is None:
            print(f"| {name} | - | - | - | {note} |")
        else:
            print(f"| {name} | {mean:.2f} | {worst:.2f} | {suite / 3600:.2f} | {note} |")
    print(f"\nTotal: {total / 3600:.1f} CPU-hours, about {total / 2 / 3600:.1f} hours on 2 cores "
          f"({args.budget} trials per algorithm and fold, 15 folds per algorithm).")


if __name__ == "__main__":
    main()
