"""Running a validated experiment: make the folds once, run every (algorithm, fold) job
through the execution seam (reusing stored jobs on resume) and gather the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from recbench.algorithms.spec import spec_class
from recbench.evaluation.recommendations import collect
from recbench.experiments.experiment import Experiment, validate
from recbench.experiments.job import EvalSettings, JobResult, run_job, tie_keys
from recbench.experiments.jobstore import JobStore, job_key, run_and_store
from recbench.random import derive_rng, spawn_key
from recbench.runtime.execution import map_jobs
from recbench.statistics.aggregate import summarise
from recbench.statistics.groups import assign, group_results
from recbench.statistics.intervals import bootstrap_keys
from recbench.statistics.significance import tested_metrics
from recbench.tuning.record import tuning_record


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
    groups: dict | None = None                    # user groups: spec, edges, results


def run_experiment(exp: Experiment, progress=None, verbose: bool = False,
                   job_store=None, resume: bool = False) -> Outcome:
    """``progress(job, total)`` is called once with ``job=None`` before the first job starts,
    then as each job finishes. With ``job_store`` (a folder) every finished job is kept
    there at once; ``resume`` reuses the jobs it holds (see :mod:`recbench.experiments.jobstore`)."""
    validate(exp)
    folds = exp.splitting.folds(exp.dataset, derive_rng(exp.seed, "split"))
    settings = EvalSettings(tuple(exp.metric_specs()), exp.protocol, exp.seed,
                            exp.save_recommendations or 0)
    jobs, notes = _run_jobs(exp, folds, settings, progress, verbose, job_store, resume)
    outcome = _outcome(exp, folds, settings, jobs)
    outcome.warnings.extend(notes)
    clipped = outcome.protocol.get("cutoffs_clipped")
    if clipped:
        ks = sorted({int(k) for over in clipped.values() for k in over})
        outcome.warnings.append(f"cutoffs {', '.join(map(str, ks))} exceed the catalog of "
                                f"{', '.join(clipped)}; there they are computed at the catalog's "
                                f"size (the whole ranked list), as protocol.cutoffs_clipped says.")
    return outcome


def _run_jobs(exp, folds, settings, progress, verbose, job_store, resume):
    """Every (fold, algorithm) job in that order, reused from the store or run; and the
    store's notes on entries it would not reuse."""
    store = JobStore(job_store) if job_store is not None else None
    if store is not None and not resume:
        store.clear()
    keys = [(fold, spec, job_key(exp, spec, fold.name)) for fold in folds for spec in exp.algorithms]
    done = ({key: store.get(key, spec.label, fold.name) for fold, spec, key in keys}
            if resume and store is not None else {})
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
                          None if progress is None else (lambda job: progress(job, total)),
                          lost=_lost))
    jobs = [done[key] if done.get(key) is not None else next(fresh) for _, _, key in keys]
    return jobs, [] if store is None else store.rejected


def _lost(task, reason: str) -> JobResult:
    """The failed job of a task that ran out of time (``--job-timeout``) or whose worker
    process died; the store keeps nothing of it (an entry its worker wrote just before it
    was ended is removed), so ``resume`` runs it again."""
    store, key, _, spec, fold = task[:5]
    if store is not None:
        store.discard(key)
    return JobResult(spec.label, fold.name, error=f"failed: {reason}")


def _outcome(exp, folds, settings, jobs) -> Outcome:
    ok = [j for j in jobs if j.error is None and j.per_user is not None]
    per_user = pd.concat([j.per_user for j in ok], ignore_index=True) if ok else pd.DataFrame()
    fold_stats = [f.stats() for f in folds]
    counts = _counts(jobs, fold_stats)
    kernels = sorted({k for j in ok if (k := getattr(j, "kernel", None))})
    protocol = settings.protocol.describe(exp.cutoffs, counts, settings.metrics, kernels)
    protocol |= {"relevance_threshold": exp.relevance_threshold, "split": exp.split}
    clipped = _clipped_cutoffs(exp, folds)
    if clipped:
        protocol["cutoffs_clipped"] = clipped
    return Outcome(results=summarise(jobs, exp.seed), per_user=per_user, protocol=protocol,
                   folds=fold_stats, algorithms=_algorithm_records(jobs),
                   failures=[{"algorithm": j.algorithm, "fold": j.fold, "error": j.error}
                             for j in jobs if j.error is not None],
                   seeds=seed_record(exp, folds),
                   warnings=_warnings(exp, jobs, counts, exp.relevance_threshold),
                   recommendations=collect(jobs, [s.label for s in exp.algorithms])
                   if exp.save_recommendations else None,
                   tuning=None if exp.tuning is None else tuning_record(exp.tuning, jobs),
                   groups=None if exp.groups is None else _groups(exp, folds, per_user))


def _groups(exp, folds, per_user) -> dict:
    """The user groups of every fold (bin edges, sizes) and every per-user metric by group."""
    spec, of_fold, edges, sizes = exp.groups, {}, {}, {}
    for f in folds:
        users = per_user.loc[per_user["fold"] == f.name, "user"] if len(per_user) else []
        of_fold[f.name], edges[f.name] = assign(spec, f.train, users)
        sizes[f.name] = {g: int((of_fold[f.name] == g).sum()) for g in spec.names}
    metrics = tested_metrics(per_user)
    names = [g for g in spec.names if any(s[g] for s in sizes.values())]   # (none) if any
    return {"spec": spec.text, "names": names, "definition": spec.describe(),
            **({"edges": edges} if spec.kind == "activity" else {}),
            "users": {f: {g: s[g] for g in names} for f, s in sizes.items()},
            "results": group_results(per_user, of_fold, metrics, [f.name for f in folds],
                                     names, exp.seed)}


def _clipped_cutoffs(exp, folds) -> dict:
    """fold -> {cutoff: the catalog size it was computed at}, for cutoffs above a fold's
    catalog (see :func:`recbench.evaluation.ranking.clip_cutoffs`)."""
    out = {}
    for f in folds:
        n = int(f.train["item"].nunique())
        over = {str(k): n for k in exp.cutoffs if k > n}
        if over:
            out[f.name] = over
    return out


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
    out = [f"the {s['parameters']['k']}-core did not converge in {s['rounds']} rounds "
           f"(--k-core-rounds): some users or items still have fewer than "
           f"{s['parameters']['k']} interactions" for s in exp.dataset.preprocessing
           if s.get("step") == "k_core" and not s.get("converged", True)]
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
