"""TF-IDF content-based filter over item text."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from recbench.algorithms.base import Algorithm, positions
from recbench.algorithms.neighbourhood import aggregate
from recbench.algorithms.params import Choice, Interval, IntRange


class TfidfContent(Algorithm):
    """Content filter on the items' ``text`` (title, genres, tags, ...).

    * item vectors: scikit-learn ``TfidfVectorizer`` over the item text, rows L2-normalised;
      items without text get a zero vector.
    * user profile: sum over the user's training items of (rating - user mean) * item vector.
    * ranking score: cosine similarity between the profile and the item vector (0 for unknown
      users and items).
    * rating prediction: user mean + sum_j sim(i, j) (r_uj - user mean) / sum_j sim(i, j) over
      the ``k`` items j the user rated that are most similar to i (positive similarities only);
      the user mean when none qualifies; the global mean for unknown users.
    """

    name = "tfidf"
    description = "TF-IDF content filter: cosine to a mean-centred user profile; k-NN over rated items for ratings."
    uses_item_features = True
    # min_df as scikit-learn takes it: a document count >= 1, or a share of the items in (0, 1]
    param_constraints = {
        "k": [Interval(int, 1, 10**9)],
        "min_df": [Interval(int, 1, 10**9), Interval(float, 0, 1, closed="right")],
        "max_features": [None, Interval(int, 1, None)],
        "sublinear_tf": [bool],
    }
    search_space = {"k": IntRange(5, 200, log=True), "min_df": IntRange(1, 10),
                    "sublinear_tf": Choice([True, False])}

    def __init__(self, k=40, min_df=1, max_features=50000, sublinear_tf=True):
        self.k, self.min_df, self.max_features, self.sublinear_tf = k, min_df, max_features, sublinear_tf

    def fit(self, train, items=None):
        item_ids = pd.Index(pd.unique(np.r_[train["item"].to_numpy(dtype=str),
                                            [] if items is None else items.index.to_numpy(dtype=str)]))
        text = pd.Series("", index=item_ids)
        if items is not None and "text" in items:
            text.update(items["text"].astype(str).reindex(item_ids).fillna(""))
        vec = TfidfVectorizer(min_df=self.min_df, max_features=self.max_features,
                              sublinear_tf=self.sublinear_tf, token_pattern=r"(?u)\b[\w'-]+\b")
        try:
            X = vec.fit_transform(text.to_numpy())
        except ValueError:           # no text at all: every vector is zero
            X = sparse.csr_matrix((len(item_ids), 1))
        self.items_ = item_ids
        self.X_ = normalize(X.tocsr())
        self.global_mean_ = float(train["rating"].mean())
        means = train.groupby("user", sort=False, observed=True)["rating"].mean()
        self.users_ = pd.Index(means.index.to_numpy(dtype=str))
        self.user_means_ = means.to_numpy(float)
        u = positions(self.users_, train["user"])
        i = positions(self.items_, train["item"])
        centred = train["rating"].to_numpy(float) - self.user_means_[u]
        self.R_ = sparse.csr_matrix((centred, (u, i)), shape=(len(self.users_), len(item_ids)))
        self.profiles_ = normalize(self.R_ @ self.X_)
        return self

    def score(self, users, items):
        u, i = positions(self.users_, users), positions(self.items_, items)
        P = self.profiles_[np.maximum(u, 0)]
        X = self.X_[np.maximum(i, 0)]
        out = np.asarray((P @ X.T).todense(), dtype=float)
        out[u < 0, :] = 0.0
        out[:, i < 0] = 0.0
        return out

    def predict(self, users, items):
        u, i = positions(self.users_, users), positions(self.items_, items)
        out = np.full(len(u), self.global_mean_)
        known_u = np.flatnonzero(u >= 0)
        out[known_u] = self.user_means_[u[known_u]]
        todo = known_u[i[known_u] >= 0]
        order = todo[np.argsort(u[todo], kind="stable")]
        for idx in np.split(order, np.flatnonzero(np.diff(u[order])) + 1):
            if not len(idx):
                continue
            user = u[idx[0]]
            row = self.R_[user]
            rated, devs = row.indices, row.data
            sims = np.asarray((self.X_[i[idx]] @ self.X_[rated].T).todense(), dtype=float)
            mean_dev, _ = aggregate(sims, devs, self.k, 1)
            out[idx] = self.user_means_[user] + mean_dev
        return out
