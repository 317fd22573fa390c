"""Surprise's ``NormalPredictor`` (``normalpredictor``): seeded random draws.
"""

from __future__ import annotations

import numpy as np

from recbench.algorithms.params import SEED
from recbench.algorithms.surprise.adapter import SurpriseAlgorithm, surprise


class NormalPredictor(SurpriseAlgorithm):
    """Random ratings from a normal distribution fitted to the training ratings."""

    name = "normalpredictor"
    description = "Random draws from N(mean, std) of the training ratings (Surprise NormalPredictor)."
    surprise_class = surprise.NormalPredictor
    param_constraints = {"random_state": SEED}

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _surprise_kwargs(self):
        return {}

    def _prepare(self):
        self.rng_ = np.random.default_rng(self.random_state)

    def _block(self, u, i):
        return self.rng_.normal(self.model_.trainset.global_mean, self.model_.sigma, (len(u), len(i)))

    def _pairs(self, u, i):
        return self.rng_.normal(self.model_.trainset.global_mean, self.model_.sigma, len(u))
