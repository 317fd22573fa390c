"""``rp3beta``: the popularity-penalised three-step random walk of Paudel et al. (2016)."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from recbench.algorithms.params import Choice, FloatRange, Interval, IntRange
from recbench.algorithms.topn.interactions import InteractionModel, columns, dense
from recbench.algorithms.topn.knn import (
    block_rows,
    item_neighbour_memory,
    l1_rows,
    top_k_rows,
)


def rp3_weights(x: sparse.csr_matrix, alpha: float, beta: float, k: int) -> sparse.csr_matrix:
    """Items x items: row i keeps the ``k`` largest positive W[i, j], j != i (ties: the
    smaller j), of W[i, j] = sum_u P_iu^alpha P_uj^alpha / pop(j)^beta."""
    n = x.shape[1]
    pop = np.asarray(x.sum(axis=0), dtype=float).ravel()
    p_ui = l1_rows(x).power(alpha).tocsr()                 # user -> item
    p_iu = l1_rows(x.T.tocsr()).power(alpha).tocsr()       # item -> user
    penalty = np.power(pop, -beta, out=np.zeros_like(pop), where=pop > 0)
    step, parts = block_rows(n), []
    for start in range(0, n, step):
        stop = min(n, start + step)
        walk = dense(p_iu[start:stop] @ p_ui) * penalty[None, :]
        walk[np.arange(stop - start), np.arange(start, stop)] = 0.0
        rows, cols, vals = top_k_rows(walk, k)
        parts.append((rows + start, cols, vals))
    rows, cols, vals = (np.concatenate(p) for p in zip(*parts))
    return sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))


class RP3beta(InteractionModel):
    """RP3beta (Paudel, Christoffel, Newell & Bernstein, "Updatable, accurate, diverse, and
    scalable recommendations for interactive applications", ACM TiiS 2016), ranking only.

    A random walk user -> item -> user -> item on the bipartite interaction graph, with
    X binary, deg(u) the user's items and pop(j) the item's users::

        P_ui = x_ui / deg(u),   P_iu = x_ui / pop(i)
        W[i, j] = (sum_u P_iu^α P_uj^α) / pop(j)^β,   W[i, i] = 0
        keep the k largest W[i, j] of each row i; normalize=True: divide each row by its sum
        score(u, ·) = x_u W

    The power α applies to every transition probability (Cooper et al. 2014's P^3_α, as in
    the reference implementation below); with α = 1 this is (P_iu P_ui) / pop(j)^β exactly.
    Defaults ``alpha=1, beta=0.6, k=100, normalize=True`` are those of the RP3beta reference
    implementation of Ferrari Dacrema et al. (RecSys 2019). ``min_rating``: None counts
    every training rating as an interaction; a number keeps only ratings >= it. The
    neighbour lists and one similarity block are checked against the memory budget first.
    """

    name = "rp3beta"
    description = "RP3beta (Paudel et al. 2016): popularity-penalised random walk item-item (ranking only)."
    param_constraints = {"alpha": [Interval(float, 0, None, closed="neither")],
                         "beta": [Interval(float, 0, None)],
                         "k": [Interval(int, 1, None)],
                         "normalize": [bool],
                         "min_rating": [None, Interval(float)]}
    # Ferrari Dacrema et al. (RecSys 2019): topK 5-1000, alpha and beta 0-2, normalisation
    # on or off (alpha > 0 here, so its range starts at 0.05)
    search_space = {"alpha": FloatRange(0.05, 2.0), "beta": FloatRange(0, 2.0),
                    "k": IntRange(5, 1000, log=True), "normalize": Choice([True, False])}

    def __init__(self, alpha=1.0, beta=0.6, k=100, normalize=True, min_rating=None):
        self.alpha, self.beta, self.k = alpha, beta, k
        self.normalize, self.min_rating = normalize, min_rating

    @classmethod
    def memory_needed(cls, params, n_users, n_items):
        return item_neighbour_memory(cls, params, n_items)

    def fit(self, train, items=None):
        x = self._interactions(train)
        weights = rp3_weights(x, float(self.alpha), float(self.beta), self.k)
        self.weights_ = l1_rows(weights) if self.normalize else weights
        self.matrix_ = x
        return self

    def _block_scores(self, rows, cols):
        return dense(self.matrix_[rows] @ columns(self.weights_, cols))
