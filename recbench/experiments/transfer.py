"""Transfer experiment: does pre-training on a source dataset help on a target dataset,
and how does that change as the target's training data shrinks?

Protocol (written into the record):

* the target is split into folds (by default 5-fold over ratings, seeded);
* in each fold one seeded permutation of the training ratings is drawn, and the first
  10%, 25%, 50%, 100% of it are the training subsets, so smaller subsets are nested in
  larger ones; the test part is always the whole test fold;
* ``TransferMLP`` is pre-trained once on the whole source dataset, then for every
  (fold, fraction) a copy is fine-tuned on the subset ("transfer"), and a network with the
  same architecture and seed is trained on the subset from random weights ("scratch");
  Surprise's ``BaselineOnly`` trained on the subset is a reference;
* RMSE and MAE on the test fold, predictions clipped to the target's rating scale;
* gain = scratch - transfer (positive: pre-training helped), mean over folds with a 95% t
  interval of the per-fold paired differences.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from recbench.algorithms.base import fit_on
from recbench.algorithms.neural.transfer_mlp import TransferMLP
from recbench.algorithms.params import check_params
from recbench.algorithms.surprise.baseline_only import BaselineOnly
from recbench.datasets import Dataset, load_dataset
from recbench.errors import ConfigError
from recbench.evaluation.rating import evaluate_ratings
from recbench.random import check_seed, derive_rng
from recbench.runtime.execution import Execution, map_jobs
from recbench.splitting import SplitSpec
from recbench.splitting.folds import part
from recbench.statistics.intervals import fold_interval

FRACTIONS = (0.1, 0.25, 0.5, 1.0)
VARIANTS = ("scratch", "transfer", "baselineonly")


@dataclass
class TransferSettings:
    fractions: tuple[float, ...] = FRACTIONS
    split: str = "kfold"
    n_folds: int = 5
    seed: int = 0
    n_jobs: int = 1
    params: dict | None = None      # TransferMLP parameters


def run_transfer(source: Dataset, target: Dataset, settings: TransferSettings) -> dict:
    params = dict(settings.params or {})
    params.setdefault("random_state", settings.seed)
    execution = Execution(settings.n_jobs)          # checked, like the split, before pre-training
    folds = SplitSpec.of(settings.split, folds=settings.n_folds if settings.split == "kfold"
                         else None).folds(target, derive_rng(settings.seed, "split"))
    pretrained = TransferMLP(**params).pretrain(source.ratings, source.items)
    tasks = [(pretrained, params, fold, target, settings) for fold in folds]
    rows = [row for rows in map_jobs(_fold_job, tasks, execution) for row in rows]
    return {"rows": rows, "summary": summarise_transfer(rows, settings.fractions),
            "protocol": protocol(settings, source, target),
            "params": TransferMLP(**params).get_params()}


def _fold_job(pretrained, params, fold, target, settings) -> list[dict]:
    order = derive_rng(settings.seed, "transfer", "fold", fold.name, "subsets").permutation(
        len(fold.train))
    rows = []
    for fraction in settings.fractions:
        n = max(1, int(round(fraction * len(fold.train))))
        subset = part(fold.train, np.sort(order[:n]))
        models = {"scratch": TransferMLP(**params),
                  "transfer": copy.deepcopy(pretrained),
                  "baselineonly": BaselineOnly()}
        for variant in VARIANTS:
            algo = fit_on(models[variant], subset, target.items)
            _, values, counts, _ = evaluate_ratings(algo, subset, fold.test, target.rating_scale)
            rows.append({"fold": fold.name, "fraction": fraction, "n_train": n,
                         "variant": variant, "rmse": values["rmse"], "mae": values["mae"],
                         "fallback_share": values["fallback_share"]})
    return rows


def summarise_transfer(rows: list[dict], fractions) -> list[dict]:
    """One record per fraction: each variant's mean RMSE/MAE over folds and the gains."""
    out = []
    for fraction in fractions:
        mine = [r for r in rows if r["fraction"] == fraction]
        folds = sorted({r["fold"] for r in mine})
        rec = {"fraction": fraction,
               "n_train": int(np.mean([r["n_train"] for r in mine])), "folds": len(folds)}
        by = {(r["fold"], r["variant"]): r for r in mine}
        for metric in ("rmse", "mae"):
            for variant in VARIANTS:
                rec[f"{variant}_{metric}"] = fold_interval(
                    [by[(f, variant)][metric] for f in folds])[0]
            gains = [by[(f, "scratch")][metric] - by[(f, "transfer")][metric] for f in folds]
            mean, _, lo, hi = fold_interval(gains)
            rec[f"gain_{metric}"], rec[f"gain_{metric}_ci"] = mean, [lo, hi]
        out.append(rec)
    return out


def protocol(settings: TransferSettings, source: Dataset, target: Dataset) -> dict:
    return {
        "source": source.provenance.to_dict(),
        "target": target.provenance.to_dict(),
        "split": settings.split,
        "n_folds": settings.n_folds if settings.split == "kfold" else None,
        "fractions": list(settings.fractions),
        "seed": settings.seed,
        "subsets": "one seeded permutation of each training fold; the first fraction of it "
                   "(nested subsets); the test fold is never reduced",
        "variants": {"scratch": "TransferMLP trained on the subset from random weights",
                     "transfer": "TransferMLP pre-trained on the whole source dataset, "
                                 "then fine-tuned on the subset (warm start)",
                     "baselineonly": "Surprise BaselineOnly on the subset (reference)"},
        "metrics": "RMSE and MAE over every test rating of the fold, predictions clipped to "
                   "the target's rating scale; users or items absent from the subset get "
                   "the model's fallback prediction",
        "gain": "scratch minus transfer, per fold; mean and 95% t interval over folds",
    }


def transfer_study(source="ml-latest-small", target="ml-100k", *, fractions=FRACTIONS,
                   split: str = "kfold", folds: int = 5, seed: int = 0, n_jobs: int = 1,
                   params: dict | None = None, data_dir=None) -> dict:
    """Check the settings, load both datasets and run the study; its outcome (rows, summary,
    protocol and parameters), which :mod:`recbench.reporting.transfer` records and renders."""
    check_seed(seed)
    fractions = tuple(sorted(fractions))
    if not fractions or any(not isinstance(f, (int, float)) or not 0 < f <= 1 for f in fractions):
        raise ConfigError(f"--fractions {list(fractions)!r}: every share must be in (0, 1].")
    unknown = sorted(set(params or {}) - set(TransferMLP.param_names()))
    if unknown:
        raise ConfigError(f"mlp-transfer has no parameter {unknown[0]!r}; its parameters: "
                          f"{', '.join(TransferMLP.param_names())}.")
    check_params("mlp-transfer", TransferMLP, params or {})
    src = load_dataset(source, data_dir, option="--source")
    tgt = load_dataset(target, data_dir, option="--target")
    return run_transfer(src, tgt, TransferSettings(fractions, split, folds, seed, n_jobs, params))
