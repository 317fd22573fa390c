"""scikit-learn MLPs that score (user, item) pairs.

* ``MLPScorer`` (``mlp``): shared pair features (``features.PairFeatures``) plus the latent
  factors of a Surprise SVD and the item's TF-IDF text reduced with ``TruncatedSVD``.
* ``TransferMLP`` (``mlp-transfer``): the shared pair features only, so a network pre-trained
  on one dataset (e.g. ml-latest-small) can be fine-tuned on another (e.g. ml-100k).

Both train with the same loop (``train_mlp``): one epoch of ``MLPRegressor.fit`` with
``warm_start=True`` and ``max_iter=1`` (a fresh Adam optimiser at ``learning_rate_init``,
starting from the current weights when there are any), then epochs of ``partial_fit``; early stopping on a seeded 10% validation share of the
training pairs with a patience of ``PATIENCE`` epochs, keeping the best epoch's weights.
The loop is written out rather than left to ``early_stopping=True`` because scikit-learn
carries ``best_validation_score_`` over a warm start: a fine-tune would be judged against
the source dataset's validation score and could silently return the pre-trained weights."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd
from sklearn.decomposition import TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from recbench.algorithms.base import Algorithm, positions
from recbench.algorithms.neural.features import PairFeatures
from recbench.algorithms.params import SEED, FloatRange, Interval, IntRange
from recbench.algorithms.surprise.svd import SVD
from recbench.splitting.folds import part

PATIENCE = 3
VALIDATION_SHARE = 0.1


def train_mlp(mlp: MLPRegressor, X: np.ndarray, y: np.ndarray, max_epochs: int,
              rng: np.random.Generator) -> MLPRegressor:
    """Train ``mlp`` (fresh or already fitted) epoch by epoch with early stopping on a
    validation share; returns it holding the weights of its best validation epoch."""
    order = rng.permutation(len(y))
    n_val = max(1, int(round(VALIDATION_SHARE * len(y)))) if len(y) >= 20 else 0
    val, fit_rows = order[:n_val], order[n_val:]
    mlp.set_params(warm_start=True, max_iter=1, early_stopping=False, shuffle=True,
                   random_state=int(rng.integers(2**31)))
    best, best_loss, waited = None, np.inf, 0
    if hasattr(mlp, "coefs_") and n_val:
        best_loss = float(np.mean((mlp.predict(X[val]) - y[val]) ** 2))
        best = (copy.deepcopy(mlp.coefs_), copy.deepcopy(mlp.intercepts_))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for epoch in range(max_epochs):
            if epoch == 0:   # a new Adam optimiser at learning_rate_init, weights kept if any
                mlp.fit(X[fit_rows], y[fit_rows])
            else:            # one more epoch, the optimiser's state carried on
                mlp.partial_fit(X[fit_rows], y[fit_rows])
            if not n_val:
                continue
            loss = float(np.mean((mlp.predict(X[val]) - y[val]) ** 2))
            if loss < best_loss - 1e-5:
                best_loss, waited = loss, 0
                best = (copy.deepcopy(mlp.coefs_), copy.deepcopy(mlp.intercepts_))
            else:
                waited += 1
                if waited >= PATIENCE:
                    break
    if best is not None:
        mlp.coefs_, mlp.intercepts_ = best
    mlp.random_state = None  # the seed was only for this loop; keep the model plain
    return mlp


class PairMLP(Algorithm):
    """Batched prediction and full-catalogue scoring for an MLP over pair features."""

    uses_item_features = True
    batch_pairs = 200_000

    def _pair_features(self, users, items, ratings=None) -> np.ndarray:
        raise NotImplementedError

    def predict(self, users, items):
        users, items = np.asarray(users, dtype=str), np.asarray(items, dtype=str)
        out = np.empty(len(users))
        for start in range(0, len(users), self.batch_pairs):
            sl = slice(start, start + self.batch_pairs)
            X = self.scaler_.transform(self._pair_features(users[sl], items[sl]))
            out[sl] = self.mlp_.predict(X)
        return out

    def score(self, users, items):
        users, items = np.asarray(users, dtype=str), np.asarray(items, dtype=str)
        flat = self.predict(np.repeat(users, len(items)), np.tile(items, len(users)))
        return flat.reshape(len(users), len(items))

    def _new_mlp(self) -> MLPRegressor:
        return MLPRegressor(hidden_layer_sizes=tuple(self.hidden_layer_sizes), alpha=self.alpha,
                            batch_size=256)

    @staticmethod
    def _sample(train: pd.DataFrame, limit: int, rng: np.random.Generator) -> pd.DataFrame:
        if len(train) <= limit:
            return train
        return part(train, np.sort(rng.permutation(len(train))[:limit]))


class MLPScorer(PairMLP):
    """``MLPRegressor`` on pair features, trained to predict the rating:

    * the shared pair features of ``features.PairFeatures`` (user/item statistics, genres,
      year, title words, user genre affinities), leave-one-out on the training pairs;
    * from a Surprise SVD (matrix factorisation) with ``n_factors`` factors: the user and item
      biases, the factor dot product ``q_i . p_u``, the factor norms and the SVD's prediction;
    * the item's TF-IDF text reduced with ``TruncatedSVD`` to ``text_components`` columns.

    The SVD features of the training pairs are *cross-fitted*: the training ratings are split
    in two halves and each half gets its features from an SVD fitted on the other half, so
    the network sees the factors as they behave on ratings the SVD did not fit (an SVD's own
    training pairs are fitted far better than new ones, and a network trained on them learns
    to over-trust it). Scoring uses an SVD fitted on the whole training fold. Only quantities
    that do not change when the factor space is rotated are used: raw factor coordinates of
    two different fits are not comparable.
    """

    name = "mlp"
    description = ("scikit-learn MLPRegressor over SVD (cross-fitted), TF-IDF item features, "
                   "user/item statistics and genre affinities.")

    param_constraints = {
        "hidden_layer_sizes": [list], "n_factors": [Interval(int, 1, 1000)],
        "text_components": [Interval(int, 1, 1000)], "alpha": [Interval(float, 0, None)],
        "max_iter": [Interval(int, 1, 10_000)], "max_train_pairs": [Interval(int, 10, None)],
        "random_state": SEED,
    }
    # the L2 penalty and the SVD features' size (the layer sizes are a list: fix them)
    search_space = {"alpha": FloatRange(1e-5, 1e-1, log=True),
                    "n_factors": IntRange(5, 100, log=True)}

    def __init__(self, hidden_layer_sizes=(64, 32), n_factors=20, text_components=16,
                 alpha=1e-3, max_iter=30, max_train_pairs=200_000, random_state=None):
        self.hidden_layer_sizes, self.n_factors, self.text_components = hidden_layer_sizes, n_factors, text_components
        self.alpha, self.max_iter = alpha, max_iter
        self.max_train_pairs, self.random_state = max_train_pairs, random_state

    def fit(self, train, items=None):
        rng = np.random.default_rng(self.random_state)
        self.pairs_ = PairFeatures().fit(train, items)
        self.item_text_ = self._text_features(items)
        sample = self._sample(train, self.max_train_pairs, rng)
        half = rng.permutation(len(sample)) % 2
        svd_part = np.empty((len(sample), 6))
        for h in (0, 1):
            other = SVD(n_factors=self.n_factors, random_state=self.random_state).fit(sample[half != h])
            mine = sample[half == h]
            svd_part[half == h] = _svd_features(other, mine["user"].to_numpy(str),
                                                mine["item"].to_numpy(str))
        self.svd_ = SVD(n_factors=self.n_factors, random_state=self.random_state).fit(train)
        users, items_ = sample["user"].to_numpy(str), sample["item"].to_numpy(str)
        X = self._pair_features(users, items_, sample["rating"].to_numpy(float), svd_part)
        self.scaler_ = StandardScaler().fit(X)
        self.mlp_ = train_mlp(self._new_mlp(), self.scaler_.transform(X),
                              sample["rating"].to_numpy(float), self.max_iter, rng)
        return self

    def _text_features(self, items):
        if items is None or "text" not in items or not items["text"].str.strip().any():
            return pd.DataFrame(index=pd.Index([], name="item"))
        tfidf = TfidfVectorizer(min_df=2, sublinear_tf=True).fit_transform(items["text"].fillna(""))
        n = max(1, min(self.text_components, tfidf.shape[1] - 1))
        seed = 0 if self.random_state is None else self.random_state
        dense = TruncatedSVD(n, random_state=seed).fit_transform(tfidf)
        return pd.DataFrame(dense, index=items.index.astype(str))

    def _pair_features(self, users, items, ratings=None, svd_part=None):
        if svd_part is None:
            svd_part = _svd_features(self.svd_, users, items)
        text = self.item_text_.reindex(items).fillna(0.0).to_numpy() \
            if len(self.item_text_.columns) else np.zeros((len(users), 0))
        return np.hstack([self.pairs_.transform(users, items, ratings), svd_part, text])


def _svd_features(svd: SVD, users, items) -> np.ndarray:
    """Rotation-invariant SVD features: b_u, b_i, q_i . p_u, |p_u|, |q_i| and the prediction
    (zeros for users or items the SVD has not seen, as in Surprise)."""
    m = svd.model_
    u, i = positions(svd.users_, users), positions(svd.items_, items)
    ku, ki = u >= 0, i >= 0
    pu = np.where(ku[:, None], np.asarray(m.pu)[np.maximum(u, 0)], 0.0)
    qi = np.where(ki[:, None], np.asarray(m.qi)[np.maximum(i, 0)], 0.0)
    bu = np.where(ku, np.asarray(m.bu)[np.maximum(u, 0)], 0.0)
    bi = np.where(ki, np.asarray(m.bi)[np.maximum(i, 0)], 0.0)
    dot = (pu * qi).sum(axis=1)
    return np.column_stack([bu, bi, dot, np.linalg.norm(pu, axis=1), np.linalg.norm(qi, axis=1),
                            svd.predict(users, items)])
