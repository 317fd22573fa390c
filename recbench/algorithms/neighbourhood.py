"""Top-k weighted neighbour averages in numpy, for the TF-IDF content filter's rating
predictions: per target row, the ``k`` largest similarities (earlier columns first among
ties), of which only the positive ones count, weight the neighbours' deviations.

(Surprise's KNN models are scored by the compiled routes in ``neighbour_walk``.)
"""

from __future__ import annotations

import numpy as np


def top_k_mask(sims: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of the ``k`` largest entries per row, earlier columns first among ties."""
    n = sims.shape[1]
    if n <= k:
        return np.ones_like(sims, dtype=bool)
    kth = np.partition(sims, n - k, axis=1)[:, n - k:n - k + 1]
    mask = sims >= kth
    over = np.flatnonzero(mask.sum(axis=1) > k)     # rows whose ties at the k-th value overflow
    if len(over):
        rows, cut = sims[over], kth[over]
        greater, equal = rows > cut, rows == cut
        room = k - greater.sum(axis=1, keepdims=True)
        mask[over] = greater | (equal & (np.cumsum(equal, axis=1) <= room))
    return mask


def aggregate(sims: np.ndarray, devs: np.ndarray, k: int, min_k: int):
    """For each row of ``sims`` (targets x neighbours of one y) return the weighted mean
    deviation (0 where it does not apply) and whether at least ``min_k`` neighbours counted."""
    used = top_k_mask(sims, k) & (sims > 0)
    weights = np.where(used, sims, 0.0)
    sums = weights @ np.column_stack([devs, np.ones(len(devs))])    # sum_dev, sum_sim
    sum_dev, sum_sim = sums[:, 0], sums[:, 1]
    ok = sum_sim != 0       # some neighbour counted (weights are positive)
    if min_k > 1:
        ok &= used.sum(axis=1) >= min_k
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_dev = np.where(ok, sum_dev / sum_sim, 0.0)
    return mean_dev, ok
