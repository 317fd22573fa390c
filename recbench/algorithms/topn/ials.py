"""``ials`` and ``bpr``: factor models for implicit feedback, fitted by the ``implicit`` package
(its CPU models). They keep only the learned factors, so a fitted model pickles without
``implicit``'s objects; scores are factor dot products over the requested block.

Threads: iALS solves each user's (item's) least squares independently and uses
:func:`recbench.execution.thread_budget` threads; BLAS is held to one thread while it fits
(``implicit``'s own advice). BPR always uses one thread: its parallel SGD is not
deterministic. Neither prints: progress bars are off."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from recbench.algorithms.params import SEED, FloatRange, Interval, IntRange
from recbench.algorithms.topn.interactions import FactorModel
from recbench.runtime.threads import thread_budget


class IALS(FactorModel):
    """Implicit alternating least squares (Hu, Koren & Volinsky, "Collaborative filtering
    for implicit feedback datasets", ICDM 2008), ranking only, via
    ``implicit.cpu.als.AlternatingLeastSquares``.

    With p_ui = 1 for an interaction (else 0) and Hu et al.'s confidence c_ui = 1 + α p_ui
    (α = ``alpha``; passed to ``implicit`` as its interaction confidence 1 + α), it
    minimises, alternating between users and items::

        sum_{u,i} c_ui (p_ui − x_uᵀ y_i)² + λ (sum_u |x_u|² + sum_i |y_i|²)
        score(u, i) = x_uᵀ y_i

    Defaults ``factors=100, alpha=0, iterations=15`` are ``implicit``'s own (0.7; its
    default confidence 1 is α = 0 here). Its regularization 0.01 is far too weak at 100
    factors on MovieLens-sized data (iALS needs its regularization tuned: Rendle et al.,
    "Revisiting the performance of iALS on item recommendation benchmarks", RecSys 2022),
    so ``regularization=10`` was chosen, with α, from a small grid (factors 50 or 100, α in
    {0, 1, 4, 40} with Hu et al.'s 40, regularization 0.01 to 100) on two folds of
    ml-latest-small: another dataset than the ml-100k benchmarks, so no ml-100k test fold
    chose it. ``random_state`` seeds the initial factors; the same value gives the same
    scores. ``min_rating``: None counts every training rating as an interaction; a number
    keeps only ratings >= it.

    Weighted interaction data (a ``weight`` column: plays, clicks, counts; repeated pairs
    counted) gives the weight w_ui as confidence, ``implicit``'s convention
    c_ui = 1 + α w_ui (the matrix handed to ``implicit`` holds 1 + α w_ui, its own alpha 1);
    unweighted data is w_ui = 1, the formula above. With α = 0 (the default) every
    confidence is 1 and weights change nothing: give ``alpha`` (e.g. 1 to 40) for them to
    count.
    """

    name = "ials"
    description = "Implicit ALS (Hu, Koren & Volinsky 2008) via the implicit package (ranking only)."
    param_constraints = {"factors": [Interval(int, 1, None)],
                         "regularization": [Interval(float, 0, None)],
                         "alpha": [Interval(float, 0, None)],
                         "iterations": [Interval(int, 1, None)],
                         "min_rating": [None, Interval(float)], "random_state": SEED}
    # factors and regularization log-uniform (Rendle et al. 2022 tune both on a log grid);
    # alpha uniform from 0, because the default alpha = 0 (confidence 1) must be a point of
    # the space for trial 0 and a log scale cannot hold 0; Hu et al.'s 40 lies inside
    search_space = {"factors": IntRange(8, 256, log=True),
                    "regularization": FloatRange(1e-2, 1e3, log=True),
                    "alpha": FloatRange(0, 50)}

    def __init__(self, factors=100, regularization=10.0, alpha=0.0, iterations=15,
                 min_rating=None, random_state=None):
        self.factors, self.regularization, self.alpha = factors, regularization, alpha
        self.iterations, self.min_rating, self.random_state = iterations, min_rating, random_state

    def fit(self, train, items=None):
        from implicit.cpu.als import AlternatingLeastSquares

        x = self._interactions(train, weighted=True).astype(np.float32)
        x.data = (1.0 + float(self.alpha) * x.data).astype(np.float32)   # c_ui = 1 + α w_ui
        with threadpool_limits(limits=1, user_api="blas"):
            model = AlternatingLeastSquares(
                factors=self.factors, regularization=float(self.regularization),
                alpha=1.0, iterations=self.iterations, dtype=np.float32,
                num_threads=thread_budget(), random_state=self.random_state)
            model.fit(x, show_progress=False)
        self.user_factors_ = np.asarray(model.user_factors, dtype=float)
        self.item_factors_ = np.asarray(model.item_factors, dtype=float)
        return self
