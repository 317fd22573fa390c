"""``puresvd``: Cremonesi, Koren & Turrin's PureSVD (RecSys 2010)."""

from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import svds

from recbench.algorithms.params import SEED, Interval, IntRange
from recbench.algorithms.topn.interactions import InteractionModel
from recbench.runtime.threads import blas_threads


class PureSVD(InteractionModel):
    """PureSVD (Cremonesi, Koren & Turrin, "Performance of recommender algorithms on
    top-N recommendation tasks", RecSys 2010), ranking only.

    With X the binary users x items matrix (missing entries are zeros) and its truncated
    singular value decomposition X ≈ U_f Σ_f V_fᵀ of rank f = ``factors``::

        score(u, ·) = x_u V_f V_fᵀ        (the projection of x_u on the top-f item space)

    Default ``factors=50``: the paper's best PureSVD on MovieLens (PureSVD50; 150 on
    Netflix). The decomposition is ARPACK's (``scipy.sparse.linalg.svds``) started from a
    vector drawn from ``random_state``; when f >= min(users, items) - 1 (small data) the
    exact dense SVD is used, keeping min(f, rank bound) factors. ``min_rating``: None counts
    every training rating as an interaction; a number keeps only ratings >= it.
    """

    name = "puresvd"
    description = "PureSVD (Cremonesi et al. 2010): truncated SVD of the interaction matrix (ranking only)."
    param_constraints = {"factors": [Interval(int, 1, None)],
                         "min_rating": [None, Interval(float)],
                         "random_state": SEED}
    search_space = {"factors": IntRange(1, 350)}      # Ferrari Dacrema et al. 2019

    def __init__(self, factors=50, min_rating=None, random_state=None):
        self.factors, self.min_rating, self.random_state = factors, min_rating, random_state

    def fit(self, train, items=None):
        x = self._interactions(train)
        with blas_threads():
            if self.factors >= min(x.shape) - 1 or x.nnz == 0:
                _, _, vt = np.linalg.svd(x.toarray(), full_matrices=False)
                vt = vt[:self.factors]
            else:
                rng = np.random.default_rng(self.random_state)
                v0 = rng.uniform(-1.0, 1.0, min(x.shape))
                _, _, vt = svds(x, k=self.factors, v0=v0)
        self.item_factors_ = np.ascontiguousarray(vt.T)        # items x f
        self.matrix_ = x
        return self

    def _block_scores(self, rows, cols):
        with blas_threads():
            return np.asarray(self.matrix_[rows] @ self.item_factors_) @ self.item_factors_[cols].T
