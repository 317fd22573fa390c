"""Tuning nested inside one training fold; the job then refits the best trial on the whole
training fold and evaluates it once on the test fold, through the normal job path.

:func:`tune` is given the training part only - never the test part - so nothing the tuner
does can depend on test ratings. It carves a validation part out of the training part (per
user, a random ``validation_share`` of the user's ratings, rounded, at least one while the
user keeps one; :func:`recbench.splitting.folds.per_user`), fits every trial on the rest and
scores it on the validation part with the evaluators of the test fold (``evaluate_ranking``
/ ``evaluate_ratings``: the same candidates, relevance threshold and seeded tie-breaking).

Seeds, each from :func:`recbench.random.derive_seed` under the run's root seed and the keys
``("fold", fold, "algorithm", label, ...)`` of the tuned row's label: ``"validation"`` (the
carve), ``"validation", "ties"`` (the validation tie keys, the same for every trial) and
``"sampler", trial`` (TPE). The algorithm's ``random_state`` (when it has one left unset) is
the default row's, ``("fold", fold, "algorithm", base label)``, in every trial and in the
refit: the tuned and the default row differ by their parameters only, so a tuned row whose
best trial is the defaults equals the default row.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from recbench.algorithms import AlgorithmUnavailable
from recbench.algorithms.base import clone, fit_on
from recbench.algorithms.spec import AlgorithmSpec, build, spec_class
from recbench.errors import failure_reason
from recbench.evaluation.ranking import evaluate_ranking
from recbench.evaluation.rating import evaluate_ratings
from recbench.random import derive_rng, derive_seed
from recbench.splitting.per_user import per_user
from recbench.tuning.study import best_trial, optimise


@dataclass
class Tuned:
    record: dict            # what the run record keeps for this (algorithm, fold)
    seconds: float          # the trials' time: fits and validation scoring
    best: dict | None       # the best trial's parameters (None: every trial failed)


def seeds(spec, fold_name: str, root: int) -> dict:
    keys = ("fold", fold_name, "algorithm", spec.label)
    return {"validation": derive_seed(root, *keys, "validation"),
            "validation_ties": derive_seed(root, *keys, "validation", "ties"),
            "sampler": f"derive_seed(root, 'fold', {fold_name!r}, 'algorithm', {spec.label!r}, "
                       f"'sampler', trial), one per trial",
            "random_state": derive_seed(root, "fold", fold_name, "algorithm", spec.base)}


def build_trial(spec, params: dict, random_state: int):
    """A fresh algorithm with the fixed parameters and ``params``, seeded as its job would be."""
    if spec.instance is not None:
        algo = clone(spec.instance).set_params(**(dict(spec.fixed) | params))
    else:
        algo = build(dataclasses.replace(spec, params=dict(spec.params) | params))
    current = algo.get_params()
    if "random_state" in current and current["random_state"] is None:
        algo.set_params(random_state=random_state)
    return algo


def validation_score(algo, fit_part, valid, metric, settings, rng, items=None) -> float:
    """``metric`` of a fitted ``algo`` on the validation part, as the test evaluation
    computes it (ranking metrics: the mean over ranked users)."""
    if metric.metric.kind == "rating":
        _, values, _, _ = evaluate_ratings(algo, fit_part, valid, settings.rating_scale, [metric])
        return values[metric.name]
    out = evaluate_ranking(algo, fit_part, valid, [metric], settings.protocol, rng, items=items)
    if metric.metric.kind == "list":
        return out.fold_values[metric.name]
    column = out.per_user.get(metric.name)
    if column is None or column.notna().sum() == 0:
        return float("nan")
    return float(np.nanmean(column.to_numpy(float)))


def tune(spec, fold_name: str, train, items, settings, journal=None,
         verbose: bool = False) -> Tuned:
    """Tune ``spec`` (a :class:`~recbench.tuning.settings.TunedSpec`) on ``train``, the
    training part of fold ``fold_name``. ``journal``: the Optuna journal file that keeps
    every finished trial (None: in memory)."""
    t = spec.tuning
    metric = t.objective_spec()
    direction = "maximize" if metric.higher_is_better else "minimize"
    seed = seeds(spec, fold_name, settings.seed)
    keys = ("fold", fold_name, "algorithm", spec.label)
    part = per_user(train, derive_rng(settings.seed, *keys, "validation"),
                    test_size=t.validation_share)[0]
    fit_part, valid = part.train, part.test

    def objective(params):
        algo = build_trial(spec, params, seed["random_state"])
        fit_on(algo, fit_part, items)
        return validation_score(algo, fit_part, valid, metric, settings,
                                derive_rng(settings.seed, *keys, "validation", "ties"), items)

    trials = optimise(objective, spec.space, spec.start, t.trials, direction,
                      lambda i: derive_seed(settings.seed, *keys, "sampler", i),
                      t.n_startup_trials(), journal, verbose=verbose)
    best = best_trial(trials, direction)
    described = spec.describe_tuning()
    record = {"algorithm": spec.label, "base": spec.base, "fold": fold_name,
              "space": described["space"], "fixed": described["fixed"],
              "defaults": described["defaults"], "seeds": seed,
              "validation": {"fit_ratings": int(len(fit_part)),
                             "validation_ratings": int(len(valid)),
                             "validation_users": int(valid["user"].nunique())},
              "best": None if best is None else {"trial": best.trial, "params": best.params,
                                                  "value": best.value},
              "completed": sum(x.state == "complete" for x in trials),
              "failed": sum(x.state == "failed" for x in trials),
              "seconds": float(sum(x.seconds for x in trials)),
              "trials": [x.to_dict() for x in trials]}
    return Tuned(record, record["seconds"], None if best is None else dict(best.params))


def tune_in_fold(spec, fold, items, settings, result, journal=None, verbose: bool = False):
    """The tuning step of a tuned job: fills ``result.tuning`` and its ``tune_time_s`` and
    returns the spec to refit on the whole training fold, or None (``result.error`` says why)."""
    try:
        tuned = tune(spec, fold.name, fold.train, items, settings, journal, verbose)
    except AlgorithmUnavailable as exc:
        result.error = f"unavailable: {exc}"
        return None
    except (Exception, SystemExit) as exc:     # a failing tuner is one failed job
        result.error = f"failed: while tuning: {failure_reason(exc, verbose)}"
        return None
    result.tuning = tuned.record
    result.values["tune_time_s"] = tuned.seconds
    if tuned.best is None:
        first = tuned.record["trials"][0]["error"] if tuned.record["trials"] else "no trial ran"
        result.error = (f"failed: while tuning: all {spec.tuning.trials} trials failed "
                        f"(trial 0: {first})")
        return None
    best = dict(spec.fixed) | tuned.best
    cls = spec_class(spec)
    given = spec.instance.get_params() if spec.instance is not None else spec.params
    if "random_state" in cls.param_names() and given.get("random_state") is None:
        best["random_state"] = result.seed = tuned.record["seeds"]["random_state"]
    if spec.instance is not None:
        return AlgorithmSpec(spec.label, spec.name, dict(spec.params) | best,
                             instance=clone(spec.instance).set_params(**best))
    return AlgorithmSpec(spec.label, spec.name, dict(spec.params) | best, cls=spec.cls)
