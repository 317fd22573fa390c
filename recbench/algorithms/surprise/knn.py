"""Adapters around Surprise's neighbourhood models: KNNBasic, KNNWithMeans, KNNBaseline.

They share ``SurpriseAlgorithm``'s fit (Surprise computes the similarities on a trainset
built in the training frame's row order) and score with the compiled kernels of
``neighbour_walk``, equal to Surprise's ``estimate``, unknown users and items included.
"""

from __future__ import annotations

import numpy as np

from recbench.algorithms.params import Choice, FloatRange, Interval, IntRange, Options
from recbench.algorithms.surprise.adapter import (
    MAX_COUNT,
    NON_NEGATIVE,
    SIMILARITIES,
    SurpriseAlgorithm,
    biased_mean,
    surprise,
)
from recbench.algorithms.surprise.baseline_only import BaselineOnly, baseline_options
from recbench.algorithms.surprise.knn_kernels import (
    RatingsByNeighbour,
    knn_pair_sums,
    knn_sums,
    neighbour_lists,
)


class _KNN(SurpriseAlgorithm):
    """Shared by the KNN adapters: structured similarity parameters and vectorised scoring."""

    param_constraints = {
        "k": [Interval(int, 1, MAX_COUNT)], "min_k": [Interval(int, 1, MAX_COUNT)],
        "sim": [Options(SIMILARITIES)], "user_based": [bool],
        "min_support": [Interval(int, 0, MAX_COUNT)], "shrinkage": NON_NEGATIVE,
    }
    # neighbours 5-1000 and shrinkage 0-1000 as Ferrari Dacrema et al. (RecSys 2019) search
    # their kNN baselines; min_k matters under full ranking (items backed by few neighbours)
    search_space = {"k": IntRange(5, 1000, log=True), "min_k": IntRange(1, 50, log=True),
                    "sim": Choice(["msd", "cosine", "pearson", "pearson_baseline"]),
                    "shrinkage": FloatRange(0, 1000)}

    def __init__(self, k=40, min_k=1, sim="msd", user_based=True, min_support=1, shrinkage=100):
        self.k, self.min_k, self.sim, self.user_based = k, min_k, sim, user_based
        self.min_support, self.shrinkage = min_support, shrinkage

    #: n x n float64 arrays Surprise's similarity code holds at once, by measure
    SIMILARITY_ARRAYS = {"msd": 3, "cosine": 5, "pearson": 7, "pearson_baseline": 5}

    @classmethod
    def memory_needed(cls, params, n_users, n_items):
        p = {**cls.default_params(), **params}
        user_based = p["user_based"]
        n = n_users if user_based else n_items
        arrays = cls.SIMILARITY_ARRAYS.get(p["sim"], 7) + 1      # + recbench's neighbour lists
        other = "user_based=false (item-based" if user_based else "user_based=true (user-based"
        alternative = (f"use {other}, {n_items if user_based else n_users:,} x "
                       f"{n_items if user_based else n_users:,}) or itemknn, which keeps k "
                       f"neighbours per item")
        return (arrays * n * n * 8, f"Surprise's {n:,} x {n:,} "
                f"{'user' if user_based else 'item'} similarity arrays", alternative)

    def _surprise_kwargs(self):
        sim_options = {"name": self.sim, "user_based": self.user_based,
                       "min_support": self.min_support, "shrinkage": self.shrinkage}
        return {"k": self.k, "min_k": self.min_k, "sim_options": sim_options, "verbose": False}

    def _prepare(self):
        self.neighbours_, self.neighbour_ratings_ = neighbour_lists(self.model_.yr, self.model_.n_y)
        self.ratings_ = RatingsByNeighbour(self.neighbours_, self._deviations(),
                                           self.model_.sim.shape[0])

    def _deviations(self) -> list[np.ndarray]:
        """Per y, what its neighbours' ratings contribute (the ratings themselves here)."""
        return self.neighbour_ratings_

    def _fallback(self, u, i):
        """What Surprise returns for a pair with an unknown user or item."""
        return np.broadcast_to(np.float64(self.global_mean_), np.broadcast(u, i).shape).copy()

    def _combine(self, xs, ys, mean_dev, ok):
        return np.where(ok, mean_dev, self.global_mean_)

    def _estimates(self, xs, ys, sums) -> np.ndarray:
        sum_dev, sum_sim, count = sums
        ok = sum_sim != 0       # some neighbour counted (weights are positive)
        if self.min_k > 1:
            ok &= count >= self.min_k
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_dev = np.where(ok, sum_dev / sum_sim, 0.0)
        return self._combine(xs, ys, mean_dev, ok)

    def _block(self, u, i):
        out = self._fallback(u[:, None], i[None, :])
        xs, ys, view = (u, i, out) if self.user_based else (i, u, out.T)
        rows, cols = np.flatnonzero(xs >= 0), np.flatnonzero(ys >= 0)
        if len(rows) and len(cols):
            x, y = xs[rows], ys[cols]
            sums = knn_sums(self.model_.sim, x, y, self.ratings_, self.k)
            view[np.ix_(rows, cols)] = self._estimates(x[:, None], y[None, :], sums)
        return out

    def _pairs(self, u, i):
        out = self._fallback(u, i)
        xs, ys = (u, i) if self.user_based else (i, u)
        known = np.flatnonzero((u >= 0) & (i >= 0))
        x, y = xs[known], ys[known]
        out[known] = self._estimates(x, y, knn_pair_sums(self.model_.sim, x, y, self.ratings_, self.k))
        return out


class KNNBasic(_KNN):
    name = "knnbasic"
    description = "k-NN weighted average of neighbours' ratings (Surprise KNNBasic)."
    surprise_class = surprise.KNNBasic


class KNNWithMeans(_KNN):
    name = "knnwithmeans"
    description = "k-NN on mean-centred ratings (Surprise KNNWithMeans)."
    surprise_class = surprise.KNNWithMeans

    def _deviations(self):
        means = self.model_.means
        return [r - means[n] for n, r in zip(self.neighbours_, self.neighbour_ratings_)]

    def _combine(self, xs, ys, mean_dev, ok):
        return self.model_.means[xs] + mean_dev


class KNNBaseline(_KNN):
    name = "knnbaseline"
    description = "k-NN on ratings minus baseline estimates (Surprise KNNBaseline)."
    surprise_class = surprise.KNNBaseline
    param_constraints = _KNN.param_constraints | {
        "bsl_" + key: value for key, value in BaselineOnly.param_constraints.items()
        if key != "engine"}

    def __init__(self, k=40, min_k=1, sim="msd", user_based=True, min_support=1, shrinkage=100,
                 bsl_method="als", bsl_n_epochs=None, bsl_reg_u=None, bsl_reg_i=None,
                 bsl_reg=None, bsl_learning_rate=None):
        super().__init__(k, min_k, sim, user_based, min_support, shrinkage)
        self.bsl_method, self.bsl_n_epochs = bsl_method, bsl_n_epochs
        self.bsl_reg_u, self.bsl_reg_i = bsl_reg_u, bsl_reg_i
        self.bsl_reg, self.bsl_learning_rate = bsl_reg, bsl_learning_rate

    def _surprise_kwargs(self):
        kwargs = super()._surprise_kwargs()
        kwargs["bsl_options"] = baseline_options(self.get_params(), prefix="bsl_")
        return kwargs

    def _prepare(self):
        m = self.model_
        m.bx, m.by = np.asarray(m.bx), np.asarray(m.by)
        super()._prepare()

    def _deviations(self):
        m = self.model_
        return [r - (self.global_mean_ + m.bx[n] + m.by[y])
                for y, (n, r) in enumerate(zip(self.neighbours_, self.neighbour_ratings_))]

    def _fallback(self, u, i):
        return np.array(biased_mean(self.global_mean_, self.model_.bu, self.model_.bi, u, i), dtype=float)

    def _combine(self, xs, ys, mean_dev, ok):
        m = self.model_
        return self.global_mean_ + m.bx[xs] + m.by[ys] + mean_dev
