"""The experiment of ``recbench eval``: predictions made elsewhere on one train/test split
(a registered dataset with a split, or two rating files) become the algorithms of an ordinary
experiment (see :mod:`recbench.evaluation.external`); ``recbench.evaluate_predictions`` runs it
and builds the record like any other."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from recbench.algorithms.spec import AlgorithmSpec
from recbench.datasets import CsvOptions, from_frame, load_dataset
from recbench.datasets.custom import read_custom
from recbench.datasets.dataset import make_dataset
from recbench.errors import ConfigError
from recbench.evaluation.recommendations import check_list_length
from recbench.experiments.experiment import Experiment, validate
from recbench.experiments.external.files import read_predictions
from recbench.experiments.external.ids import check_ids
from recbench.experiments.external.systems import (
    RULES,
    ExternalSystem,
    check_missing,
    counts,
    gather,
)
from recbench.random import check_seed, derive_rng
from recbench.runtime.execution import Execution
from recbench.splitting import SplitSpec


def prepare(predictions, *, ks, train=None, test=None, dataset=None, split=None,
            data_dir=None, csv=None, verify_data: bool = True,
            metrics=None, relevance_threshold=None, seed: int = 0,
            missing_predictions: str = "error", save_recommendations=None, n_jobs: int = 1,
            threads=None, **split_options):
    """The validated experiment that evaluates ``predictions`` ({label: source or [sources]},
    a source being a file path or a DataFrame) on one train/test split, and what the record
    adds about them (see :func:`annotate`). Every file is read and checked here, before any
    work."""
    check_missing(missing_predictions)
    check_list_length(save_recommendations)
    check_seed(seed)
    sources = _sources(predictions)
    ds, split = _data(train, test, dataset, split, data_dir, csv, verify_data)
    splitting = SplitSpec.of(split, **split_options)
    folds = splitting.folds(ds, derive_rng(seed, "split"))
    if len(folds) != 1:
        hint = (f"name one fold, e.g. --split {folds[0].name}" if folds[0].name in ds.predefined_folds
                else "use --split holdout (with the --seed the predictions were made for), or "
                     "give the train and test parts with --train FILE --test FILE")
        raise ConfigError(f"--split {split} makes {len(folds)} folds; predictions made elsewhere "
                          f"are evaluated on one train/test split: {hint}.")
    exp = Experiment(ds, [], splitting, ks=ks,
                     threshold=relevance_threshold, seed=seed,
                     metrics=None if metrics is None else list(metrics),
                     execution=Execution(n_jobs, threads),
                     save_recommendations=save_recommendations)
    validate(exp)
    systems = {label: gather(label, [read_predictions(s, label, folds[0].name) for s in files])
               for label, files in sources.items()}
    test_name = (str(test) if test is not None and not isinstance(test, pd.DataFrame)
                 else f"the test part of {ds.name}" if test is None else "the test DataFrame")
    for s in systems.values():
        check_ids(folds[0], s, test_name)
    found = {label: counts(folds[0], s, exp.relevance_threshold, missing_predictions)
             for label, s in systems.items()}
    exp.algorithms = [AlgorithmSpec(label, "recbench.experiments.external.systems:ExternalSystem", {},
                                    instance=ExternalSystem(s, missing_predictions))
                      for label, s in systems.items()]
    return exp, {"systems": systems, "counts": found, "missing": missing_predictions}


def annotate(outcome, facts: dict) -> None:
    """Put each system's files and counts into the outcome's algorithm records and protocol."""
    described = {}
    for entry in outcome.algorithms:
        label = entry["algorithm"]
        files = [f.info() for f in facts["systems"][label].files]
        entry["params"] = {"files": files, "missing_predictions": facts["missing"]}
        entry["external"] = facts["counts"][label]
        described[label] = {"files": files, "counts": facts["counts"][label]}
        c = facts["counts"][label]
        if c.get("unlisted_candidates_ranked_last"):
            listed, unlisted = c["listed_candidates"], c["unlisted_candidates_ranked_last"]
            outcome.warnings.append(
                f"{label}'s ranking lists {listed:,} of its users' {listed + unlisted:,} "
                f"candidates; the other {unlisted:,} are ranked after them by the tie keys, so "
                f"its full-ranking metrics (AUC, MRR) and any metric at a k above a list's "
                f"length are not the values of its full ranking"
                + (f"; {c['test_pairs_not_listed']:,} of its ranked users' "
                   f"{c['test_pairs_of_ranked_users']:,} test pairs have no score in its file."
                   if c.get("test_pairs_not_listed") else "."))
        if c.get("test_pairs_given_the_training_mean"):
            n = c["test_pairs_given_the_training_mean"]
            outcome.warnings.append(
                f"{label} has no rating prediction for {n:,} of the "
                f"{n + c['rating_predictions_used']:,} test pairs; they were given the training "
                f"mean (--missing-predictions global-mean).")
    outcome.protocol["external_predictions"] = {"rules": RULES,
                                                "missing_predictions": facts["missing"],
                                                "systems": described}


def _sources(predictions) -> dict[str, list]:
    if not isinstance(predictions, dict) or not predictions:
        raise ConfigError("predictions must be a dict {label: file path, DataFrame or a list of "
                          "them}, with at least one system (on the command line: LABEL=PATH).")
    out: dict[str, list] = {}
    for label, given in predictions.items():
        name = str(label).strip().lower()
        if not name or not all(c.isalnum() or c in "._+-" for c in name):
            raise ConfigError(f"system label {label!r} is invalid; use letters, digits, '.', "
                              f"'_', '+' and '-' (LABEL=PATH, e.g. svd=predictions.csv).")
        if name in out:
            raise ConfigError(f"two systems are labelled {name!r}; give each its own label.")
        items = list(given) if isinstance(given, (list, tuple)) else [given]
        if not items:
            raise ConfigError(f"system {name!r} has no prediction file.")
        out[name] = items
    return out


def _data(train, test, dataset, split, data_dir, csv, verify_data):
    """The dataset and the name of its one split: a registered dataset (or rating file) with
    ``split``, or the ``train`` and ``test`` parts."""
    if dataset is not None:
        if train is not None or test is not None:
            raise ConfigError("give either a dataset with a split or the train and test parts, "
                              "not both.")
        if split is None:
            raise ConfigError("a dataset needs the split the predictions were made on, e.g. "
                              "--split u1 for ml-100k.")
        return load_dataset(dataset, data_dir, csv, **({} if verify_data else {"verify": False})), split
    if train is None or test is None:
        raise ConfigError("give the training and test parts (--train FILE --test FILE), or a "
                          "dataset with a split (--dataset ml-100k --split u1).")
    if split is not None:
        raise ConfigError("--split applies to --dataset; with --train and --test the test part "
                          "is the split.")
    ds = given_split(train, test, csv)
    return ds, next(iter(ds.predefined_folds))


def given_split(train, test, csv=None):
    """One dataset of a training and a test part (rating files or DataFrames) with one
    predefined fold, named after the test file (``test`` for a DataFrame). The test part is
    read on the training part's rating scale unless ``csv.rating_scale`` gives one."""
    def part(source, scale, option):
        if isinstance(source, pd.DataFrame):
            return from_frame(source, "dataframe", rating_scale=scale)
        opts = dataclasses.replace(csv or CsvOptions(), rating_scale=scale)
        return read_custom(Path(source), opts, option)

    tr = part(train, csv.rating_scale if csv else None, "--train")
    te = part(test, tr.rating_scale, "--test")
    fold = "test" if isinstance(test, pd.DataFrame) else \
        "".join(c if c.isalnum() or c in "._+-" else "_" for c in Path(test).stem) or "test"
    n, m = len(tr.ratings), len(te.ratings)
    digest = hashlib.sha256(f"{tr.provenance.sha256}\n{te.provenance.sha256}".encode()).hexdigest()
    ratings = pd.concat([tr.ratings, te.ratings], ignore_index=True)
    return make_dataset(f"{tr.name}+{te.name}", ratings, tr.items, tr.rating_scale,
                        f"train {tr.provenance.source}; test {te.provenance.source}", digest,
                        predefined_folds={fold: (np.arange(n), np.arange(n, n + m))})
