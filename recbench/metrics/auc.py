"""Per-user AUC over a full candidate ranking (higher is better)."""

from __future__ import annotations

import numpy as np


def auc_score(scores, relevant, candidates) -> np.ndarray:
    """Per-user AUC = share of (relevant, non-relevant candidate) pairs that the scores order
    correctly, a tie counting 1/2:

        AUC_u = sum over relevant i of (#negatives scored below i + #negatives tied with i / 2)
                / (P * N)

    which equals the Mann-Whitney U statistic with mid-ranks, over P relevant and N
    non-relevant candidates. NaN where P or N is 0. ``scores`` (users x items, finite on
    candidates), ``relevant`` and ``candidates`` are same-shape arrays; ``relevant`` must lie
    within ``candidates``. Each user's negatives are sorted once; the counts are binary
    searches in them.
    """
    scores = np.asarray(scores, float)
    relevant, candidates = np.asarray(relevant, bool), np.asarray(candidates, bool)
    negative = candidates & ~relevant
    ordered_negatives = np.sort(np.where(negative, scores, np.inf), axis=1)
    n_pos, n_neg = relevant.sum(axis=1), negative.sum(axis=1)
    rows, cols = np.nonzero(relevant)            # grouped by user
    pos = scores[rows, cols]
    bounds = np.searchsorted(rows, np.arange(len(scores) + 1))
    below, up_to = np.zeros(len(rows)), np.zeros(len(rows))
    for u in np.flatnonzero((n_pos > 0) & (n_neg > 0)):
        negatives, here = ordered_negatives[u, :n_neg[u]], slice(bounds[u], bounds[u + 1])
        below[here] = np.searchsorted(negatives, pos[here], side="left")
        up_to[here] = np.searchsorted(negatives, pos[here], side="right")
    correct = np.bincount(rows, weights=below + 0.5 * (up_to - below), minlength=len(scores))
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = correct / (n_pos * n_neg)
    return np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)


def auc_from_counts(below, tied, indptr, n_negative) -> np.ndarray:
    """The same AUC from per-relevant-item counts of the negatives scored strictly below
    (``below``) and equal to (``tied``) each relevant item, user by user (CSR ``indptr``):
    AUC_u = sum_j (below_j + tied_j / 2) / (P * N). NaN where P or N is 0."""
    indptr = np.asarray(indptr)
    n_pos, n_neg = np.diff(indptr), np.asarray(n_negative)
    per_item = np.asarray(below, float) + 0.5 * np.asarray(tied, float)
    rows = np.repeat(np.arange(len(n_pos)), n_pos)
    correct = np.bincount(rows, weights=per_item, minlength=len(n_pos))
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = correct / (n_pos * n_neg)
    return np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)
