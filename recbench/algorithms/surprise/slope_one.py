"""Surprise's ``SlopeOne`` (``slopeone``), scored with matrix products.
"""

from __future__ import annotations

import numpy as np

from recbench.algorithms.base import pair_scores
from recbench.algorithms.surprise.adapter import SurpriseAlgorithm, surprise


class SlopeOne(SurpriseAlgorithm):
    """Surprise's SlopeOne: user mean + the mean deviation dev(i, j) over the items j the user
    rated that share a rater with i. Scored vectorised with matrix products over the
    item-item ``freq`` and ``dev`` matrices Surprise keeps (n_items^2 floats each)."""

    name = "slopeone"
    description = "Slope One: user mean plus mean item-item rating deviations (Surprise SlopeOne)."
    surprise_class = surprise.SlopeOne
    param_constraints: dict = {}        # no parameters
    block_size = 200_000

    @classmethod
    def memory_needed(cls, params, n_users, n_items):
        """Surprise's ``freq`` and ``dev`` (two n_items^2 float64 matrices) and the users x
        items rated-mask this scorer keeps."""
        return ((2 * n_items * n_items + n_users * n_items) * 8,
                f"the two {n_items:,} x {n_items:,} item-item matrices Surprise's SlopeOne keeps",
                "use itemknn, which keeps k neighbours per item")

    def __init__(self):
        pass

    def _surprise_kwargs(self):
        return {}

    def _prepare(self):
        m = self.model_
        rated = np.zeros((m.trainset.n_users, m.trainset.n_items))
        for u, pairs in m.trainset.ur.items():
            rated[u, [j for j, _ in pairs]] = 1.0
        self.rated_ = rated
        self.user_mean_ = np.asarray(m.user_mean, dtype=float)

    def _block(self, u, i):
        out = np.full((len(u), len(i)), self.global_mean_)
        ru, ci = np.flatnonzero(u >= 0), np.flatnonzero(i >= 0)
        if len(ru) and len(ci):
            step = max(1, 20_000_000 // max(1, self.rated_.shape[1]))
            for start in range(0, len(ci), step):
                cols = ci[start:start + step]
                shares = np.asarray(self.model_.freq)[i[cols]] > 0
                devs = np.where(shares, np.asarray(self.model_.dev)[i[cols]], 0.0)
                r = self.rated_[u[ru]]
                count, total = r @ shares.T, r @ devs.T
                with np.errstate(divide="ignore", invalid="ignore"):
                    mean_dev = np.where(count > 0, total / count, 0.0)
                out[np.ix_(ru, cols)] = self.user_mean_[u[ru]][:, None] + mean_dev
        return out

    def _pairs(self, u, i):
        return pair_scores(self, u, i, self.block_size, score=self._block)   # on inner ids
