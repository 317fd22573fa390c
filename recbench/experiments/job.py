"""One (algorithm, fold) job: build the algorithm, seed it, fit it, evaluate it.

A failing algorithm - in ``__init__``, ``fit``, ``score`` or ``predict``, by an exception,
``SystemExit``, non-finite values or a wrong shape - is one failed job with its reason; the
run goes on. Seeds come from :mod:`recbench.random`: the algorithm's ``random_state`` (when it
has one and it is unset) from ``("fold", fold, "algorithm", label)``, the tie-breaking keys
from ``("fold", fold, "ties")``, shared by every algorithm on the fold. Results therefore do
not depend on ``n_jobs`` or on the order in which algorithms are listed.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recbench.algorithms import AlgorithmUnavailable
from recbench.algorithms.base import fit_on
from recbench.algorithms.spec import AlgorithmSpec, build, describe_params
from recbench.errors import failure_reason
from recbench.evaluation.protocol import Protocol
from recbench.evaluation.ranking import evaluate_ranking
from recbench.evaluation.rating import evaluate_ratings
from recbench.evaluation.recommendations import labelled
from recbench.random import derive_rng, derive_seed
from recbench.splitting import Fold
from recbench.tuning.nested import tune_in_fold


@dataclass(frozen=True)
class EvalSettings:
    """What every job of a run shares: the metrics (parsed once per experiment), the
    protocol, the root seed and how many list entries to keep."""

    metrics: tuple                   # MetricSpec values to compute
    protocol: Protocol = field(default_factory=Protocol)
    seed: int = 0
    recommendations: int = 0         # keep each user's top this many (0: none)

    @property
    def rating_scale(self) -> tuple[float, float]:
        return self.protocol.rating_scale


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
    recommendations: pd.DataFrame | None = None       # algorithm, fold, user, item, rank, score
    recommendations_k: int = 0                        # the K they were kept for
    tuning: dict | None = None                        # a tuned job's search (recbench.tuning)
    kernel: str | None = None                         # the ranking kernel that ran ("fused", "dense")


def algorithm_seed(seed: int, fold: str, label: str) -> int:
    return derive_seed(seed, "fold", fold, "algorithm", label)


def tie_keys(fold: str) -> tuple:
    """The seed keys of a fold's tie-breaking generator (``derive_rng(root, *keys)``)."""
    return ("fold", fold, "ties")


def run_job(spec: AlgorithmSpec, fold: Fold, items, settings: EvalSettings,
            verbose: bool = False, journal=None) -> JobResult:
    """``journal``: where a tuned spec keeps its trials (see :mod:`recbench.tuning`). A
    plugin that changes the working folder (``os.chdir``) has it changed back when its job
    ends, so the paths of the run (its folder, its lock, the next jobs') keep their meaning."""
    here = os.getcwd()
    try:
        return _run_job(spec, fold, items, settings, verbose, journal)
    finally:
        if os.getcwd() != here:
            os.chdir(here)


def _run_job(spec, fold, items, settings, verbose, journal) -> JobResult:
    result = JobResult(spec.label, fold.name)
    if getattr(spec, "tuning", None) is not None:    # tune on fold.train, then refit the best
        spec = tune_in_fold(spec, fold, items, settings, result, journal, verbose)
        if spec is None:
            return result
    try:
        algo = build(spec)
    except AlgorithmUnavailable as exc:
        result.error = f"unavailable: {exc}"
        return result
    except (Exception, SystemExit) as exc:
        result.error = f"failed: in __init__: {failure_reason(exc, verbose)}"
        return result
    try:
        params = algo.get_params()
        result.params = describe_params(params)      # as given; the derived seed is in .seed
        if "random_state" in params and params["random_state"] is None:
            result.seed = algorithm_seed(settings.seed, fold.name, spec.label)
            algo.set_params(random_state=result.seed)
        _fit_and_evaluate(algo, spec, fold, items, settings, result)
    except (Exception, SystemExit) as exc:   # a failing algorithm is reported; the run goes on
        result.error = f"failed: {failure_reason(exc, verbose)}"
        result.per_user = None
    return result


def _fit_and_evaluate(algo, spec, fold, items, settings, result) -> None:
    t0 = time.perf_counter()
    fit_on(algo, fold.train, items)
    result.values["fit_time_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    wanted = settings.metrics
    score_s = 0.0
    frames = []
    if getattr(algo, "predicts_ratings", True) and any(s.metric.kind == "rating" for s in wanted):
        pu, values, counts, secs = evaluate_ratings(algo, fold.train, fold.test,
                                                    settings.rating_scale, wanted)
        result.values.update(values)
        result.counts.update(counts)
        frames.append(pu)
        score_s += secs
    if getattr(algo, "ranks_items", True) and (settings.recommendations or any(
            s.metric.kind in ("ranking", "list") for s in wanted)):
        out = evaluate_ranking(algo, fold.train, fold.test, wanted, settings.protocol,
                               derive_rng(settings.seed, *tie_keys(fold.name)),
                               keep=settings.recommendations, items=items)
        if out.recommendations is not None:
            result.recommendations = labelled(out.recommendations, spec.label, fold.name)
            result.recommendations_k = settings.recommendations
        frames.append(out.per_user)
        result.kernel = out.kernel
        result.values.update({s.name: _mean(out.per_user, s.name) for s in wanted
                              if s.metric.kind == "ranking"})
        result.values.update(out.fold_values)
        result.counts.update(out.counts)
        score_s += out.score_seconds
    result.values["score_time_s"] = score_s
    result.values["eval_time_s"] = time.perf_counter() - t0
    frames = [f for f in frames if len(f.columns)]
    per_user = frames[0] if frames else pd.DataFrame({"user": []})
    for extra in frames[1:]:
        per_user = per_user.merge(extra, on="user", how="outer")
    per_user.insert(0, "fold", fold.name)
    per_user.insert(0, "algorithm", spec.label)
    result.per_user = per_user


def _mean(per_user: pd.DataFrame, column: str) -> float:
    """Mean over users with a value (AUC is NaN for users without a non-relevant candidate)."""
    if column not in per_user or per_user[column].notna().sum() == 0:
        return float("nan")
    return float(np.nanmean(per_user[column].to_numpy(float)))
