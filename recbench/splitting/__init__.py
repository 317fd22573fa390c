"""Splits of a dataset into train/test folds.

The random splitters are named in :data:`SPLITTERS`; a dataset's predefined folds (ml-100k's
``u1``..``u5``, ``ua``, ``ub``, and groups such as ``u1-u5``) are a property of the dataset
(``Dataset.predefined_folds`` and ``Dataset.fold_groups``), not a special case here.
"""

from __future__ import annotations

import numpy as np

from recbench.datasets import Dataset
from recbench.errors import ConfigError
from recbench.splitting.folds import Fold, holdout, kfold, per_user, predefined, temporal

#: split name -> (description, the options it uses, fn(ratings, rng, n_folds, test_size, leave_out))
SPLITTERS = {
    "kfold": ("random k-fold over ratings (--folds N, default 5)", {"n_folds"},
              lambda r, rng, n, size, leave: kfold(r, 5 if n is None else n, rng)),
    "holdout": ("one random split over ratings (--test-size, default 0.2)", {"test_size"},
                lambda r, rng, n, size, leave: holdout(r, size or 0.2, rng)),
    "user": ("per-user holdout: --leave-out K ratings or --test-size share of each user",
             {"test_size", "leave_out"},
             lambda r, rng, n, size, leave: per_user(
                 r, rng, test_size=(size or 0.2) if leave is None else None, leave_out=leave)),
    "temporal": ("global split by timestamp: the latest --test-size share is the test part",
                 {"test_size"}, lambda r, rng, n, size, leave: temporal(r, size or 0.2)),
}
SPLITS = {name: entry[0] for name, entry in SPLITTERS.items()} | {
    "<predefined>": "a dataset's own folds, e.g. ml-100k's u1..u5, ua, ub, or u1-u5 for all five"}

__all__ = ["Fold", "make_folds", "split_names", "SPLITS", "SPLITTERS"]


def split_names(dataset: Dataset) -> list[str]:
    return [*SPLITTERS, *dataset.predefined_folds, *dataset.fold_groups]


def check_split(dataset: Dataset, split: str, n_folds=None, test_size=None,
                leave_out=None) -> None:
    """Reject an unknown split, or an option the split does not use, before any work."""
    if split in dataset.predefined_folds or split in dataset.fold_groups:
        uses = set()
    elif split in SPLITTERS:
        uses = SPLITTERS[split][1]
    else:
        raise ConfigError(f"unknown --split {split!r} for {dataset.name}; use one of "
                          f"{', '.join(split_names(dataset))}.")
    if split == "temporal" and split not in dataset.predefined_folds:
        from recbench.splitting.folds import check_timestamps
        check_timestamps(dataset.ratings)
    given = {"n_folds": n_folds, "test_size": test_size, "leave_out": leave_out}
    flags = {"n_folds": "--folds", "test_size": "--test-size", "leave_out": "--leave-out"}
    for key, value in given.items():
        if value is not None and key not in uses:
            raise ConfigError(f"{flags[key]} does not apply to --split {split}; leave it out "
                              f"(it applies to: " + ", ".join(
                                  s for s, entry in SPLITTERS.items() if key in entry[1]) + ").")


def make_folds(dataset: Dataset, split: str = "kfold", rng: np.random.Generator | None = None,
               n_folds: int | None = 5, test_size: float | None = None,
               leave_out: int | None = None) -> list[Fold]:
    rng = rng if rng is not None else np.random.default_rng(0)
    if split in dataset.fold_groups:
        return predefined(dataset, list(dataset.fold_groups[split]))
    if split in dataset.predefined_folds:
        return predefined(dataset, [split])
    check_split(dataset, split)
    return SPLITTERS[split][2](dataset.ratings, rng, n_folds, test_size, leave_out)
