"""Peers: the same ranking evaluation timed in recbench and in Cornac, in one run.

    python benchmarks/peers.py [--data-dir ../shared/datasets] [--repeats 3] [--users N]

Needs Cornac (``pip install -e '.[bench]'``). Sets: ml-100k's predefined fold u1 (u1.base /
u1.test) and the seeded 1M-rating synthetic set of ``benchmarks/fused_ranking.py`` (4,000
users x 5,000 items, imported from there). On each set ONE factor model is fitted (recbench's
SVD adapter, ``random_state=0``) and its full score matrix is computed once; both sides rank
those very scores:

* recbench: ``evaluate_ranking`` (the default, fused kernel) on ``Served`` (fused_ranking.py),
  which hands out rows of the precomputed matrix;
* Cornac: ``cornac.eval_methods.ranking_eval`` on :class:`CornacServed`, a
  ``cornac.models.Recommender`` whose ``score(user_idx)`` returns the same scores row, the
  columns reordered from recbench's catalog order to Cornac's item indices (its ``iid_map``),
  the rows picked by Cornac's ``uid_map``.

The same work on both sides: candidates = every training item minus the user's own training
items; relevant = test rating >= 4 (test items unknown to training dropped: Cornac's
``exclude_unknowns=True``); users = test users with at least one relevant candidate; metrics
Precision@10, Recall@10, NDCG@10, MRR and AUC. Cornac's ``ranking_eval`` on its own removes
only the training items the user rated >= the threshold (its "train positives") and keeps the
others as negatives, so it is handed a copy of the training set whose ratings are all set to
the threshold: then it removes every training item, as recbench does (the served scores do not
read that set). recbench is also timed with its full default metric set (every registered
ranking and list metric at k = 10, the CLI's default: + MAP, hit, novelty, coverage).

Timing: wall time of the whole ``evaluate_ranking`` / ``ranking_eval`` call (setup included,
model already fitted), best of ``--repeats``, one thread (OMP/MKL/OPENBLAS_NUM_THREADS=1 set
for this process before numpy is imported; recbench under ``use_threads(1)``), divided by the
user x candidate cells. Scoring time is subtracted on NEITHER side: scores are served from
memory on both (a row copy per user or batch), so there is essentially none. Before the
timings, one untimed run of each side checks that they evaluate the same users with the same
candidate and relevant counts, and compares the per-user metric values. On each set
recbench is timed first, then Cornac's Datasets are built and Cornac is timed: building
them from the frames (``from_splits``: millions of Python tuples, strings and dicts) leaves
the process's heap in a state that slowed recbench's pandas string indexing of the same
frames when the order was the other way (34.9 instead of 28.7 ns per cell on the synthetic
set); each side is timed as it runs in a process of its own.

Targets: recbench with every metric incl. AUC <= 25 ns per cell on the synthetic set (one
thread); Cornac's ranking_eval / recbench's evaluation of the same five metrics >= 10 on each
set. Writes ``results/speed/peers.md`` and ``peers.json``; exits 1 when a target or a check is
missed, 2 when Cornac or the data is missing. ``--users N`` evaluates a seeded sample of N test
users per set (for development; the committed results use every user).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"          # one thread, before numpy (and its BLAS) is loaded

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from importlib.metadata import PackageNotFoundError, version  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fused_ranking import KernelClock, Served, synthetic  # noqa: E402
from speed import best_of  # noqa: E402

from recbench.algorithms.surprise.svd import SVD
from recbench.evaluation.kernels import fused
from recbench.evaluation.ranking import evaluate_ranking  # noqa: E402
from recbench.metrics import parse_metric, resolve  # noqa: E402
from recbench.reporting.manifest import library_versions, run_environment  # noqa: E402
from recbench.reporting.storage import atomic_write_text  # noqa: E402
from recbench.runtime import env  # noqa: E402
from recbench.runtime.threads import use_threads

THRESHOLD = 4.0
K = 10
#: recbench metric name -> Cornac metric name (the same five metrics on both sides)
MATCHED = {"precision@10": "Precision@10", "recall@10": "Recall@10", "ndcg@10": "NDCG@10",
           "mrr": "MRR", "auc": "AUC"}
NS_TARGET, RATIO_TARGET = 25.0, 10.0


def cornac_metrics(cornac):
    m = cornac.metrics
    return [m.Precision(k=K), m.Recall(k=K), m.NDCG(k=K), m.MRR(), m.AUC()]


def make_served_class(cornac):
    class CornacServed(cornac.models.Recommender):
        """A "fitted" Cornac model whose scores are a precomputed (Cornac user index x
        Cornac item index) matrix."""

        def __init__(self, scores, train_set):
            super().__init__(name="served", trainable=False)
            self.scores = scores
            cornac.models.Recommender.fit(self, train_set)   # ids, counts: no training

        def score(self, user_idx, item_idx=None):
            row = self.scores[user_idx]
            return row if item_idx is None else row[item_idx]

    return CornacServed


def cornac_side(cornac, train, test, served):
    """Cornac's datasets (BaseMethod.from_splits, exclude_unknowns=True), the exclusion train
    set (every training pair, rating = the threshold) and the served model."""
    triples = lambda f: list(zip(f["user"].astype(str), f["item"].astype(str),  # noqa: E731
                                 f["rating"].astype(float)))
    t0 = time.perf_counter()
    method = cornac.eval_methods.BaseMethod.from_splits(
        train_data=triples(train), test_data=triples(test), rating_threshold=THRESHOLD,
        exclude_unknowns=True, seed=0, verbose=False)
    build_s = time.perf_counter() - t0
    seen = train.assign(rating=THRESHOLD)
    exclude = cornac.data.Dataset.build(triples(seen), fmt="UIR",
                                        global_uid_map=method.global_uid_map,
                                        global_iid_map=method.global_iid_map,
                                        exclude_unknowns=True)
    train_set = method.train_set
    assert exclude.num_items == train_set.num_items and \
        exclude.uid_map == train_set.uid_map and exclude.iid_map == train_set.iid_map
    users = list(train_set.uid_map)            # Cornac's user index -> raw id
    items = list(train_set.iid_map)
    rows = served.row_.get_indexer(pd.Index(users, dtype=object))
    cols = pd.Index(served.items).get_indexer(pd.Index(items, dtype=object))
    assert (cols >= 0).all() and len(cols) == len(served.items)
    scores = np.zeros((len(users), len(items)))
    have = rows >= 0
    scores[have] = served.scores_[rows[have]][:, cols]
    model = make_served_class(cornac)(scores, train_set)
    return method, exclude, model, np.array(users, dtype=object), build_s


def run_cornac(cornac, model, metrics, exclude, test_set):
    return cornac.eval_methods.ranking_eval(model, metrics, exclude, test_set,
                                            rating_threshold=THRESHOLD, exclude_unknowns=True,
                                            verbose=False)


def counting_metrics(cornac):
    """Two metrics that only count (k = -1, so they do not change the ranking cut-off)."""
    class Cells(cornac.metrics.RankingMetric):
        def __init__(self):
            super().__init__(name="cells")

        def compute(self, item_indices, **kwargs):
            return len(item_indices)

    class Positives(cornac.metrics.RankingMetric):
        def __init__(self):
            super().__init__(name="positives")

        def compute(self, gt_pos, **kwargs):
            return len(gt_pos)

    return [Cells(), Positives()]


def benchmark(cornac, name, train, test, repeats):
    """One set: recbench's check run and timings first, then Cornac's Datasets are built
    and Cornac's check run and timings follow (see the module docstring on the order)."""
    users = pd.unique(test["user"].astype(str))
    items = np.sort(train["item"].unique().astype(str))
    served = Served(SVD(random_state=0).fit(train), users, items).fit(train)
    matched = [parse_metric(m) for m in MATCHED]
    everything = resolve(None, [K])
    kernel_s = [float("inf")]

    def recbench_eval(specs, clock=False):
        with use_threads(1):
            if not clock:
                return evaluate_ranking(served, train, test, specs, THRESHOLD,
                                        np.random.default_rng(0))
            timer = fused.rank_block = KernelClock()   # the compiled pass alone, as in
            try:                                       # fused_ranking.py
                return evaluate_ranking(served, train, test, specs, THRESHOLD,
                                        np.random.default_rng(0))
            finally:
                fused.rank_block = timer.inner
                kernel_s[0] = min(kernel_s[0], timer.seconds)

    # recbench: an untimed check run (it also compiles / warms up), then the timings
    rb = recbench_eval(matched).per_user.set_index("user")
    rb_s, _ = best_of(repeats, lambda: recbench_eval(matched))
    rb_all_s, full = best_of(repeats, lambda: recbench_eval(everything))
    best_of(repeats, lambda: recbench_eval(matched, clock=True))     # informative, untimed

    # Cornac: its Datasets and the served model, an untimed check run, then the timings
    method, exclude, model, cornac_users, build_s = cornac_side(cornac, train, test, served)
    metrics = cornac_metrics(cornac)
    avg, per_user = run_cornac(cornac, model, metrics + counting_metrics(cornac), exclude,
                               method.test_set)
    # Cornac's MRR alone: with no @k metric beside it ranking_eval ranks every candidate
    mrr_alone = run_cornac(cornac, model, [cornac.metrics.MRR()], exclude, method.test_set)
    cornac_s, _ = best_of(repeats, lambda: run_cornac(cornac, model, metrics, exclude,
                                                      method.test_set))

    cornac_uidx = np.array(sorted(per_user[0]))
    cb = pd.DataFrame({mt.name: [per_user[j][u] for u in cornac_uidx]
                       for j, mt in enumerate(metrics + counting_metrics(cornac))},
                      index=pd.Index(cornac_users[cornac_uidx], name="user"))
    cb["MRR (alone)"] = [mrr_alone[1][0][u] for u in cornac_uidx]
    same_users = set(rb.index) == set(cb.index)
    cb = cb.reindex(rb.index)
    same_cells = same_users and bool(
        (cb["cells"].to_numpy() == rb["n_candidates"].to_numpy()).all())
    same_relevant = same_users and bool(
        (cb["positives"].to_numpy() == rb["n_relevant"].to_numpy()).all())
    means = []
    for ours, theirs in [*MATCHED.items(), ("mrr", "MRR (alone)")]:
        a, b = rb[ours].to_numpy(float), cb[theirs].to_numpy(float)
        means.append({"recbench": ours, "cornac": theirs, "recbench_mean": float(np.mean(a)),
                      "cornac_mean": float(np.mean(b)),
                      "max_abs_user_diff": float(np.max(np.abs(a - b))),
                      "users_differing": int((np.abs(a - b) > 1e-9).sum())})
    cells = int(rb["n_candidates"].sum())
    ns = lambda s: s / cells * 1e9  # noqa: E731
    return {"set": name, "train_ratings": int(len(train)), "test_ratings": int(len(test)),
            "catalog_items": int(len(items)), "users": int(len(rb)),
            "cornac_users": int(len(cornac_uidx)), "cells": cells,
            "same_users": same_users, "same_cells": same_cells,
            "same_relevant": same_relevant,
            "recbench_s": rb_s, "recbench_ns_per_cell": ns(rb_s),
            "recbench_all_metrics_s": rb_all_s, "recbench_all_metrics_ns_per_cell": ns(rb_all_s),
            "recbench_all_metrics": [c for c in full.per_user.columns
                                     if c not in ("user", "n_relevant", "n_candidates")]
            + list(full.fold_values),
            "recbench_kernel_s": kernel_s[0], "recbench_kernel_ns_per_cell": ns(kernel_s[0]),
            "cornac_s": cornac_s, "cornac_ns_per_cell": ns(cornac_s),
            "cornac_from_splits_s": build_s,
            "ratio": cornac_s / rb_s, "ratio_all_metrics": cornac_s / rb_all_s,
            "means": means}


def render(record) -> str:
    out = ["# Peers: recbench's ranking evaluation against Cornac's ranking_eval", "",
           "The same ranking evaluation on both sides: one fitted SVD's scores, served from "
           "memory; candidates = every training item minus the user's training items; "
           "relevant = test rating >= 4; Precision@10, Recall@10, NDCG@10, MRR, AUC. One "
           "thread, best of %d, wall time of the whole evaluation call, per user x candidate "
           "cell." % record["repeats"], "",
           "| set | users | cells | recbench, 5 metrics | recbench, every metric | "
           "Cornac ranking_eval, 5 metrics | Cornac / recbench (5 metrics) | "
           "Cornac / recbench (every metric) |", "|---|---|---|---|---|---|---|---|"]
    for r in record["sets"]:
        out.append(f"| {r['set']} | {r['users']:,} | {r['cells']:,} | "
                   f"{r['recbench_ns_per_cell']:.1f} ns ({r['recbench_s']:.3f} s) | "
                   f"{r['recbench_all_metrics_ns_per_cell']:.1f} ns "
                   f"({r['recbench_all_metrics_s']:.3f} s) | "
                   f"{r['cornac_ns_per_cell']:.1f} ns ({r['cornac_s']:.3f} s) | "
                   f"{r['ratio']:.1f}x | {r['ratio_all_metrics']:.1f}x |")
    out += ["", "Where the time goes (informative, not part of the targets): recbench's call "
            "starts from the train and test fold parts (their coded ids to positions, sparse matrices) "
            "and then runs one compiled pass per user; Cornac's ranking_eval starts from "
            "Datasets that `BaseMethod.from_splits` built beforehand, outside its time.", "",
            "| set | recbench compiled pass alone | recbench rest of the call (5 metrics) | "
            "Cornac ranking_eval / recbench compiled pass alone | "
            "Cornac from_splits (its Datasets, untimed above) |", "|---|---|---|---|---|"]
    for r in record["sets"]:
        out.append(f"| {r['set']} | {r['recbench_kernel_ns_per_cell']:.1f} ns "
                   f"({r['recbench_kernel_s']:.3f} s) | "
                   f"{max(0.0, r['recbench_s'] - r['recbench_kernel_s']):.3f} s | "
                   f"{r['cornac_s'] / r['recbench_kernel_s']:.1f}x | "
                   f"{r['cornac_from_splits_s']:.2f} s |")
    every = ", ".join(record["sets"][0]["recbench_all_metrics"])
    out += ["", f"recbench's \"every metric\": {every}"
            " (every registered ranking and list metric at k = 10, the CLI default).", "",
            "## Metric means, side by side", "",
            "| set | recbench | Cornac | recbench mean | Cornac mean | max per-user difference "
            "| users differing |", "|---|---|---|---|---|---|---|"]
    for r in record["sets"]:
        for m in r["means"]:
            out.append(f"| {r['set']} | {m['recbench']} | {m['cornac']} | "
                       f"{m['recbench_mean']:.6f} | {m['cornac_mean']:.6f} | "
                       f"{m['max_abs_user_diff']:.2g} | {m['users_differing']} |")
    out += ["", "## Checks and targets", ""]
    for c in record["checks"] + record["targets"]:
        out.append(f"- {c['target']}: measured {c['measured']} — "
                   f"{'**met**' if c['met'] else '**MISSED**'}")
    out += ["", "## How it was measured", "", record["protocol"], "",
            "Definitions: " + record["definitions"], ""]
    man = record["manifest"]
    libs = ", ".join(f"{k} {v}" for k, v in man["libraries"].items() if v)
    out += [f"- recbench {man['recbench_version']}, Python {man['python']}, {libs}",
            f"- created {man['created']} on {man['platform']} ({man['machine']['cpus']} CPUs); "
            f"threads: {man['threads']}; recbench ranking kernel: {man['ranking_kernel']}",
            f"- command: `{man['command']}`", ""]
    return "\n".join(out)


PROTOCOL = (
    "One SVD (recbench's adapter, random_state=0) is fitted per set and its score matrix "
    "computed once. recbench ranks it through `evaluate_ranking` (fused kernel) on a `Served` "
    "algorithm; Cornac through `cornac.eval_methods.ranking_eval` on a `Recommender` subclass "
    "whose `score(user_idx)` returns the same row, the columns mapped from Cornac's `iid_map` "
    "and the rows from its `uid_map` to recbench's ids, so both rank identical score vectors. "
    "Cornac's datasets come from `BaseMethod.from_splits(..., rating_threshold=4, "
    "exclude_unknowns=True)`: test ratings of users or items unknown to training are dropped, "
    "the candidates are the training items only, and users without a positive are skipped, as "
    "in recbench. Cornac's `ranking_eval` removes from the candidates only the training items "
    "rated >= the threshold, keeping the others as negatives; it is handed a copy of the "
    "training set with every rating set to 4, so that it removes every training item, as "
    "recbench does. An untimed run of each side checks that the users, their candidate counts "
    "and their relevant counts are identical. Timed: the whole evaluation call, the model "
    "already fitted; no scoring time is subtracted on either side (the scores are served from "
    "memory). OMP/MKL/OPENBLAS_NUM_THREADS=1 for the process, recbench under `use_threads(1)`. "
    "On each set recbench is timed before Cornac's Datasets are built: with the other order, "
    "the millions of Python tuples and strings `from_splits` allocates left the heap in a "
    "state that slowed recbench's pandas string indexing of the same frames (34.9 instead of "
    "28.7 ns per cell for the five metrics on the synthetic set, in two runs of this "
    "script while fold parts still held string ids), an effect of sharing one process that "
    "neither side has when run alone.")

DEFINITIONS = (
    "Precision@10 = hits in the top 10 / 10 and Recall@10 = hits / relevant candidates on both "
    "sides; NDCG@10 uses binary gain (Cornac's 2^rel - 1 is rel), discount log2(rank + 1) and "
    "an ideal DCG of min(10, relevant) hits on both sides. AUC: Cornac counts a (relevant, "
    "negative) pair as correct only when the relevant item scores strictly higher, recbench "
    "counts a tie as 1/2; the SVD scores have no ties in practice, so the values agree. MRR: "
    "recbench's is 1 / rank of the first relevant item in the full ranking. Cornac asks the "
    "model for the top max_k = 10 (the largest cutoff among the metrics; MRR and AUC have "
    "k = -1) and `Recommender.rank` then returns the top 10 sorted followed by the other "
    "candidates in `np.argpartition` order, unsorted; Cornac's MRR reads that list, so for a "
    "user whose first relevant item is below rank 10 it is the reciprocal of an arbitrary "
    "position: a Cornac artefact, not a different definition. Cornac's MRR evaluated alone "
    "(max_k = -1: every candidate sorted; the row \"MRR (alone)\", untimed) equals recbench's. "
    "Ties in the top 10 (none here) would be broken by a seeded hash in recbench and by "
    "argpartition/argsort order in Cornac.")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "datasets"))
    p.add_argument("--repeats", type=int, default=3, help="best of this many runs (default 3)")
    p.add_argument("--users", type=int, default=None,
                   help="a seeded sample of this many test users per set (development)")
    p.add_argument("--output-dir", default=str(ROOT / "results" / "speed"))
    args = p.parse_args(argv)
    try:
        import cornac
        import cornac.eval_methods  # noqa: F401
    except ImportError:
        print("Cornac is not installed; install the bench extra: pip install -e '.[bench]'",
              file=sys.stderr)
        return 2
    data_dir = Path(args.data_dir)
    if not (data_dir / "ml-100k" / "u1.base").is_file():
        print(f"ml-100k (with u1.base) is not under {data_dir}; pass --data-dir.", file=sys.stderr)
        return 2
    from recbench.datasets import load_dataset
    from recbench.splitting import make_folds
    u1 = make_folds(load_dataset("ml-100k", data_dir=data_dir), "u1")[0]
    sets = {"ml-100k u1": (u1.train, u1.test), "synthetic 1M": synthetic()}
    rows = []
    for name, (train, test) in sets.items():
        if args.users:
            users = pd.unique(test["user"].astype(str))
            keep = np.random.default_rng(0).choice(users, min(args.users, len(users)),
                                                   replace=False)
            test = test[test["user"].astype(str).isin(keep)].reset_index(drop=True)
        rows.append(benchmark(cornac, name, train, test, args.repeats))
        r = rows[-1]
        print(f"{name}: recbench {r['recbench_ns_per_cell']:.1f} ns/cell (every metric "
              f"{r['recbench_all_metrics_ns_per_cell']:.1f}), Cornac "
              f"{r['cornac_ns_per_cell']:.1f} ns/cell, ratio {r['ratio']:.0f}x", file=sys.stderr)
    checks, targets = [], []
    for r in rows:
        checks.append({"target": f"{r['set']}: both sides evaluate the same users with the same "
                                 f"candidate and relevant counts",
                       "measured": f"{r['users']:,} users, {r['cells']:,} cells; users "
                                   f"{'same' if r['same_users'] else 'DIFFER'}, candidates "
                                   f"{'same' if r['same_cells'] else 'DIFFER'}, relevant "
                                   f"{'same' if r['same_relevant'] else 'DIFFER'}",
                       "met": r["same_users"] and r["same_cells"] and r["same_relevant"]})
    synth = [r for r in rows if r["set"] == "synthetic 1M"]
    for r in synth:
        targets.append({"target": f"{r['set']}: recbench, every metric incl. AUC, one thread "
                                  f"<= {NS_TARGET:.0f} ns per cell",
                        "measured": f"{r['recbench_all_metrics_ns_per_cell']:.1f} ns",
                        "met": r["recbench_all_metrics_ns_per_cell"] <= NS_TARGET})
    for r in rows:
        targets.append({"target": f"{r['set']}: Cornac's ranking_eval / recbench's evaluation, "
                                  f"same five metrics incl. AUC, same candidates >= "
                                  f"{RATIO_TARGET:.0f}",
                        "measured": f"{r['ratio']:.1f}x (every recbench metric: "
                                    f"{r['ratio_all_metrics']:.1f}x)",
                        "met": r["ratio"] >= RATIO_TARGET})
    try:
        cornac_version = version("cornac")
    except PackageNotFoundError:
        cornac_version = getattr(cornac, "__version__", None)
    command = "python benchmarks/peers.py" + "".join(
        f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    record = {"manifest": {**run_environment(),
                           "libraries": library_versions() | {"cornac": cornac_version},
                           "threads": {v: os.environ[v] for v in
                                       ("OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                        "OPENBLAS_NUM_THREADS")} | {"recbench": 1},
                           "ranking_kernel": env.ranking_kernel(), "command": command},
              "repeats": args.repeats, "sampled_users": args.users, "threshold": THRESHOLD,
              "k": K, "sets": rows, "checks": checks, "targets": targets,
              "protocol": PROTOCOL, "definitions": DEFINITIONS}
    out = Path(args.output_dir)
    atomic_write_text(out / "peers.json", json.dumps(record, indent=2) + "\n")
    text = render(record)
    atomic_write_text(out / "peers.md", text)
    print(text)
    return 0 if all(t["met"] for t in checks + targets) else 1


if __name__ == "__main__":
    sys.exit(main())
