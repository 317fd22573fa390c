"""Neighbourhood top-N models on the binary interaction matrix: ``itemknn`` and ``userknn``.

Both use the shrunk cosine of binary vectors, sim(a, b) = |a ∩ b| / (sqrt|a| sqrt|b| + shrink),
and keep, for every item (user), its ``k`` most similar other items (users) with a positive
similarity; among equal similarities the smaller position (sorted ids) wins. The similarity
is computed in row blocks of at most ``BLOCK_CELLS`` entries, so memory grows with
(items or users) x k, not with its square; the estimate is still checked against the memory
budget before any allocation.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from recbench.algorithms.neighbourhood import top_k_mask
from recbench.algorithms.params import Choice, FloatRange, Interval, IntRange
from recbench.algorithms.topn.interactions import InteractionModel, columns, dense

#: entries of one dense similarity block
BLOCK_CELLS = 2_000_000
#: bytes per entry of a block while it is computed and thinned (sparse product, dense copy,
#: partition, masks, running counts)
BLOCK_BYTES_PER_CELL = 52
#: bytes per kept neighbour (value, row and column index while building; CSR afterwards)
NEIGHBOUR_BYTES = 24


def top_k_rows(block: np.ndarray, k: int):
    """(rows, cols, values) of each row's ``k`` largest entries that are positive; ties at
    the k-th value go to the smaller column."""
    keep = top_k_mask(block, k) & (block > 0)
    rows, cols = np.nonzero(keep)
    return rows, cols, block[rows, cols]


def block_rows(n_cols: int) -> int:
    """Rows of a similarity block with ``n_cols`` columns."""
    return max(1, BLOCK_CELLS // max(1, n_cols))


def item_neighbour_memory(cls, params: dict, n_items: int):
    """``memory_needed`` of a model that keeps k neighbours per item."""
    k = {**cls.default_params(), **params}["k"]
    return (neighbour_memory(n_items, k), f"the {k} neighbours of {n_items:,} items",
            "lower k or the number of items")


def neighbour_memory(n: int, k: int) -> int:
    """Bytes for the neighbour lists of ``n`` entities plus one similarity block."""
    step = min(n, block_rows(n))
    return n * min(k, n) * NEIGHBOUR_BYTES + step * n * BLOCK_BYTES_PER_CELL


def cosine_neighbours(features: sparse.csr_matrix, shrink: float, k: int) -> sparse.csr_matrix:
    """Row a holds sim(a, b) for the ``k`` most similar rows b != a of the binary
    ``features`` (entities x features), sim = dot / (norm_a norm_b + shrink)."""
    n = features.shape[0]
    norms = np.sqrt(np.asarray(features.sum(axis=1), dtype=float).ravel())
    transposed = features.T.tocsr()
    step = block_rows(n)
    parts = []
    for start in range(0, n, step):
        stop = min(n, start + step)
        dots = dense(features[start:stop] @ transposed)
        denom = norms[start:stop, None] * norms[None, :] + shrink
        sims = np.divide(dots, denom, out=np.zeros_like(dots), where=denom > 0)
        sims[np.arange(stop - start), np.arange(start, stop)] = 0.0
        rows, cols, vals = top_k_rows(sims, k)
        parts.append((rows + start, cols, vals))
    rows, cols, vals = (np.concatenate(p) for p in zip(*parts))
    return sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))


def l1_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Each non-empty row divided by its sum."""
    sums = np.asarray(matrix.sum(axis=1), dtype=float).ravel()
    scale = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums > 0)
    return sparse.csr_matrix(sparse.diags(scale) @ matrix)


_KNN_CONSTRAINTS = {"k": [Interval(int, 1, None)], "shrink": [Interval(float, 0, None)],
                    "min_rating": [None, Interval(float)]}
#: Ferrari Dacrema et al. (RecSys 2019) search topK 5-1000 and shrink 0-1000
_KNN_SPACE = {"k": IntRange(5, 1000, log=True), "shrink": FloatRange(0, 1000)}


class ItemKNN(InteractionModel):
    """Item-item neighbourhood over binary interactions (Sarwar et al. 2001; Deshpande &
    Karypis 2004), ranking only.

    With x_u the user's binary item vector and n_i = |users of item i|::

        sim(i, j)   = |U_i ∩ U_j| / (sqrt(n_i) sqrt(n_j) + shrink),   sim(i, i) = 0
        N_k(i)      = the k items j with the largest positive sim(i, j)
        W[j, i]     = sim(i, j) if j in N_k(i) else 0
                      (normalize=True: each row W[j, :] divided by its sum, so every
                      item a user has counts with weight 1 -- Deshpande & Karypis 2004)
        score(u, i) = (x_u W)[i] = sum over the user's items j in N_k(i) of sim(i, j)

    Defaults ``k=50, shrink=100`` are those of the ItemKNN-CF reference implementation of
    Ferrari Dacrema et al. (RecSys 2019, "Are we really making much progress?").
    ``min_rating``: None counts every training rating as an interaction; a number keeps only
    ratings >= it.
    """

    name = "itemknn"
    description = "Item-item cosine kNN on binary interactions, with shrinkage (ranking only)."
    param_constraints = {**_KNN_CONSTRAINTS, "normalize": [bool]}
    search_space = {**_KNN_SPACE, "normalize": Choice([False, True])}

    def __init__(self, k=50, shrink=100.0, normalize=False, min_rating=None):
        self.k, self.shrink, self.normalize, self.min_rating = k, shrink, normalize, min_rating

    @classmethod
    def memory_needed(cls, params, n_users, n_items):
        return item_neighbour_memory(cls, params, n_items)

    def fit(self, train, items=None):
        x = self._interactions(train)
        weights = cosine_neighbours(x.T.tocsr(), float(self.shrink), self.k).T.tocsr()
        self.weights_ = l1_rows(weights) if self.normalize else weights
        self.matrix_ = x
        return self

    def _block_scores(self, rows, cols):
        return dense(self.matrix_[rows] @ columns(self.weights_, cols))


class UserKNN(InteractionModel):
    """User-user neighbourhood over binary interactions, ranking only.

    With I_u the items of user u::

        sim(u, v)   = |I_u ∩ I_v| / (sqrt|I_u| sqrt|I_v| + shrink),   sim(u, u) = 0
        N_k(u)      = the k users v with the largest positive sim(u, v)
        score(u, i) = sum over v in N_k(u) with i in I_v of sim(u, v)

    Defaults ``k=50, shrink=100`` are those of the UserKNN-CF reference implementation of
    Ferrari Dacrema et al. (RecSys 2019). ``min_rating`` as for ``itemknn``.
    """

    name = "userknn"
    description = "User-user cosine kNN on binary interactions, with shrinkage (ranking only)."
    param_constraints = dict(_KNN_CONSTRAINTS)
    search_space = dict(_KNN_SPACE)

    def __init__(self, k=50, shrink=100.0, min_rating=None):
        self.k, self.shrink, self.min_rating = k, shrink, min_rating

    @classmethod
    def memory_needed(cls, params, n_users, n_items):
        k = {**cls.default_params(), **params}["k"]
        return (neighbour_memory(n_users, k), f"the {k} neighbours of {n_users:,} users",
                "lower k, or use itemknn when users far outnumber items")

    def fit(self, train, items=None):
        x = self._interactions(train)
        self.neighbours_ = cosine_neighbours(x, float(self.shrink), self.k)
        self.matrix_ = x
        return self

    def _block_scores(self, rows, cols):
        return dense(self.neighbours_[rows] @ columns(self.matrix_, cols))
