"""``ials`` and ``bpr``: factor models for implicit feedback, fitted by the ``implicit`` package
(its CPU models). They keep only the learned factors, so a fitted model pickles without
``implicit``'s objects; scores are factor dot products over the requested block.

Threads: iALS solves each user's (item's) least squares independently and uses
:func:`recbench.execution.thread_budget` threads; BLAS is held to one thread while it fits
(``implicit``'s own advice). BPR always uses one thread: its parallel SGD is not
deterministic. Neither prints: progress bars are off."""

from __future__ import annotations

import numpy as np

from recbench.algorithms.params import SEED, FloatRange, Interval, IntRange
from recbench.algorithms.topn.interactions import FactorModel


class BPR(FactorModel):
    """Bayesian personalised ranking (Rendle, Freudenthaler, Gantner & Schmidt-Thieme,
    UAI 2009), ranking only, via ``implicit.cpu.bpr.BayesianPersonalizedRanking``.

    SGD over sampled triples (u, i, j) with i an item of u and j one that is not::

        maximise sum ln σ(x̂_ui − x̂_uj) − λ |Θ|²,   x̂_ui = x_uᵀ y_i + b_i
        score(u, i) = x_uᵀ y_i + b_i

    Defaults ``factors=100, learning_rate=0.01, regularization=0.01, iterations=100`` are
    ``implicit``'s own (0.7). One thread, so that the same ``random_state`` gives the same
    scores. A known user without interactions (all below ``min_rating``) keeps only the item
    bias b_i, not its random initial factors. ``min_rating``: None counts every training
    rating as an interaction; a number keeps only ratings >= it. Weights of weighted
    interaction data are not used: ``implicit``'s BPR samples an interaction (u, i)
    uniformly among the non-zero entries, whatever their values, so BPR sees the binary
    matrix (a repeated pair is one interaction).
    """

    name = "bpr"
    description = "Bayesian personalised ranking (Rendle et al. 2009) via the implicit package (ranking only)."
    param_constraints = {"factors": [Interval(int, 1, None)],
                         "learning_rate": [Interval(float, 0, None, closed="neither")],
                         "regularization": [Interval(float, 0, None)],
                         "iterations": [Interval(int, 1, None)],
                         "min_rating": [None, Interval(float)], "random_state": SEED}
    # Ferrari Dacrema et al. (RecSys 2019), MF-BPR: factors 1-200, learning rate 1e-4-1e-1
    # and regularisation 1e-5-1e-2, log-uniform
    search_space = {"factors": IntRange(1, 200, log=True),
                    "learning_rate": FloatRange(1e-4, 1e-1, log=True),
                    "regularization": FloatRange(1e-5, 1e-2, log=True)}

    def __init__(self, factors=100, learning_rate=0.01, regularization=0.01, iterations=100,
                 min_rating=None, random_state=None):
        self.factors, self.learning_rate, self.regularization = factors, learning_rate, regularization
        self.iterations, self.min_rating, self.random_state = iterations, min_rating, random_state

    def fit(self, train, items=None):
        from implicit.cpu.bpr import BayesianPersonalizedRanking

        x = self._interactions(train).astype(np.float32)
        model = BayesianPersonalizedRanking(
            factors=self.factors, learning_rate=float(self.learning_rate),
            regularization=float(self.regularization), iterations=self.iterations,
            dtype=np.float32, num_threads=1, random_state=self.random_state)
        model.fit(x, show_progress=False)
        users = np.asarray(model.user_factors, dtype=float)     # last column: 1 (bias weight)
        users[np.diff(x.indptr) == 0, :-1] = 0.0
        self.user_factors_ = users
        self.item_factors_ = np.asarray(model.item_factors, dtype=float)   # last: b_i
        return self
