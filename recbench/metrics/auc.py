"""Per-user AUC over a full candidate ranking (higher is better)."""

from __future__ import annotations

import numpy as np


def dense_ranks(scores: np.ndarray) -> np.ndarray:
    """Per row, 0 for the highest score, 1 for the next distinct score, ...; equal scores
    share a rank. (-inf, used for non-candidates, gets the last rank.)"""
    scores = np.asarray(scores, float)
    order = np.argsort(-scores, axis=1)
    ordered = np.take_along_axis(scores, order, axis=1)
    steps = np.zeros(ordered.shape, dtype=np.int64)
    steps[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    ranks = np.empty_like(steps)
    np.put_along_axis(ranks, order, np.cumsum(steps, axis=1), axis=1)
    return ranks


def auc_score(scores, relevant, candidates, dense: np.ndarray | None = None) -> np.ndarray:
    """Per-user AUC = share of (relevant, non-relevant candidate) pairs that the scores order
    correctly, a tie counting 1/2:

        AUC_u = sum over score levels g of pos_g * (neg below g + neg_g / 2) / (P * N)

    which equals the Mann-Whitney U statistic with mid-ranks, over P relevant and N
    non-relevant candidates. NaN where P or N is 0. ``scores`` (users x items, finite on
    candidates), ``relevant`` and ``candidates`` are same-shape arrays; ``relevant`` must lie
    within ``candidates``. ``dense`` may pass precomputed :func:`dense_ranks` of the scores
    with non-candidates set to -inf.
    """
    scores = np.asarray(scores, float)
    relevant, candidates = np.asarray(relevant, bool), np.asarray(candidates, bool)
    if dense is None:
        dense = dense_ranks(np.where(candidates, scores, -np.inf))
    n_users, n_items = scores.shape
    level = dense + (np.arange(n_users) * n_items)[:, None]    # a global id per (user, level)
    size = n_users * n_items
    pos = np.bincount(level[relevant], minlength=size).reshape(n_users, n_items)
    neg = np.bincount(level[candidates & ~relevant], minlength=size).reshape(n_users, n_items)
    neg_below = neg[:, ::-1].cumsum(axis=1)[:, ::-1] - neg      # levels ranked lower
    correct = (pos * (neg_below + 0.5 * neg)).sum(axis=1)
    n_pos, n_neg = pos.sum(axis=1), neg.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = correct / (n_pos * n_neg)
    return np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)
