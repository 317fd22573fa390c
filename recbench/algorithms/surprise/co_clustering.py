"""Surprise's ``CoClustering`` (``coclustering``), scored vectorised.
"""

from __future__ import annotations

import numpy as np

from recbench.algorithms.params import SEED, Interval, IntRange
from recbench.algorithms.surprise.adapter import (
    EPOCHS,
    MAX_CLUSTERS,
    SurpriseAlgorithm,
    surprise,
)


class CoClustering(SurpriseAlgorithm):
    """Surprise's CoClustering: co-cluster mean + user and item offsets from their clusters."""

    name = "coclustering"
    description = "Co-clustering of users and items (Surprise CoClustering)."
    surprise_class = surprise.CoClustering
    param_constraints = {"n_cltr_u": [Interval(int, 1, MAX_CLUSTERS)],
                         "n_cltr_i": [Interval(int, 1, MAX_CLUSTERS)],
                         "n_epochs": EPOCHS, "random_state": SEED}
    search_space = {"n_cltr_u": IntRange(1, 30), "n_cltr_i": IntRange(1, 30),
                    "n_epochs": IntRange(5, 100)}

    def __init__(self, n_cltr_u=3, n_cltr_i=3, n_epochs=20, random_state=None):
        self.n_cltr_u, self.n_cltr_i, self.n_epochs = n_cltr_u, n_cltr_i, n_epochs
        self.random_state = random_state

    def _estimates(self, u, i):
        m = self.model_
        cu, ci = np.asarray(m.cltr_u)[np.maximum(u, 0)], np.asarray(m.cltr_i)[np.maximum(i, 0)]
        est = (np.asarray(m.avg_cocltr)[cu, ci]
               + np.asarray(m.user_mean)[np.maximum(u, 0)] - np.asarray(m.avg_cltr_u)[cu]
               + np.asarray(m.item_mean)[np.maximum(i, 0)] - np.asarray(m.avg_cltr_i)[ci])
        return np.where((u >= 0) & (i >= 0), est, self.global_mean_)

    def _block(self, u, i):
        return self._estimates(u[:, None], i[None, :])

    def _pairs(self, u, i):
        return self._estimates(u, i)
