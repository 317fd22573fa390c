"""Runs every (algorithm, fold) job of an experiment, in parallel with joblib.

Seeds: one root seed per run. Job (fold f, algorithm a) gets
``SeedSequence(seed, spawn_key=(1, f, crc32(a)))`` for the algorithm's ``random_state``, and
every algorithm on fold f shares the tie-breaking generator ``SeedSequence(seed,
spawn_key=(2, f))``. Results therefore do not depend on ``n_jobs`` or on the order in which
algorithms are listed.
"""

from __future__ import annotations

import time
import traceback
import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from recbench.algorithms import AlgorithmUnavailable, create
from recbench.evaluation.ranking import evaluate_ranking
from recbench.evaluation.rating import evaluate_ratings
from recbench.splitting import Fold


@dataclass(frozen=True)
class AlgorithmSpec:
    label: str            # lower-case name used in results, e.g. "svd"
    name: str             # registry name or module:Class
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class EvalSettings:
    ks: tuple[int, ...] = (10,)
    threshold: float = 4.0
    seed: int = 0
    rating_scale: tuple[float, float] = (1.0, 5.0)


@dataclass
class JobResult:
    algorithm: str
    fold: str
    values: dict = field(default_factory=dict)       # fold-level metric values
    counts: dict = field(default_factory=dict)
    per_user: pd.DataFrame | None = None
    params: dict = field(default_factory=dict)
    seed: int | None = None
    error: str | None = None                          # "unavailable: ..." or "failed: ..."


def job_seed(seed: int, fold_index: int, label: str) -> int:
    ss = np.random.SeedSequence(seed, spawn_key=(1, fold_index, zlib.crc32(label.encode())))
    return int(ss.generate_state(1)[0])


def tie_rng(seed: int, fold_index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2, fold_index)))


def run_job(spec: AlgorithmSpec, fold: Fold, fold_index: int, items, settings: EvalSettings,
            verbose: bool = False) -> JobResult:
    result = JobResult(spec.label, fold.name)
    try:
        algo = create(spec.name, spec.params)
    except AlgorithmUnavailable as exc:
        result.error = f"unavailable: {exc}"
        return result
    try:
        result.seed = job_seed(settings.seed, fold_index, spec.label)
        if "random_state" in algo.get_params() and algo.get_params()["random_state"] is None:
            algo.set_params(random_state=result.seed)
        result.params = algo.get_params()
        t0 = time.perf_counter()
        algo.fit(fold.train, items)
        result.values["fit_time_s"] = time.perf_counter() - t0
        score_s = 0.0
        frames = []
        if getattr(algo, "predicts_ratings", True):
            pu, values, counts, secs = evaluate_ratings(algo, fold.train, fold.test,
                                                        settings.rating_scale)
            result.values.update(values)
            result.counts.update(counts)
            frames.append(pu)
            score_s += secs
        if getattr(algo, "ranks_items", True):
            out = evaluate_ranking(algo, fold.train, fold.test, list(settings.ks),
                                   settings.threshold, tie_rng(settings.seed, fold_index))
            frames.append(out.per_user)
            result.values.update(_means(out.per_user))
            result.values.update(out.fold_values)
            result.counts.update(out.counts)
            score_s += out.score_seconds
        result.values["score_time_s"] = score_s
        per_user = frames[0]
        for extra in frames[1:]:
            per_user = per_user.merge(extra, on="user", how="outer")
        per_user.insert(0, "fold", fold.name)
        per_user.insert(0, "algorithm", spec.label)
        result.per_user = per_user
    except Exception as exc:  # a failing algorithm is reported; the run goes on
        detail = traceback.format_exc() if verbose else f"{type(exc).__name__}: {exc}"
        result.error = f"failed: {detail}"
    return result


def _means(per_user: pd.DataFrame) -> dict:
    cols = [c for c in per_user.columns if c not in ("user", "n_relevant", "n_candidates")]
    # AUC is NaN for users without a non-relevant candidate; they are left out of its mean
    return {c: float(per_user[c].mean()) for c in cols}


def run_jobs(specs: list[AlgorithmSpec], folds: list[Fold], items, settings: EvalSettings,
             n_jobs: int = 1, progress=None, verbose: bool = False) -> list[JobResult]:
    """All (algorithm, fold) jobs; results come back in (fold, algorithm) order."""
    tasks = [(spec, fold, f) for f, fold in enumerate(folds) for spec in specs]
    calls = (delayed(run_job)(spec, fold, f, items, settings, verbose) for spec, fold, f in tasks)
    results = []
    for res in Parallel(n_jobs=n_jobs, return_as="generator")(calls):
        results.append(res)
        if progress is not None:
            progress(res)
    return results
