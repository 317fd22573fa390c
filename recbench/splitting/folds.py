"""Folds: a train/test pair of fold parts, as every splitter returns them.

Training rows keep the order of the source file, so a Surprise model trained on a fold sees
the ratings in the same order as when Surprise reads the fold's file itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

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


def fold_from_mask(ratings: pd.DataFrame, name: str, test_mask: np.ndarray) -> Fold:
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


def check_share(test_size: float) -> None:
    if not 0 < test_size < 1:
        raise ConfigError(f"--test-size {test_size} is invalid; give a share between 0 and 1.")


def check_timestamps(ratings: pd.DataFrame, split: str = "temporal") -> None:
    """Refuse a split by time (``split``) of ratings without a timestamp on every rating."""
    ts = ratings["timestamp"] if "timestamp" in ratings else pd.Series(pd.NA, index=ratings.index)
    missing = int(ts.isna().sum())
    if missing:
        what = "has none" if missing == len(ts) else f"lacks {missing:,} of {len(ts):,}"
        raise ConfigError(f"--split {split} needs a timestamp on every rating, and this "
                          f"dataset {what}; name the column with --timestamp-col (timestamp_col "
                          f"in [csv]) or choose another --split.")
