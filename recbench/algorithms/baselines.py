"""Non-personalised baselines: global mean, popularity, damped best-rated, random."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recbench.algorithms.base import Algorithm
from recbench.algorithms.params import SEED, FloatRange, Interval


class GlobalMean(Algorithm):
    """Predicts the training mean for every pair; its ranking is all ties (chance level)."""

    name = "globalmean"
    description = "Predicts the global mean rating; every item ties when ranking."
    param_constraints: dict = {}        # no parameters

    def __init__(self):
        pass

    def fit(self, train, items=None):
        self.mean_ = float(train["rating"].mean())
        return self

    def score(self, users, items):
        return np.full((len(users), len(items)), self.mean_)

    def predict(self, users, items):
        return np.full(len(users), self.mean_)


class Popularity(Algorithm):
    """Ranks items by how many training ratings (interactions) they have; makes no rating
    predictions. ``weighted=True`` sums the weights of weighted interaction data instead
    (plays, clicks; without a ``weight`` column it counts, as ``weighted=False``)."""

    name = "popularity"
    description = "Ranks items by their number of training ratings (most popular first)."
    needs_ratings = False
    predicts_ratings = False
    param_constraints = {"weighted": [bool]}

    def __init__(self, weighted=False):
        self.weighted = weighted

    def fit(self, train, items=None):
        if self.weighted and "weight" in train:
            self.counts_ = train.groupby("item", observed=True)["weight"].sum()
        else:
            self.counts_ = train["item"].value_counts()
        return self

    def score(self, users, items):
        row = self.counts_.reindex(pd.Index(np.asarray(items, dtype=object))).fillna(0).to_numpy(float)
        return np.broadcast_to(row, (len(users), len(row))).copy()


class BestRated(Algorithm):
    """Damped item mean: (sum of ratings + damping * global mean) / (count + damping)."""

    name = "bestrated"
    description = "Ranks and predicts by the item's mean rating shrunk towards the global mean."
    param_constraints = {"damping": [Interval(float, 0, None)]}   # 0: the plain item mean
    search_space = {"damping": FloatRange(0, 100)}

    def __init__(self, damping=5.0):
        self.damping = damping

    def fit(self, train, items=None):
        self.mean_ = float(train["rating"].mean())
        g = train.groupby("item", observed=True)["rating"]
        self.values_ = (g.sum() + self.damping * self.mean_) / (g.count() + self.damping)
        return self

    def _row(self, items):
        return self.values_.reindex(pd.Index(np.asarray(items, dtype=object))).fillna(self.mean_).to_numpy(float)

    def score(self, users, items):
        row = self._row(items)
        return np.broadcast_to(row, (len(users), len(row))).copy()

    def predict(self, users, items):
        return self._row(items)


class Random(Algorithm):
    """Uniform random scores in the training rating range, from a seeded generator."""

    name = "random"
    description = "Uniform random scores within the rating range (seeded)."
    param_constraints = {"random_state": SEED}

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, train, items=None):
        self.low_, self.high_ = float(train["rating"].min()), float(train["rating"].max())
        self.rng_ = np.random.default_rng(self.random_state)
        return self

    def score(self, users, items):
        return self.rng_.uniform(self.low_, self.high_, (len(users), len(items)))

    def predict(self, users, items):
        return self.rng_.uniform(self.low_, self.high_, len(users))
