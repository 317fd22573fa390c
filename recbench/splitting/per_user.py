"""``--split user``: a per-user random holdout (each user's ``--leave-out`` ratings, or a
``--test-size`` share of them)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recbench.errors import ConfigError
from recbench.splitting.folds import Fold, check_share, fold_from_mask
from recbench.splitting.registry import Splitter, register


def per_user(ratings: pd.DataFrame, rng: np.random.Generator, test_size: float | None = None,
             leave_out: int | None = None) -> list[Fold]:
    """Per-user holdout: each user's ``leave_out`` ratings, or ``test_size`` share of them
    (rounded, at least one while the user keeps one in training), go to the test part."""
    if (test_size is None) == (leave_out is None):
        raise ConfigError("a per-user split needs exactly one of --test-size or --leave-out.")
    if test_size is not None:
        check_share(test_size)
    key = rng.random(len(ratings))
    order = np.lexsort((key, ratings["user"].to_numpy()))
    users = ratings["user"].to_numpy()[order]
    starts = np.r_[0, np.flatnonzero(users[1:] != users[:-1]) + 1]
    sizes = np.diff(np.r_[starts, len(users)])
    rank = np.arange(len(users)) - np.repeat(starts, sizes)
    if leave_out is not None:
        n_test = np.minimum(leave_out, sizes - 1)
    else:
        n_test = np.minimum(np.maximum(np.round(test_size * sizes), 1), sizes - 1)
    mask = np.zeros(len(ratings), dtype=bool)
    mask[order] = rank < np.repeat(n_test, sizes)
    name = f"user-leave{leave_out}out" if leave_out is not None else f"user-{test_size:g}"
    return [fold_from_mask(ratings, name, mask)]


def _make(ratings, rng, test_size=None, leave_out=None):
    if test_size is not None and leave_out is not None:
        raise ConfigError("--split user takes --test-size or --leave-out, not both; give one.")
    return per_user(ratings, rng, test_size=0.2 if test_size is None and leave_out is None
                    else test_size, leave_out=leave_out)


register(Splitter("user", "per-user holdout: --leave-out K ratings or --test-size share of each user",
                  _make, ("test_size", "leave_out")))
