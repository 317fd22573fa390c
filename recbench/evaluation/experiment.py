"""One experiment: a dataset, a split, some algorithms -> result records and per-user values."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recbench.datasets import Dataset
from recbench.evaluation import protocol as protocol_mod
from recbench.evaluation.aggregate import summarise
from recbench.evaluation.runner import AlgorithmSpec, EvalSettings, JobResult, run_jobs
from recbench.splitting import make_folds


@dataclass
class Experiment:
    dataset: Dataset
    algorithms: list[AlgorithmSpec]
    split: str = "kfold"
    n_folds: int = 5
    test_size: float | None = None
    leave_out: int | None = None
    ks: tuple[int, ...] = (10,)
    threshold: float | None = None
    seed: int = 0
    n_jobs: int = 1


@dataclass
class Outcome:
    results: list[dict]
    per_user: pd.DataFrame
    protocol: dict
    folds: list[dict]
    algorithms: list[dict]
    failures: list[dict] = field(default_factory=list)


def run_experiment(exp: Experiment, progress=None, verbose: bool = False) -> Outcome:
    threshold = exp.threshold if exp.threshold is not None else \
        protocol_mod.default_threshold(exp.dataset.rating_scale)
    split_rng = np.random.default_rng(np.random.SeedSequence(exp.seed, spawn_key=(0,)))
    folds = make_folds(exp.dataset, exp.split, split_rng, exp.n_folds, exp.test_size,
                       exp.leave_out)
    settings = EvalSettings(tuple(exp.ks), threshold, exp.seed, exp.dataset.rating_scale)
    jobs = run_jobs(exp.algorithms, folds, exp.dataset.items, settings, exp.n_jobs, progress,
                    verbose)
    ok = [j for j in jobs if j.error is None]
    per_user = pd.concat([j.per_user for j in ok], ignore_index=True) if ok else pd.DataFrame()
    fold_stats = [f.stats() for f in folds]
    counts = _counts(jobs, fold_stats)
    return Outcome(
        results=summarise(jobs, exp.seed),
        per_user=per_user,
        protocol=protocol_mod.describe(exp.ks, threshold, exp.dataset.rating_scale, counts)
        | {"relevance_threshold": threshold, "split": exp.split},
        folds=fold_stats,
        algorithms=_algorithm_records(jobs),
        failures=[{"algorithm": j.algorithm, "fold": j.fold, "error": j.error}
                  for j in jobs if j.error is not None],
    )


def _counts(jobs: list[JobResult], fold_stats: list[dict]) -> dict:
    """Per-fold counts are the same for every algorithm: take the first job of each fold."""
    out: dict[str, int] = {}
    seen = set()
    for j in jobs:
        if j.error is None and j.fold not in seen and "ranked_users" in j.counts:
            seen.add(j.fold)
            for key, value in j.counts.items():
                out[key] = out.get(key, 0) + int(value)
    out["test_only_users"] = sum(f["test_only_users"] for f in fold_stats)
    out["test_only_items"] = sum(f["test_only_items"] for f in fold_stats)
    return out


def _algorithm_records(jobs: list[JobResult]) -> list[dict]:
    out = {}
    for j in jobs:
        entry = out.setdefault(j.algorithm, {"algorithm": j.algorithm, "params": j.params,
                                             "seeds": {}, "status": "ok"})
        if j.params and not entry["params"]:
            entry["params"] = j.params
        if j.seed is not None:
            entry["seeds"][j.fold] = j.seed
        if j.error is not None:
            entry["status"] = j.error.split(":", 1)[0]
    return list(out.values())
