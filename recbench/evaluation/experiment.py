"""One experiment: a dataset, a split, some algorithms -> result records and per-user values.

``validate`` checks every setting before any work starts; ``run_experiment`` then makes the
folds once and runs every (algorithm, fold) job through the execution seam.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from recbench.algorithms.spec import AlgorithmSpec, validate as validate_algorithm
from recbench.datasets import Dataset
from recbench.errors import ConfigError
from recbench.evaluation import protocol as protocol_mod
from recbench.evaluation.aggregate import bootstrap_keys, summarise
from recbench.evaluation.job import EvalSettings, JobResult, run_job, tie_keys
from recbench.evaluation.jobstore import JobStore, job_key, run_and_store
from recbench.evaluation.recommendations import check_list_length, collect
from recbench.execution import Execution, map_jobs
from recbench.metrics import resolve
from recbench.random import check_seed, derive_rng, spawn_key
from recbench.splitting import check_split, make_folds
from recbench.tuning.record import tuning_record


@dataclass
class Experiment:
    dataset: Dataset
    algorithms: list[AlgorithmSpec]
    split: str = "kfold"
    n_folds: int | None = None
    test_size: float | None = None
    leave_out: int | None = None
    ks: tuple[int, ...] = (10,)
    threshold: float | None = None
    seed: int = 0
    metrics: list[str] | None = None          # None: every registered metric
    execution: Execution = field(default_factory=Execution)
    save_recommendations: int | None = None   # keep each user's top K list (None: none)
    tuning: object = None                     # a recbench.tuning.Tuning (None: no tuning)

    @property
    def relevance_threshold(self) -> float:
        return self.threshold if self.threshold is not None else \
            protocol_mod.default_threshold(self.dataset.rating_scale)

    def metric_specs(self):
        return resolve(self.metrics, self.ks)

    @property
    def cutoffs(self) -> tuple[int, ...]:
        """The cutoffs of the run: ``ks`` plus any cutoff named in ``metrics``."""
        return tuple(sorted(set(self.ks) | {s.k for s in self.metric_specs() if s.k}))


@dataclass
class Outcome:
    results: list[dict]
    per_user: pd.DataFrame
    protocol: dict
    folds: list[dict]
    algorithms: list[dict]
    failures: list[dict] = field(default_factory=list)
    seeds: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    recommendations: pd.DataFrame | None = None   # algorithm, fold, user, item, rank, score
    tuning: dict | None = None                    # settings and every tuned job's trials


def validate(exp: Experiment) -> dict[str, str]:
    """Raise ConfigError for the first invalid setting; returns unavailable algorithms
    (label -> reason), which the run reports instead of running."""
    check_seed(exp.seed)
    if len(exp.dataset.ratings) < 2:
        raise ConfigError(f"{exp.dataset.name} holds {len(exp.dataset.ratings)} rating; a split "
                          f"into training and test parts needs at least 2.")
    if not exp.ks or any(isinstance(k, bool) or not isinstance(k, int) or k < 1 for k in exp.ks):
        raise ConfigError(f"k {list(exp.ks)!r} is invalid; cutoffs are positive whole numbers.")
    check_list_length(exp.save_recommendations)
    check_split(exp.dataset, exp.split, exp.n_folds, exp.test_size, exp.leave_out)
    if exp.n_folds is not None and (isinstance(exp.n_folds, bool) or not isinstance(exp.n_folds, int)
                                    or not 2 <= exp.n_folds <= len(exp.dataset.ratings)):
        raise ConfigError(f"--folds {exp.n_folds!r} is invalid; use a whole number from 2 to "
                          f"the number of ratings ({len(exp.dataset.ratings)}).")
    if exp.leave_out is not None and (isinstance(exp.leave_out, bool) or
                                      not isinstance(exp.leave_out, int) or exp.leave_out < 1):
        raise ConfigError(f"--leave-out {exp.leave_out!r} is invalid; give a whole number of "
                          f"ratings per user, at least 1.")
    if exp.test_size is not None and (isinstance(exp.test_size, bool) or
                                      not isinstance(exp.test_size, (int, float)) or
                                      not 0 < exp.test_size < 1):
        raise ConfigError(f"--test-size {exp.test_size!r} is invalid; give a share between 0 "
                          f"and 1, e.g. 0.2.")
    lo, hi = exp.dataset.rating_scale
    if exp.threshold is not None and not (isinstance(exp.threshold, (int, float)) and
                                          math.isfinite(exp.threshold) and lo < exp.threshold <= hi):
        raise ConfigError(f"--relevance-threshold {exp.threshold!r} is outside the rating scale "
                          f"({lo:g}, {hi:g}]; give a value inside it, e.g. {hi - (hi - lo) / 4:g}.")
    exp.metric_specs()                          # unknown metric names fail here
    if exp.tuning is not None:                  # objective, budget, search spaces
        from recbench.tuning.settings import check_tuning
        check_tuning(exp)
    unavailable = {}
    for spec in exp.algorithms:
        reason = validate_algorithm(spec)
        if reason is not None:
            unavailable[spec.label] = reason
    check_memory(exp)
    return unavailable


def check_memory(exp: Experiment) -> None:
    """Refuse, before any fold, an algorithm whose predictable memory (users x users or
    items x items state, estimated on the whole dataset) exceeds the memory budget."""
    from recbench.algorithms.memory import require_memory
    from recbench.algorithms.spec import spec_class
    n_users = exp.dataset.ratings["user"].nunique()
    n_items = exp.dataset.ratings["item"].nunique()
    for spec in exp.algorithms:
        cls = spec_class(spec)
        if cls is None:
            continue
        estimate = getattr(cls, "memory_needed", None)
        need = estimate(spec.params, n_users, n_items) if estimate else None
        if need is not None:
            require_memory(spec.label, *need)


def run_experiment(exp: Experiment, progress=None, verbose: bool = False,
                   job_store=None, resume: bool = False) -> Outcome:
    """``progress(job, total)`` is called once with ``job=None`` before the first job starts,
    then as each job finishes. With ``job_store`` (a folder) every finished job is kept
    there at once; ``resume`` reuses the jobs it holds (see :mod:`recbench.evaluation.jobstore`)."""
    validate(exp)
    threshold = exp.relevance_threshold
    folds = make_folds(exp.dataset, exp.split, derive_rng(exp.seed, "split"), exp.n_folds,
                       exp.test_size, exp.leave_out)
    settings = EvalSettings(tuple(exp.metric_specs()), threshold, exp.seed, exp.dataset.rating_scale,
                            exp.save_recommendations or 0)
    store = JobStore(job_store) if job_store is not None else None
    if store is not None and not resume:
        store.clear()
    keys = [(fold, spec, job_key(exp, spec, fold.name)) for fold in folds for spec in exp.algorithms]
    done = {key: store.get(key) for _, _, key in keys} if resume and store is not None else {}
    done = {key: j for key, j in done.items()      # a stored job kept lists of another length
            if j is None or getattr(j, "recommendations_k", 0) == settings.recommendations}
    todo = [(store, key, run_job, spec, fold, exp.dataset.items, settings, verbose,
             None if store is None else store.journal(key))   # a tuned job's trials
            for fold, spec, key in keys if done.get(key) is None]
    total = len(keys)
    if progress is not None:
        progress(None, total)
        for result in done.values():
            if result is not None:
                progress(result, total)
    fresh = iter(map_jobs(run_and_store, todo, exp.execution,
                          None if progress is None else (lambda job: progress(job, total))))
    jobs = [done[key] if done.get(key) is not None else next(fresh) for _, _, key in keys]
    ok = [j for j in jobs if j.error is None and j.per_user is not None]
    per_user = pd.concat([j.per_user for j in ok], ignore_index=True) if ok else pd.DataFrame()
    fold_stats = [f.stats() for f in folds]
    counts = _counts(jobs, fold_stats)
    seeds = seed_record(exp, folds)
    results = summarise(jobs, exp.seed)
    kernels = sorted({k for j in ok if (k := getattr(j, "kernel", None))})
    protocol = protocol_mod.describe(exp.cutoffs, threshold, exp.dataset.rating_scale, counts,
                                     [s.name for s in settings.metrics],
                                     kernel=kernels) \
        | {"relevance_threshold": threshold, "split": exp.split}
    if kernels:                 # the kernels that ranked (a plugin metric may force "dense")
        protocol["ranking_kernels"] = kernels
    return Outcome(results=results, per_user=per_user, protocol=protocol, folds=fold_stats,
                   algorithms=_algorithm_records(jobs),
                   failures=[{"algorithm": j.algorithm, "fold": j.fold, "error": j.error}
                             for j in jobs if j.error is not None],
                   seeds=seeds, warnings=_warnings(exp, jobs, counts, threshold),
                   recommendations=collect(jobs, [s.label for s in exp.algorithms])
                   if exp.save_recommendations else None,
                   tuning=None if exp.tuning is None else tuning_record(exp.tuning, jobs))


def seed_record(exp: Experiment, folds) -> dict:
    """How every random stream of the run was made: ``derive_rng(root, *keys)``, i.e.
    ``numpy.random.default_rng(SeedSequence(root, spawn_key=spawn_key))``. Algorithm seeds
    (plain integers, passed as ``random_state``) are under ``algorithms[*].seeds``."""
    def stream(*keys):
        return {"keys": list(keys), "spawn_key": list(spawn_key(*keys))}
    out = {"root": exp.seed, "generator": "numpy.random.default_rng(SeedSequence(root, spawn_key))",
           "split": stream("split"), "ties": {f.name: stream(*tie_keys(f.name)) for f in folds}}
    if len(folds) == 1:
        out["bootstrap"] = {"keys": list(bootstrap_keys("<algorithm>", "<metric>"))}
    return out


def _warnings(exp, jobs, counts, threshold) -> list[str]:
    """What makes some numbers of the run empty, in words."""
    out = []
    ranking = any(s.metric.kind in ("ranking", "list") for s in exp.metric_specs())
    ranked = [j for j in jobs if j.error is None and "ranked_users" in j.counts]
    if ranking and ranked and counts.get("ranked_users", 0) == 0:
        out.append(f"no test user has a relevant candidate (a test rating >= {threshold:g} on an "
                   f"item seen in training that the user did not rate in training), so every "
                   f"ranking metric is empty; lower --relevance-threshold or use more data.")
    content = _content_without_text(exp)
    if content:
        out.append(f"{', '.join(content)} use{'s' if len(content) == 1 else ''} item features, "
                   f"and {exp.dataset.name} has no item text (titles, genres, tags), so "
                   f"{'its' if len(content) == 1 else 'their'} content part is empty; pass "
                   f"--items FILE ([csv] items) to give the items' text.")
    return out


def _content_without_text(exp) -> list[str]:
    """Labels of algorithms that use item features when no item has any text."""
    items = exp.dataset.items
    if items is not None and "text" in items and (items["text"].str.strip() != "").any():
        return []
    from recbench.algorithms.spec import spec_class
    return [spec.label for spec in exp.algorithms
            if getattr(spec_class(spec), "uses_item_features", False)]


def _counts(jobs: list[JobResult], fold_stats: list[dict]) -> dict:
    """Per-fold counts are the same for every algorithm that computes them: each count of a
    fold comes from the first finished job of that fold that has it (rating counts from a
    rating predictor, ranking counts from a ranker, whatever the order of the algorithms)."""
    per_fold: dict[str, dict] = {}
    for j in jobs:
        if j.error is None:
            mine = per_fold.setdefault(j.fold, {})
            for key, value in j.counts.items():
                mine.setdefault(key, int(value))
    out: dict[str, int] = {}
    for counts in per_fold.values():
        for key, value in counts.items():
            out[key] = out.get(key, 0) + value
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
