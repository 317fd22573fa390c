"""Splits of a dataset into train/test folds."""

from __future__ import annotations

import numpy as np

from recbench.datasets import Dataset
from recbench.errors import ConfigError
from recbench.splitting.folds import Fold, holdout, kfold, per_user, predefined, temporal

SPLITS = {
    "kfold": "random k-fold over ratings (--folds N, default 5)",
    "holdout": "one random split over ratings (--test-size, default 0.2)",
    "user": "per-user holdout: --leave-out K ratings or --test-size share of each user",
    "temporal": "global split by timestamp: the latest --test-size share is the test part",
    "u1..u5, ua, ub": "an ml-100k predefined fold; 'u1-u5' runs all five as folds",
}

__all__ = ["Fold", "make_folds", "SPLITS"]


def make_folds(dataset: Dataset, split: str = "kfold", rng: np.random.Generator | None = None,
               n_folds: int = 5, test_size: float | None = None,
               leave_out: int | None = None) -> list[Fold]:
    rng = rng if rng is not None else np.random.default_rng(0)
    r = dataset.ratings
    if split == "kfold":
        return kfold(r, n_folds, rng)
    if split == "holdout":
        return holdout(r, test_size or 0.2, rng)
    if split == "user":
        return per_user(r, rng, test_size=(test_size or 0.2) if leave_out is None else None,
                        leave_out=leave_out)
    if split == "temporal":
        return temporal(r, test_size or 0.2)
    if split == "u1-u5":
        return predefined(dataset, ["u1", "u2", "u3", "u4", "u5"])
    if split in {"u1", "u2", "u3", "u4", "u5", "ua", "ub"}:
        return predefined(dataset, [split])
    raise ConfigError(f"unknown --split {split!r}; use one of kfold, holdout, user, temporal, "
                      f"u1..u5, u1-u5, ua, ub.")
