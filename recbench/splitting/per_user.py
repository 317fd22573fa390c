"""Per-user holdouts: ``--split user`` holds out each user's ``--leave-out`` ratings, or a
``--test-size`` share of them, at random; ``--split user-temporal`` holds out each user's
latest ones (leave-last-out). At least one rating of each user stays in training."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recbench.errors import ConfigError
from recbench.splitting.folds import Fold, check_share, check_timestamps, fold_from_mask
from recbench.splitting.registry import Splitter, register


def per_user(ratings: pd.DataFrame, rng: np.random.Generator, test_size: float | None = None,
             leave_out: int | None = None) -> list[Fold]:
    """Per-user holdout: each user's ``leave_out`` ratings, or ``test_size`` share of them
    (rounded, at least one while the user keeps one in training), go to the test part."""
    _check_amount(test_size, leave_out)
    key = rng.random(len(ratings))
    order = np.lexsort((key, ratings["user"].to_numpy()))
    name = f"user-leave{leave_out}out" if leave_out is not None else f"user-{test_size:g}"
    return [fold_from_mask(ratings, name, _first_of_each_user(ratings, order, test_size,
                                                              leave_out))]


def user_temporal(ratings: pd.DataFrame, rng: np.random.Generator,
                  test_size: float | None = None, leave_out: int | None = None) -> list[Fold]:
    """Per-user leave-last-out: each user's ``leave_out`` latest ratings, or latest
    ``test_size`` share (rounded, at least one while the user keeps one in training), go to
    the test part. Ratings of one user with equal timestamps are ordered by a random key
    drawn from ``rng`` (the run's seed), so a tie at the cut is broken the same way by every
    run with that seed, and by no property of the data (not file order, not the item id)."""
    _check_amount(test_size, leave_out)
    check_timestamps(ratings)
    key = rng.random(len(ratings))
    latest_first = -ratings["timestamp"].to_numpy(dtype=np.int64)
    order = np.lexsort((key, latest_first, ratings["user"].to_numpy()))
    name = (f"user-temporal-leave{leave_out}out" if leave_out is not None
            else f"user-temporal-{test_size:g}")
    return [fold_from_mask(ratings, name, _first_of_each_user(ratings, order, test_size,
                                                              leave_out))]


def _check_amount(test_size, leave_out) -> None:
    if (test_size is None) == (leave_out is None):
        raise ConfigError("a per-user split needs exactly one of --test-size or --leave-out.")
    if test_size is not None:
        check_share(test_size)


def _first_of_each_user(ratings: pd.DataFrame, order: np.ndarray, test_size, leave_out):
    """The test mask: the first ``leave_out`` (or ``test_size`` share) of each user's ratings
    in ``order`` (an ordering grouped by user), never all of a user's ratings."""
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
    return mask


def _maker(split, name: str):
    def make(ratings, rng, test_size=None, leave_out=None):
        if test_size is not None and leave_out is not None:
            raise ConfigError(f"--split {name} takes --test-size or --leave-out, not both; "
                              f"give one.")
        return split(ratings, rng, test_size=0.2 if test_size is None and leave_out is None
                     else test_size, leave_out=leave_out)
    return make


register(Splitter("user", "per-user holdout: --leave-out K ratings or --test-size share of each user",
                  _maker(per_user, "user"), ("test_size", "leave_out")))
register(Splitter("user-temporal", "per-user leave-last-out: each user's --leave-out K latest "
                  "ratings or latest --test-size share (ties at the cut: a seeded random order)",
                  _maker(user_temporal, "user-temporal"), ("test_size", "leave_out"),
                  needs_timestamps=True))
