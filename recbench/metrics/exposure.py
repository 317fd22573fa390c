"""Beyond-accuracy metrics of exposure and popularity bias: how the recommendations of all
users spread over the catalog (Gini index, entropy, long-tail coverage) and how popular the
items of each list are (ARP, tail share).

Inputs are catalog positions: ``recommended`` / ``top`` (users x k, -1 for an empty slot,
which is left out everywhere) and per catalog position the training interactions
``interactions`` or the long-tail mask ``tail`` (see :func:`long_tail`).
"""

from __future__ import annotations

import numpy as np

#: the head's share of the training interactions (Abdollahpouri et al. 2019: 20%)
HEAD_SHARE = 0.2


def exposure(recommended, n_catalog: int) -> np.ndarray:
    """c_i = the number of lists (users' top k) that hold catalog item i, for every item of
    the catalog, recommended or not."""
    recommended = np.asarray(recommended)
    return np.bincount(recommended[recommended >= 0].ravel(), minlength=int(n_catalog))


def gini_index(counts) -> float:
    """Gini@k = Σ_{i=1..n} (2i − n − 1) · c_(i) / (n · Σ c), with the exposure counts c sorted
    ascending over the n catalog items: 0 when every item is recommended equally often,
    (n − 1) / n when one item takes every slot. NaN for an empty catalog or no exposure."""
    c = np.sort(np.asarray(counts, float))
    n, total = len(c), float(np.sum(c))
    if n == 0 or total == 0:
        return float("nan")
    i = np.arange(1, n + 1)
    return float(np.sum((2 * i - n - 1) * c) / (n * total))


def exposure_entropy(counts) -> float:
    """Entropy@k = −Σ_i p_i ln p_i with p_i = c_i / Σ c (natural log; items never
    recommended add 0): ln n when all n catalog items are recommended equally often, 0 when
    one item takes every slot. NaN with no exposure."""
    c = np.asarray(counts, float)
    total = float(np.sum(c))
    if total == 0:
        return float("nan")
    p = c[c > 0] / total
    return float(-np.sum(p * np.log(p)))


def long_tail(interactions, head_share: float = HEAD_SHARE) -> np.ndarray:
    """The long-tail mask over the catalog. Items ordered by training interactions
    descending, the head is the most popular items that together hold at least
    ``head_share`` of all training interactions; with c* the count of the item at which the
    running total first reaches that share, every item with at least c* interactions is in
    the head (so ties at the boundary all join the head, and the split never depends on item
    ids or order). The tail is the rest of the catalog."""
    c = np.asarray(interactions, float)
    total = float(c.sum())
    if total == 0:
        return np.ones(len(c), dtype=bool)
    ordered = np.sort(c)[::-1]
    boundary = int(np.searchsorted(np.cumsum(ordered), head_share * total, side="left"))
    c_star = ordered[min(boundary, len(ordered) - 1)]
    return c < c_star


def tail_coverage(recommended, tail) -> float:
    """TailCoverage@k = |distinct tail items in anyone's top k| / |tail items| (NaN with no
    tail)."""
    tail = np.asarray(tail, bool)
    recommended = np.asarray(recommended)
    shown = np.unique(recommended[recommended >= 0])
    return float(tail[shown].sum() / tail.sum()) if tail.any() else float("nan")


def _per_list_mean(top, per_item) -> np.ndarray:
    top = np.asarray(top)
    values = np.where(top >= 0, np.asarray(per_item, float)[np.maximum(top, 0)], np.nan)
    with np.errstate(invalid="ignore"):
        out = np.nansum(values, axis=1) / (top >= 0).sum(axis=1)
    return out


def average_recommendation_popularity(top, interactions) -> np.ndarray:
    """Per-user ARP@k = (1 / |L_u|) Σ_{i ∈ L_u} φ(i), φ(i) = item i's interactions in the
    training part, L_u the user's top k (Abdollahpouri et al. 2019). NaN for an empty list."""
    return _per_list_mean(top, interactions)


def tail_share(top, tail) -> np.ndarray:
    """Per-user APLT@k (tail@k) = |L_u ∩ tail| / |L_u|, the share of the user's top k in the
    long tail (Abdollahpouri et al. 2019). NaN for an empty list."""
    return _per_list_mean(top, np.asarray(tail, float))
