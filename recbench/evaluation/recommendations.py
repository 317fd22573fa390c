"""Recommendation lists: each evaluated user's top-K candidates, kept from the ranking the
metrics were computed on (``evaluate_ranking(..., keep=K)``).

Nothing is re-sorted here: a list is the top of the kernel's ranking (raw score descending,
ties broken by the fold's seeded keys), so rank r of a list is the item every rank-based
metric saw at rank r.
A list is shorter than K only when the user has fewer than K candidates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recbench.errors import ConfigError

COLUMNS = ["algorithm", "fold", "user", "item", "rank", "score"]


def check_list_length(k) -> None:
    """``save_recommendations``: None (keep no lists) or a whole number >= 1."""
    if k is not None and (isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1):
        raise ConfigError(f"save_recommendations={k!r} is invalid; give the length K of the "
                          f"lists to keep, a whole number >= 1 (e.g. --save-recommendations 10).")


def top_lists(users: pd.Index, catalog: pd.Index, top: np.ndarray,
              scores: np.ndarray) -> pd.DataFrame:
    """One row per (user, listed item) of a batch: ``top`` holds catalog positions in ranked
    order (users x K), -1 past the end of a short candidate list (left out). Ranks are
    1-based; scores are the algorithm's raw scores."""
    rows, ranks = np.nonzero(top >= 0)               # row-major: by user, then by rank
    items = top[rows, ranks]
    return pd.DataFrame({"user": users.to_numpy()[rows], "item": catalog.to_numpy()[items],
                         "rank": (ranks + 1).astype(np.int64),
                         "score": scores[rows, items].astype(np.float64)})


def joined(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame({"user": [], "item": [], "rank": np.array([], np.int64),
                             "score": np.array([], np.float64)})
    return pd.concat(frames, ignore_index=True)


def labelled(lists: pd.DataFrame, algorithm: str, fold: str) -> pd.DataFrame:
    out = lists.copy()
    out.insert(0, "fold", fold)
    out.insert(0, "algorithm", algorithm)
    return out


def collect(jobs, algorithms: list[str]) -> pd.DataFrame:
    """Every finished job's lists, algorithm by algorithm (in the run's order), then fold."""
    position = {label: n for n, label in enumerate(algorithms)}
    kept = [j for j in jobs if j.error is None and getattr(j, "recommendations", None) is not None]
    kept.sort(key=lambda j: position.get(j.algorithm, len(position)))   # stable: folds in order
    if not kept:
        return pd.DataFrame({c: [] for c in COLUMNS})
    return pd.concat([j.recommendations for j in kept], ignore_index=True)[COLUMNS]
