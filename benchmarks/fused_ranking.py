"""Ranking-evaluation cost per (user, candidate) cell: the dense kernel against the opt-in
fused kernel (recbench.evaluation.kernels.fused), for SVD.

    python benchmarks/fused_ranking.py [--data-dir ../shared/datasets] [--repeats 3]

The algorithm's scores are computed once and served from memory, and its scoring time
(``score_seconds``) is subtracted, so the time is the evaluation's own: candidate masks,
tie-breaking, top-k selection and every built-in ranking metric (precision, recall, ndcg,
map, hit, novelty at 1, 5, 10, 20; MRR; AUC; coverage). Best of ``--repeats``, divided by the
number of (user, candidate) cells. The fused kernel's compiled pass is also timed alone. Sets: ml-100k u1, and a seeded synthetic set of 1M ratings
(4,000 users x 5,000 items). Prints one markdown table and writes it, with the versions and
the machine, to ``results/speed/fused_ranking.md`` (``--output-dir`` elsewhere).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from recbench.algorithms import Algorithm
from recbench.algorithms.surprise.svd import SVD
from recbench.datasets.dataset import compact
from recbench.evaluation.kernels import fused
from recbench.evaluation.ranking import evaluate_ranking
from recbench.reporting.manifest import library_versions, run_environment
from recbench.reporting.storage import atomic_write_text
from recbench.runtime.threads import use_threads
from recbench.splitting.folds import part

CUTOFFS = [1, 5, 10, 20]


class Served(Algorithm):
    """A fitted model's full score matrix, computed once."""

    def __init__(self, model=None, users=None, items=None):
        self.model, self.users, self.items = model, users, items

    def fit(self, train, items=None):
        self.scores_ = np.asarray(self.model.score(self.users, self.items), float)
        self.row_ = pd.Index(self.users)
        return self

    def score(self, users, items):
        return self.scores_[self.row_.get_indexer(users)]


def synthetic(n_users=4000, n_items=5000, n_ratings=1_000_000, seed=0):
    g = np.random.default_rng(seed)
    pop = 1.0 / np.arange(1, n_items + 1) ** 0.8           # item popularity, Zipf-like
    u = g.integers(0, n_users, int(n_ratings * 1.15))
    i = g.choice(n_items, size=len(u), p=pop / pop.sum())
    cells = pd.unique(u * n_items + i)[:n_ratings]        # each (user, item) once
    u, i = np.divmod(cells, n_items)
    taste = np.einsum("nk,nk->n", g.normal(size=(n_users, 4))[u], g.normal(size=(n_items, 4))[i])
    ratings = np.clip(np.round(3.5 + taste), 1, 5)
    frame = pd.DataFrame({"user": u.astype(str), "item": i.astype(str), "rating": ratings,
                          "timestamp": np.zeros(len(u), np.int64)})
    test = g.random(len(frame)) < 0.2
    # stored and split as a run stores and splits a dataset (coded ids, fold parts)
    whole = compact(frame)
    return part(whole, ~test), part(whole, test)


class KernelClock:
    """Times ``fused.rank_block`` calls (the compiled pass alone) inside an evaluation."""

    def __init__(self):
        self.seconds, self.inner = 0.0, fused.rank_block

    def __call__(self, *args):
        t0 = time.perf_counter()
        out = self.inner(*args)
        self.seconds += time.perf_counter() - t0
        return out


def measure(train, test, repeats):
    users = pd.unique(test["user"])
    items = np.sort(train["item"].unique().astype(str))
    algo = Served(SVD(random_state=0).fit(train), users, items).fit(train)
    out = {}
    for kernel in ("dense", "fused"):
        for threads in ((1,) if kernel == "dense" else (1, 2)):
            best = best_kernel = np.inf
            for _ in range(repeats):
                clock = fused.rank_block = KernelClock()
                try:
                    with use_threads(threads):
                        t0 = time.perf_counter()
                        res = evaluate_ranking(algo, train, test, CUTOFFS, 4.0,
                                               np.random.default_rng(0), kernel=kernel)
                        best = min(best, time.perf_counter() - t0 - res.score_seconds)
                finally:
                    fused.rank_block = clock.inner
                best_kernel = min(best_kernel, clock.seconds)
            cells = int(res.per_user["n_candidates"].sum())
            out[(kernel, threads)] = (best, cells, len(res.per_user))
            if kernel == "fused":
                out[("kernel", threads)] = (best_kernel, cells, len(res.per_user))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="../shared/datasets")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--output-dir", default=str(Path(__file__).resolve().parents[1] / "results"
                                                / "speed"))
    args = ap.parse_args()
    from recbench.datasets import load_dataset
    from recbench.splitting import make_folds
    u1 = make_folds(load_dataset("ml-100k", data_dir=args.data_dir), "u1")[0]
    # compile the kernel outside the timings
    evaluate_ranking(Served(SVD(random_state=0).fit(u1.train), pd.unique(u1.test["user"]),
                            np.sort(u1.train["item"].unique().astype(str))).fit(u1.train),
                     u1.train, u1.test, CUTOFFS, 4.0, np.random.default_rng(0), kernel="fused")
    sets = {"ml-100k u1": (u1.train, u1.test), "synthetic 1M": synthetic()}
    table = ["| set | users | cells | dense, 1 thread | fused, 1 thread | fused, 2 threads | "
             "fused kernel alone, 1 thread | 2 threads |", "|---|---|---|---|---|---|---|---|"]
    for name, (train, test) in sets.items():
        r = measure(train, test, args.repeats)
        _, cells, n_users = r[("dense", 1)]
        ns = {key: f"{t / cells * 1e9:.1f} ns ({t:.3f} s)" for key, (t, _, _) in r.items()}
        table.append(f"| {name} | {n_users} | {cells:,} | {ns[('dense', 1)]} | "
                     f"{ns[('fused', 1)]} | {ns[('fused', 2)]} | {ns[('kernel', 1)]} | "
                     f"{ns[('kernel', 2)]} |")
    print("\n".join(table))
    env = run_environment()
    libs = ", ".join(f"{k} {v}" for k, v in library_versions().items() if v)
    text = "\n".join([
        "# Ranking evaluation per (user, candidate) cell: dense against fused", "",
        "Written by `python benchmarks/fused_ranking.py`. SVD's scores are computed once and "
        "served from memory; the time is the evaluation's own (candidate masks, ties, top-k, "
        "precision, recall, ndcg, map, hit and novelty at 1, 5, 10, 20, MRR, AUC, coverage), "
        f"best of {args.repeats}, divided by the cells. \"Kernel alone\" is the fused kernel's "
        "compiled pass inside the fused evaluation (its own best of the repeats). Sets: "
        "ml-100k u1, and a seeded synthetic set of 1M ratings (4,000 users x 5,000 items, "
        "item popularity Zipf 0.8, seed 0).", "", *table, "",
        f"- recbench {env['recbench_version']}, Python {env['python']}, {libs}",
        f"- created {env['created']} on {env['platform']} ({env['machine']['cpus']} CPUs)", ""])
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "fused_ranking.md", text)


if __name__ == "__main__":
    main()
