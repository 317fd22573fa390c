"""Per-user AUC over a full candidate ranking (higher is better)."""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def auc_score(scores, relevant, candidates) -> np.ndarray:
    """Per-user AUC = share of (relevant, non-relevant candidate) pairs that the scores order
    correctly, a tie counting 1/2:

        AUC_u = (sum of mid-ranks of the relevant candidates - P (P + 1) / 2) / (P * N)

    with ranks in ascending score order among the user's candidates, P relevant and N
    non-relevant candidates (the Mann-Whitney U statistic over P * N). NaN where P or N is 0.
    ``scores`` (users x items, finite on candidates), ``relevant`` and ``candidates``
    (boolean, same shape); ``relevant`` must lie within ``candidates``.
    """
    scores = np.asarray(scores, float)
    relevant, candidates = np.asarray(relevant, bool), np.asarray(candidates, bool)
    masked = np.where(candidates, scores, -np.inf)
    n_out = (~candidates).sum(axis=1)
    # non-candidates all sit below every candidate, so a candidate's rank among candidates
    # is its overall mid-rank minus the number of non-candidates
    ranks = rankdata(masked, method="average", axis=1) - n_out[:, None]
    n_pos = relevant.sum(axis=1)
    n_neg = candidates.sum(axis=1) - n_pos
    rank_sum = np.where(relevant, ranks, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)
    return np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)
