"""Metrics over the recommendations of all users: coverage and novelty (higher is better)."""

from __future__ import annotations

import numpy as np


def catalog_coverage(recommended, n_catalog: int) -> float:
    """Coverage@k = |distinct items in anyone's top k| / |catalog|."""
    recommended = np.asarray(recommended)
    return float(len(np.unique(recommended[recommended >= 0])) / n_catalog) if n_catalog else float("nan")


def novelty(recommended, popularity) -> np.ndarray:
    """Per-user novelty@k = mean over the user's top-k items of -log2(p_i), where p_i is the
    share of training users who rated item i (items nobody rated get p = 1 / n_users).
    ``recommended`` holds catalog positions (users x k, -1 for an empty slot, which is left
    out); ``popularity`` holds p per position."""
    info = -np.log2(np.asarray(popularity, float))
    recommended = np.asarray(recommended)
    values = np.where(recommended >= 0, info[np.maximum(recommended, 0)], np.nan)
    with np.errstate(invalid="ignore"):
        return np.nanmean(values, axis=1)
