"""Random splits over ratings: ``kfold`` (each rating in exactly one test part) and ``holdout``
(one random split). Both draw from the run's split generator only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recbench.errors import ConfigError
from recbench.splitting.folds import Fold, check_share, fold_from_mask
from recbench.splitting.registry import Splitter, register


def kfold(ratings: pd.DataFrame, n_folds: int, rng: np.random.Generator) -> list[Fold]:
    """Random k-fold over ratings: each rating is in exactly one test part."""
    if not 2 <= n_folds <= len(ratings):
        raise ConfigError(f"--folds {n_folds} is invalid; use a number from 2 to {len(ratings)}.")
    assignment = np.empty(len(ratings), dtype=np.int64)
    assignment[rng.permutation(len(ratings))] = np.arange(len(ratings)) % n_folds
    return [fold_from_mask(ratings, f"fold{f + 1}", assignment == f) for f in range(n_folds)]


def holdout(ratings: pd.DataFrame, test_size: float, rng: np.random.Generator) -> list[Fold]:
    """One random split of the ratings; ``test_size`` is the test share."""
    check_share(test_size)
    n_test = int(round(test_size * len(ratings)))
    mask = np.zeros(len(ratings), dtype=bool)
    mask[rng.choice(len(ratings), n_test, replace=False)] = True
    return [fold_from_mask(ratings, "holdout", mask)]


register(Splitter("kfold", "random k-fold over ratings (--folds N, default 5)",
                  lambda r, rng, folds: kfold(r, folds, rng), ("folds",), {"folds": 5}))
register(Splitter("holdout", "one random split over ratings (--test-size, default 0.2)",
                  lambda r, rng, test_size: holdout(r, test_size, rng), ("test_size",),
                  {"test_size": 0.2}))
