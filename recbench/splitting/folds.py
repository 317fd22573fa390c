"""Train/test splits. Every splitter returns a list of :class:`Fold`.

All random splitters take a ``numpy.random.Generator``; the same generator state gives the
same folds, and a run makes the folds once and hands them to every algorithm.
Training rows keep the order of the source file, so a Surprise model trained on a fold sees
the ratings in the same order as when Surprise reads the fold's file itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recbench.datasets import Dataset
from recbench.errors import ConfigError


@dataclass(frozen=True)
class Fold:
    name: str
    train: pd.DataFrame
    test: pd.DataFrame

    def stats(self) -> dict:
        """Counts that describe the fold, including test-only (cold-start) users and items."""
        tr_users, tr_items = set(self.train["user"]), set(self.train["item"])
        te_users, te_items = set(self.test["user"]), set(self.test["item"])
        cold = ~self.test["user"].isin(tr_users) | ~self.test["item"].isin(tr_items)
        return {
            "fold": self.name,
            "train_ratings": int(len(self.train)),
            "test_ratings": int(len(self.test)),
            "test_users": len(te_users),
            "test_only_users": len(te_users - tr_users),
            "test_only_items": len(te_items - tr_items),
            "test_ratings_with_unknown_user_or_item": int(cold.sum()),
        }


def _fold(ratings: pd.DataFrame, name: str, test_mask: np.ndarray) -> Fold:
    return Fold(name, part(ratings, ~test_mask), part(ratings, test_mask))


def part(ratings: pd.DataFrame, rows) -> pd.DataFrame:
    """The rows (a boolean mask or positions) as a fold part, as algorithms receive it:
    ``user`` and ``item`` categorical with only the ids this part holds as categories (so
    ``value_counts`` and ``groupby`` see no absent ids), ``rating`` float64."""
    rows = np.asarray(rows)
    frame = (ratings[rows] if rows.dtype == bool else ratings.iloc[rows]).reset_index(drop=True)
    for col in ("user", "item"):
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].cat.remove_unused_categories()
    frame["rating"] = frame["rating"].astype(np.float64)
    return frame


def kfold(ratings: pd.DataFrame, n_folds: int, rng: np.random.Generator) -> list[Fold]:
    """Random k-fold over ratings: each rating is in exactly one test part."""
    if not 2 <= n_folds <= len(ratings):
        raise ConfigError(f"--folds {n_folds} is invalid; use a number from 2 to {len(ratings)}.")
    assignment = np.empty(len(ratings), dtype=np.int64)
    assignment[rng.permutation(len(ratings))] = np.arange(len(ratings)) % n_folds
    return [_fold(ratings, f"fold{f + 1}", assignment == f) for f in range(n_folds)]


def holdout(ratings: pd.DataFrame, test_size: float, rng: np.random.Generator) -> list[Fold]:
    """One random split of the ratings; ``test_size`` is the test share."""
    _check_share(test_size)
    n_test = int(round(test_size * len(ratings)))
    mask = np.zeros(len(ratings), dtype=bool)
    mask[rng.choice(len(ratings), n_test, replace=False)] = True
    return [_fold(ratings, "holdout", mask)]


def per_user(ratings: pd.DataFrame, rng: np.random.Generator, test_size: float | None = None,
             leave_out: int | None = None) -> list[Fold]:
    """Per-user holdout: each user's ``leave_out`` ratings, or ``test_size`` share of them
    (rounded, at least one while the user keeps one in training), go to the test part."""
    if (test_size is None) == (leave_out is None):
        raise ConfigError("a per-user split needs exactly one of --test-size or --leave-out.")
    if test_size is not None:
        _check_share(test_size)
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
    return [_fold(ratings, name, mask)]


def check_timestamps(ratings: pd.DataFrame) -> None:
    """Refuse a temporal split of ratings without a timestamp on every rating."""
    ts = ratings["timestamp"] if "timestamp" in ratings else pd.Series(pd.NA, index=ratings.index)
    missing = int(ts.isna().sum())
    if missing:
        what = "has none" if missing == len(ts) else f"lacks {missing:,} of {len(ts):,}"
        raise ConfigError(f"--split temporal needs a timestamp on every rating, and this "
                          f"dataset {what}; name the column with --timestamp-col (timestamp_col "
                          f"in [csv]) or choose another --split.")


def temporal(ratings: pd.DataFrame, test_size: float) -> list[Fold]:
    """Global temporal split: the latest ``test_size`` share of ratings is the test part."""
    _check_share(test_size)
    check_timestamps(ratings)
    ts = ratings["timestamp"]
    order = np.argsort(ts.to_numpy(dtype=np.int64), kind="stable")
    mask = np.zeros(len(ratings), dtype=bool)
    mask[order[len(order) - int(round(test_size * len(order))):]] = True
    return [_fold(ratings, "temporal", mask)]


def predefined(dataset: Dataset, names: list[str]) -> list[Fold]:
    """The dataset's own folds (ml-100k ``u1``..``u5``, ``ua``, ``ub``), rows in file order."""
    out = []
    for name in names:
        if name not in dataset.predefined_folds:
            have = ", ".join(dataset.predefined_folds) or "none"
            raise ConfigError(f"--split {name}: {dataset.name} has no predefined fold {name!r} "
                              f"(it has: {have}).")
        train_rows, test_rows = dataset.predefined_folds[name]
        out.append(Fold(name, part(dataset.ratings, train_rows),
                        part(dataset.ratings, test_rows)))
    return out


def _check_share(test_size: float) -> None:
    if not 0 < test_size < 1:
        raise ConfigError(f"--test-size {test_size} is invalid; give a share between 0 and 1.")
