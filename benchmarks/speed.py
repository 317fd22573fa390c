"""Speed benchmark on ml-100k: recbench's evaluation against Surprise's own routes.

    python benchmarks/speed.py [--data-dir ../shared/datasets] [--sample-users 40]

Measured in one run, on one machine, so only ratios are reported as targets. Every fold
timing (fit, evaluation, Surprise's route) is the best of ``--repeats`` runs, as ``timeit``
reports, to keep scheduler noise out of the ratios:

1. On fold u1, for SVD and KNNWithMeans (fitted by recbench's adapter: Surprise's own model,
   SVD's parameters computed by the Surprise-exact compiled fit):
   * recbench's full-ranking evaluation: scoring every candidate item for every evaluated
     user plus every ranking metric (evaluate_ranking) and every rating metric
     (evaluate_ratings); the KNN kernels use a thread per core, so it is timed again with
     RECBENCH_THREADS=1 (Surprise's fit and route run on one core);
   * Surprise's route to top-N lists (its FAQ recipe): for each user, the anti-testset of
     the items they did not rate (as ``Trainset.build_anti_testset`` builds it),
     ``algo.test`` on it, and a sort of the estimates, on a model Surprise fitted itself
     (``engine="surprise"``), so on Surprise's own Trainset. Timed on a seeded sample of the
     evaluated users and scaled to every user of the trainset, as the recipe runs it (also
     reported scaled to the evaluated users only); it computes no metric at all.
   Targets: Surprise's route / recbench's evaluation >= 50; recbench's evaluation <= fit time.
2. A whole 5-fold run on ml-100k of SVD + KNNWithMeans: ``recbench run`` (every metric,
   significance tests, record, tables and plots; a fresh process, so start-up and data
   loading are included) against Surprise's ``cross_validate`` of the same two models on
   the same file (RMSE and MAE only). Target: recbench faster.

Writes ``results/speed/speed.md`` and ``speed.json``; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recbench.algorithms import create, load_class  # noqa: E402
from recbench.datasets import load_dataset  # noqa: E402
from recbench.evaluation.ranking import evaluate_ranking  # noqa: E402
from recbench.evaluation.rating import evaluate_ratings  # noqa: E402
from recbench.reporting.manifest import library_versions, run_environment  # noqa: E402
from recbench.reporting.speed import render_speed  # noqa: E402
from recbench.reporting.storage import atomic_write_text  # noqa: E402
from recbench.splitting import make_folds  # noqa: E402

ALGORITHMS = ("svd", "knnwithmeans")
KS = [5, 10, 20]


def surprise_route_seconds(model, trainset, users, n=10) -> float:
    """Surprise's FAQ recipe for top-N, for the given raw user ids: the anti-testset rows
    (exactly as build_anti_testset builds them), test(), then a sort per user."""
    start = time.perf_counter()
    fill = trainset.global_mean
    for raw_u in users:
        u = trainset.to_inner_uid(raw_u)
        rated = {j for (j, _) in trainset.ur[u]}
        anti = [(raw_u, trainset.to_raw_iid(i), fill) for i in trainset.all_items() if i not in rated]
        predictions = model.test(anti)
        top = sorted(((p.iid, p.est) for p in predictions), key=lambda x: x[1], reverse=True)[:n]
        assert len(top) == min(n, len(anti))
    return time.perf_counter() - start


def best_of(repeats: int, run) -> tuple[float, object]:
    """The smallest wall time of ``repeats`` calls (as ``timeit`` reports), and the last result."""
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - t0)
    return best, out


def fold_benchmark(dataset, sample_users: int, seed: int, repeats: int) -> list[dict]:
    fold = make_folds(dataset, "u1")[0]
    rows = []
    for name in ALGORITHMS:
        params = {"random_state": seed} if name == "svd" else {}
        fit_s, algo = best_of(repeats, lambda: create(name, params).fit(fold.train))

        def evaluate():
            ranking = evaluate_ranking(algo, fold.train, fold.test, KS, 4.0,
                                       np.random.default_rng(seed))
            evaluate_ratings(algo, fold.train, fold.test, dataset.rating_scale)
            return ranking

        eval_s, ranking = best_of(repeats, evaluate)
        os.environ["RECBENCH_THREADS"] = "1"       # the same, with the KNN kernels on one core
        try:
            one_core_s, _ = best_of(repeats, evaluate)
        finally:
            os.environ.pop("RECBENCH_THREADS")
        users = ranking.per_user["user"].to_numpy(dtype=str)
        sample = np.random.default_rng(seed).choice(users, min(sample_users, len(users)), replace=False)
        # Surprise's route runs on a model Surprise fitted itself, on Surprise's own Trainset
        # (recbench's compiled fits hand Surprise a trainset of their own)
        own = {"engine": "surprise"} if "engine" in load_class(name).param_names() else {}
        reference = create(name, params | own).fit(fold.train)
        route_s, _ = best_of(repeats, lambda: surprise_route_seconds(
            reference.model_, reference.model_.trainset, sample))
        n_all = reference.model_.trainset.n_users     # the FAQ route covers every user
        per_user = route_s / len(sample)
        rows.append({"algorithm": name, "fit_s": fit_s, "recbench_eval_s": eval_s,
                     "evaluated_users": int(len(users)), "trainset_users": int(n_all),
                     "sampled_users": int(len(sample)), "surprise_sample_s": route_s,
                     "surprise_route_s": per_user * n_all, "speedup": per_user * n_all / eval_s,
                     "surprise_same_users_s": per_user * len(users),
                     "speedup_same_users": per_user * len(users) / eval_s,
                     "eval_share_of_fit": eval_s / fit_s, "recbench_eval_one_core_s": one_core_s,
                     "eval_one_core_share_of_fit": one_core_s / fit_s})
    return rows


def five_fold_benchmark(data_dir: Path, seed: int) -> dict:
    import surprise
    from surprise.model_selection import KFold, cross_validate
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "recbench", "run", "--dataset", "ml-100k",
                        "--data-dir", str(data_dir), "--algorithms", ",".join(ALGORITHMS),
                        "--folds", "5", "--k", ",".join(map(str, KS)), "--seed", str(seed),
                        "--output-dir", tmp, "-q"],
                       check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
        recbench_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    data = surprise.Dataset.load_from_file(str(data_dir / "ml-100k" / "u.data"),
                                           surprise.Reader("ml-100k"))
    folds = KFold(n_splits=5, random_state=seed)
    for model in (surprise.SVD(random_state=seed), surprise.KNNWithMeans(verbose=False)):
        cross_validate(model, data, measures=["rmse", "mae"], cv=folds, n_jobs=1)
    surprise_s = time.perf_counter() - t0
    return {"recbench_run_s": recbench_s, "surprise_cross_validate_s": surprise_s,
            "speedup": surprise_s / recbench_s}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "datasets"))
    p.add_argument("--sample-users", type=int, default=25,
                   help="users on whom Surprise's route is timed (default 25)")
    p.add_argument("--repeats", type=int, default=3,
                   help="every fold timing is the best of this many runs (default 3)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output-dir", default=str(ROOT / "results" / "speed"))
    args = p.parse_args(argv)
    data_dir = Path(args.data_dir)
    if not (data_dir / "ml-100k" / "u.data").is_file():
        print(f"ml-100k is not under {data_dir}; pass --data-dir.", file=sys.stderr)
        return 2
    dataset = load_dataset("ml-100k", data_dir)
    fold = fold_benchmark(dataset, args.sample_users, args.seed, args.repeats)
    five = five_fold_benchmark(data_dir, args.seed)
    targets = []
    for r in fold:
        targets.append({"target": f"{r['algorithm']}: Surprise's route / recbench's evaluation >= 50",
                        "measured": f"{r['speedup']:.0f}x", "met": r["speedup"] >= 50})
        targets.append({"target": f"{r['algorithm']}: recbench's evaluation <= its fit",
                        "measured": f"{r['eval_share_of_fit']:.2f} of the fit",
                        "met": r["eval_share_of_fit"] <= 1.0})
    targets.append({"target": "5-fold recbench run faster than Surprise's cross_validate",
                    "measured": f"{five['speedup']:.2f}x", "met": five["speedup"] > 1.0})
    record = {"manifest": {**run_environment(), "libraries": library_versions()},
              "fold": fold, "five_fold": five, "targets": targets}
    out = Path(args.output_dir)
    atomic_write_text(out / "speed.json", json.dumps(record, indent=2) + "\n")
    text = render_speed(json.loads(json.dumps(record)))   # as `recbench tables` reads it back
    atomic_write_text(out / "speed.md", text)
    print(text)
    return 0 if all(t["met"] for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
