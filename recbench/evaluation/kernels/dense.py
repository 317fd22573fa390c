"""The dense ranking kernel, the reference: per batch of users it materialises the users x
catalog candidate, relevance and tie-key arrays and sorts (``RECBENCH_RANKING_KERNEL=dense``
or ``kernel="dense"``; a metric that reads those arrays needs it).

Its tie keys are the fused kernel's (:func:`recbench.evaluation.kernels.ties.tie_matrix`), so
both kernels rank every user identically and give the same values.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from recbench.evaluation.kernels.ties import tie_matrix
from recbench.metrics.registry import RankingInput


class Batch(NamedTuple):
    """One ranked batch of users: the metric input (its ``top`` holds the first ``kmax``),
    each user's best ``k`` catalog positions (-1: no candidate) and candidate counts."""

    x: RankingInput
    top: np.ndarray
    n_candidates: np.ndarray


def rank_candidates(scores: np.ndarray, candidates: np.ndarray, tiebreak: np.ndarray,
                    top: int | None = None) -> np.ndarray:
    """Each row's ranking: score descending, then tie key ascending; items that are not
    candidates come last. The first ``top`` catalog positions of each row in ranked order
    (all of them when ``top`` is None)."""
    ranked = np.where(candidates, scores, -np.inf)
    n_rows, n = ranked.shape
    if top is None or top >= n:
        return np.lexsort((tiebreak, -ranked), axis=1)
    # every item scored at least the top-th largest score may be in the top: sort just those
    kth = -np.partition(-ranked, top - 1, axis=1)[:, top - 1:top]
    rows, cols = np.nonzero(ranked >= kth)
    order = np.lexsort((tiebreak[rows, cols], -ranked[rows, cols], rows))
    start = np.searchsorted(rows[order], np.arange(n_rows))
    return cols[order][start[:, None] + np.arange(top)]


class DenseRanker:
    """The kernel for one fold: ``excluded`` and ``relevant`` are the evaluated users x
    catalog boolean CSR matrices, ``key`` the fold's tie key."""

    name = "dense"

    def __init__(self, excluded, relevant, key: int, popularity: np.ndarray):
        self.excluded, self.relevant = excluded, relevant
        self.key, self.popularity = key, popularity

    @staticmethod
    def serves(metric) -> bool:
        return True

    @staticmethod
    def value(spec, x: RankingInput) -> np.ndarray:
        return np.asarray(spec.metric.compute(x, spec.k), dtype=float)

    def rank(self, scores: np.ndarray, start: int, k: int, kmax: int) -> Batch:
        n_users, n_items = scores.shape
        candidates = ~self.excluded[start:start + n_users].toarray()
        rel = self.relevant[start:start + n_users].toarray() & candidates
        tiebreak = tie_matrix(self.key, start, n_users, n_items)
        order = rank_candidates(scores, candidates, tiebreak, top=k)
        top = np.where(np.take_along_axis(candidates, order, axis=1), order, -1)
        ranked_rel = np.take_along_axis(rel, order[:, :kmax], axis=1)
        x = RankingInput(ranked_rel, top[:, :kmax], rel.sum(axis=1), scores, candidates, rel,
                         tiebreak, self.popularity)
        return Batch(x, top, candidates.sum(axis=1))
