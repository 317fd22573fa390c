"""Hybrids, defined as configuration over other registered algorithms (never copies).

``components`` lists registered algorithm names or Algorithm instances (cloned for each
fit, so ``WeightedHybrid(components=[SVD(n_factors=50), BestRated(damping=2)])`` works from
Python); ``params`` maps a component name to its parameters, e.g.
``--param 'hybrid.params={"svd": {"n_factors": 50}}'``.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
from sklearn.linear_model import Ridge

from recbench.algorithms.base import Algorithm, pair_scores
from recbench.algorithms.params import SEED, FloatRange, Interval, IntRange
from recbench.algorithms.spec import build, label_of, resolve_algorithms
from recbench.random import derive_seed
from recbench.splitting.folds import part

SHARE = [Interval(float, 0, 1, closed="neither")]
COMMON = {"params": [None, dict], "random_state": SEED}


def _components(components, params, random_state):
    """Fresh component models: a registered name (with ``params[name]``) or an Algorithm
    instance (cloned). A component without its own seed gets one derived from the hybrid's
    ``random_state`` and its label."""
    out = []
    for spec in resolve_algorithms(list(components)):
        if spec.instance is None:
            spec = dataclasses.replace(spec, params=(params or {}).get(spec.label, {}))
        algo = build(spec)
        if "random_state" in algo.get_params() and algo.get_params()["random_state"] is None:
            seed = None if random_state is None else derive_seed(random_state, "component",
                                                                  label_of(algo))
            algo.set_params(random_state=seed)
        out.append(algo)
    return out


def _validation_split(train, size, random_state):
    g = np.random.default_rng(random_state)
    mask = g.random(len(train)) < size
    return part(train, ~mask), part(train, mask)


def _zscore(block: np.ndarray) -> np.ndarray:
    """Each row standardised to mean 0 and std 1 (a constant row becomes 0)."""
    std = block.std(axis=1, keepdims=True)
    return np.where(std > 0, (block - block.mean(axis=1, keepdims=True)) / np.where(std > 0, std, 1), 0.0)


class WeightedHybrid(Algorithm):
    """Weighted blend: ratings = sum_c w_c * prediction_c; ranking = sum_c w_c * z_c where
    z_c is component c's score row standardised per user. ``weights=None`` and
    ``tune=True`` (default) pick weights on a grid (step 0.1, summing to 1) by the RMSE on a
    validation part (``validation_size`` of the training ratings, seeded), then refit on all
    training ratings; ``tune=False`` uses equal weights."""

    name = "hybrid"
    description = "Weighted blend of components' normalised scores (default svd + tfidf), weights tuned on validation."
    uses_item_features = True

    param_constraints = {"components": [list], "weights": [None, list], "tune": [bool],
                         "validation_size": SHARE, **COMMON}

    def __init__(self, components=("svd", "tfidf"), weights=None, tune=True, validation_size=0.1,
                 params=None, random_state=None):
        self.components, self.weights, self.tune = components, weights, tune
        self.validation_size, self.params, self.random_state = validation_size, params, random_state

    def fit(self, train, items=None):
        names = list(self.components)
        if self.weights is not None:
            weights = np.asarray(self.weights, float)
        elif self.tune and len(names) > 1:
            weights = self._tune(train, items, names)
        else:
            weights = np.full(len(names), 1.0 / len(names))
        self.weights_ = weights / weights.sum()
        self.models_ = [m.fit(train, items) for m in _components(names, self.params, self.random_state)]
        return self

    def _tune(self, train, items, names):
        fit_part, valid = _validation_split(train, self.validation_size, self.random_state)
        models = [m.fit(fit_part, items) for m in _components(names, self.params, self.random_state)]
        preds = np.array([m.predict(valid["user"].to_numpy(), valid["item"].to_numpy()) for m in models])
        truth = valid["rating"].to_numpy()
        grid = [w for w in itertools.product(np.arange(0, 11) / 10, repeat=len(names))
                if abs(sum(w) - 1) < 1e-9]
        errors = [np.mean((np.asarray(w) @ preds - truth) ** 2) for w in grid]
        return np.asarray(grid[int(np.argmin(errors))])

    def score(self, users, items):
        return sum(w * _zscore(np.asarray(m.score(users, items), float))
                   for w, m in zip(self.weights_, self.models_))

    def predict(self, users, items):
        return sum(w * np.asarray(m.predict(users, items), float)
                   for w, m in zip(self.weights_, self.models_))


class SwitchingHybrid(Algorithm):
    """The content filter where collaborative filtering has little to go on: a rating of
    (u, i) comes from ``content`` when u or i has fewer than ``min_ratings`` training
    ratings, from ``collaborative`` otherwise. Ranking switches per user (a row mixes no
    score scales)."""

    name = "switching"
    description = "Content filter for users/items with few ratings, collaborative filtering otherwise."
    uses_item_features = True

    param_constraints = {"collaborative": [str, Algorithm], "content": [str, Algorithm],
                         "min_ratings": [Interval(int, 0, None)], **COMMON}
    search_space = {"min_ratings": IntRange(0, 50)}    # (the weighted hybrid tunes itself)

    def __init__(self, collaborative="svd", content="tfidf", min_ratings=5, params=None,
                 random_state=None):
        self.collaborative, self.content, self.min_ratings = collaborative, content, min_ratings
        self.params, self.random_state = params, random_state

    def fit(self, train, items=None):
        self.cf_, self.cb_ = [m.fit(train, items) for m in _components(
            [self.collaborative, self.content], self.params, self.random_state)]
        self.user_counts_ = train["user"].value_counts()
        self.item_counts_ = train["item"].value_counts()
        return self

    def _sparse(self, counts, ids):
        return counts.reindex(np.asarray(ids, dtype=object)).fillna(0).to_numpy() < self.min_ratings

    def score(self, users, items):
        out = np.asarray(self.cf_.score(users, items), float)
        few = self._sparse(self.user_counts_, users)
        if few.any():
            out[few] = np.asarray(self.cb_.score(np.asarray(users)[few], items), float)
        return out

    def predict(self, users, items):
        out = np.asarray(self.cf_.predict(users, items), float)
        few = self._sparse(self.user_counts_, users) | self._sparse(self.item_counts_, items)
        if few.any():
            out[few] = self.cb_.predict(np.asarray(users)[few], np.asarray(items)[few])
        return out


class StackedHybrid(Algorithm):
    """A learned blender: scikit-learn ``Ridge`` fitted on a validation part to map the
    components' raw scores at (u, i) to the rating; components are then refitted on all
    training ratings. Ratings and ranking both use the blender's output."""

    name = "stacked"
    description = "Ridge regression over the components' scores (default svd, knnwithmeans, tfidf)."
    uses_item_features = True

    param_constraints = {"components": [list], "alpha": [Interval(float, 0, None)],
                         "validation_size": SHARE, **COMMON}
    search_space = {"alpha": FloatRange(1e-3, 1e3, log=True)}     # the ridge penalty

    def __init__(self, components=("svd", "knnwithmeans", "tfidf"), alpha=1.0,
                 validation_size=0.2, params=None, random_state=None):
        self.components, self.alpha, self.validation_size = components, alpha, validation_size
        self.params, self.random_state = params, random_state

    def fit(self, train, items=None):
        names = list(self.components)
        fit_part, valid = _validation_split(train, self.validation_size, self.random_state)
        models = [m.fit(fit_part, items) for m in _components(names, self.params, self.random_state)]
        X = np.column_stack([pair_scores(m, valid["user"], valid["item"]) for m in models])
        self.blender_ = Ridge(alpha=self.alpha).fit(X, valid["rating"].to_numpy())
        self.models_ = [m.fit(train, items) for m in _components(names, self.params, self.random_state)]
        return self

    def score(self, users, items):
        blocks = [np.asarray(m.score(users, items), float) for m in self.models_]
        return self.blender_.intercept_ + sum(c * b for c, b in zip(self.blender_.coef_, blocks))

    def predict(self, users, items):
        X = np.column_stack([pair_scores(m, users, items) for m in self.models_])
        return self.blender_.predict(X)
