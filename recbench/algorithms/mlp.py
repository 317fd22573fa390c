"""A scikit-learn MLP that scores (user, item) pairs from collaborative and content features."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from recbench.algorithms.base import Algorithm, positions
from recbench.algorithms.surprise_models import SVD


class MLPScorer(Algorithm):
    """``MLPRegressor`` on pair features, trained to predict the rating:

    * user and item latent factors (and their element-wise product) of a Surprise SVD fitted
      on the training fold (zeros for unknown users/items), and the SVD's biases;
    * the item's content: TF-IDF of its text reduced with ``TruncatedSVD``;
    * user and item mean rating and log(1 + number of ratings).

    Early stopping on a 10% validation share, seeded by ``random_state``; scoring is batched
    (``batch_pairs`` pairs at a time) so full rankings stay within memory.
    """

    name = "mlp"
    description = "scikit-learn MLPRegressor over SVD factors, TF-IDF item features and user/item statistics."
    uses_item_features = True

    def __init__(self, hidden_layer_sizes=(64, 32), n_factors=16, text_components=16, alpha=1e-4,
                 max_iter=40, max_train_pairs=200_000, batch_pairs=200_000, random_state=None):
        self.hidden_layer_sizes, self.n_factors, self.text_components = hidden_layer_sizes, n_factors, text_components
        self.alpha, self.max_iter, self.max_train_pairs = alpha, max_iter, max_train_pairs
        self.batch_pairs, self.random_state = batch_pairs, random_state

    def fit(self, train, items=None):
        self.svd_ = SVD(n_factors=self.n_factors, random_state=self.random_state).fit(train)
        m = self.svd_.model_
        self.users_, self.items_ = self.svd_.users_, self.svd_.items_
        self.item_text_ = self._text_features(items)
        self.global_mean_ = float(train["rating"].mean())
        self.user_stats_ = self._stats(train, "user", self.users_)
        self.item_stats_ = self._stats(train, "item", self.items_)
        self.pu_, self.qi_ = np.asarray(m.pu), np.asarray(m.qi)
        self.bu_, self.bi_ = np.asarray(m.bu), np.asarray(m.bi)
        rows = np.random.default_rng(self.random_state).permutation(len(train))[: self.max_train_pairs]
        sample = train.iloc[np.sort(rows)]
        X = self._features(positions(self.users_, sample["user"]), positions(self.items_, sample["item"]),
                           sample["item"].to_numpy(dtype=str))
        self.scaler_ = StandardScaler().fit(X)
        self.mlp_ = MLPRegressor(hidden_layer_sizes=tuple(self.hidden_layer_sizes), alpha=self.alpha,
                                 max_iter=self.max_iter, early_stopping=True,
                                 random_state=self.random_state)
        self.mlp_.fit(self.scaler_.transform(X), sample["rating"].to_numpy(float))
        return self

    def _text_features(self, items):
        if items is None or "text" not in items or not items["text"].str.strip().any():
            return pd.DataFrame(index=pd.Index([], name="item"))
        tfidf = TfidfVectorizer(min_df=2, sublinear_tf=True).fit_transform(items["text"].fillna(""))
        n = max(1, min(self.text_components, tfidf.shape[1] - 1))
        dense = TruncatedSVD(n, random_state=self.random_state or 0).fit_transform(tfidf)
        return pd.DataFrame(dense, index=items.index.astype(str))

    def _stats(self, train, col, index):
        g = train.groupby(col)["rating"]
        return np.column_stack([g.mean().reindex(index).to_numpy(),
                                np.log1p(g.count().reindex(index).to_numpy())])

    def _features(self, u, i, item_ids):
        ku, ki = (u >= 0)[:, None], (i >= 0)[:, None]
        pu = np.where(ku, self.pu_[np.maximum(u, 0)], 0.0)
        qi = np.where(ki, self.qi_[np.maximum(i, 0)], 0.0)
        us = np.where(ku, self.user_stats_[np.maximum(u, 0)], [self.global_mean_, 0.0])
        its = np.where(ki, self.item_stats_[np.maximum(i, 0)], [self.global_mean_, 0.0])
        bias = np.column_stack([np.where(ku[:, 0], self.bu_[np.maximum(u, 0)], 0.0),
                                np.where(ki[:, 0], self.bi_[np.maximum(i, 0)], 0.0)])
        text = self.item_text_.reindex(item_ids).fillna(0.0).to_numpy() if len(self.item_text_.columns) \
            else np.zeros((len(u), 0))
        return np.hstack([pu, qi, pu * qi, us, its, bias, text])

    def predict(self, users, items):
        users, items = np.asarray(users, dtype=str), np.asarray(items, dtype=str)
        u, i = positions(self.users_, users), positions(self.items_, items)
        out = np.empty(len(u))
        for start in range(0, len(u), self.batch_pairs):
            sl = slice(start, start + self.batch_pairs)
            out[sl] = self.mlp_.predict(self.scaler_.transform(self._features(u[sl], i[sl], items[sl])))
        return out

    def score(self, users, items):
        users, items = np.asarray(users, dtype=str), np.asarray(items, dtype=str)
        flat = self.predict(np.repeat(users, len(items)), np.tile(items, len(users)))
        return flat.reshape(len(users), len(items))
