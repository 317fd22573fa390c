"""Top-k ranking metrics, per user, vectorised over users (higher is better).

Inputs describe each user's ranking after ties were broken:
``ranked_rel`` is a boolean array (n_users, >= k) whose [u, r] entry tells whether the item
at rank r+1 of user u is relevant; ``n_rel`` is each user's number of relevant candidates
(> 0). Gains are binary.
"""

from __future__ import annotations

import numpy as np


def _hits(ranked_rel: np.ndarray, k: int) -> np.ndarray:
    return ranked_rel[:, :k].sum(axis=1)


def precision_at_k(ranked_rel, k: int) -> np.ndarray:
    """P@k = hits in the top k / k (always divided by k, even with fewer relevant items)."""
    return _hits(np.asarray(ranked_rel), k) / k


def recall_at_k(ranked_rel, n_rel, k: int) -> np.ndarray:
    """R@k = hits in the top k / number of relevant candidates."""
    return _hits(np.asarray(ranked_rel), k) / np.asarray(n_rel, float)


def hit_rate_at_k(ranked_rel, k: int) -> np.ndarray:
    """Hit@k = 1 when at least one relevant item is in the top k, else 0."""
    return (_hits(np.asarray(ranked_rel), k) > 0).astype(float)


def _discounts(k: int) -> np.ndarray:
    return 1.0 / np.log2(np.arange(2, k + 2))


def ndcg_at_k(ranked_rel, n_rel, k: int) -> np.ndarray:
    """nDCG@k = DCG@k / IDCG@k with DCG@k = sum_{r=1..k} rel_r / log2(r + 1) and IDCG@k the
    DCG of min(k, n_rel) relevant items at the top."""
    rel = np.asarray(ranked_rel)[:, :k].astype(float)
    disc = _discounts(k)
    dcg = rel @ disc[: rel.shape[1]]
    ideal = np.cumsum(disc)[np.minimum(np.asarray(n_rel), k) - 1]
    return dcg / ideal


def average_precision_at_k(ranked_rel, n_rel, k: int) -> np.ndarray:
    """AP@k = (1 / min(k, n_rel)) * sum_{r=1..k} P@r * rel_r, so a perfect top k scores 1.
    MAP@k is its mean over users."""
    rel = np.asarray(ranked_rel)[:, :k].astype(float)
    prec_at_r = np.cumsum(rel, axis=1) / np.arange(1, rel.shape[1] + 1)
    return (prec_at_r * rel).sum(axis=1) / np.minimum(np.asarray(n_rel), k)


def first_relevant_rank(scores: np.ndarray, candidates: np.ndarray, relevant: np.ndarray,
                        tiebreak: np.ndarray) -> np.ndarray:
    """1-based rank of each row's first relevant item when candidates are ranked by score
    descending, then tie key ascending (1 + the items before it: a higher score, or the same
    score and a smaller key). ``tiebreak``: floats or unsigned integers (the protocol's hash
    keys), compared exactly."""
    tiebreak = np.asarray(tiebreak)
    ranked = np.where(candidates, scores, -np.inf)
    best = np.where(relevant, ranked, -np.inf).max(axis=1, keepdims=True)
    last = np.iinfo(tiebreak.dtype).max if np.issubdtype(tiebreak.dtype, np.integer) else np.inf
    first_key = np.where(relevant & (ranked == best), tiebreak,
                         tiebreak.dtype.type(last)).min(axis=1, keepdims=True)
    ahead = (ranked > best) | ((ranked == best) & (tiebreak < first_key))
    # a row without a relevant candidate has no first relevant item: rank inf (RR 0)
    return np.where(relevant.any(axis=1), ahead.sum(axis=1) + 1, np.inf)


def reciprocal_rank(first_relevant_rank) -> np.ndarray:
    """RR = 1 / (rank of the first relevant item in the full ranking, 1-based); MRR is its mean."""
    return 1.0 / np.asarray(first_relevant_rank, float)


def first_relevant_rank_from_counts(above, indptr) -> np.ndarray:
    """The same rank from per-relevant-item counts: 1 + min over a user's relevant items j of
    the candidates ranked above j (``above`` user by user, CSR ``indptr``). A user without a
    relevant candidate (possible only when test and training pairs overlap) gets rank inf,
    so RR 0, as in :func:`first_relevant_rank`."""
    indptr = np.asarray(indptr)
    n_rel = np.diff(indptr)
    ahead = np.full(len(n_rel), np.inf)
    np.minimum.at(ahead, np.repeat(np.arange(len(n_rel)), n_rel), np.asarray(above, float))
    return ahead + 1
