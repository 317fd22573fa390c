"""An example recbench plugin: ranks and predicts by a damped per-user-shifted item mean."""

import numpy as np
import pandas as pd

from recbench.algorithms import Algorithm


class ItemMean(Algorithm):
    """score(u, i) = user offset + (sum of i's ratings + damping * mean) / (count + damping)."""

    name = "itemmean"
    description = "Example plugin: damped item mean plus the user's offset from the global mean."

    def __init__(self, damping=10.0):
        self.damping = damping

    def fit(self, train, items=None):
        self.mean_ = float(train["rating"].mean())
        g = train.groupby("item")["rating"]
        self.item_ = (g.sum() + self.damping * self.mean_) / (g.count() + self.damping)
        self.user_ = train.groupby("user")["rating"].mean() - self.mean_
        return self

    def _items(self, items):
        return self.item_.reindex(pd.Index(np.asarray(items, dtype=object))).fillna(self.mean_).to_numpy()

    def _users(self, users):
        return self.user_.reindex(pd.Index(np.asarray(users, dtype=object))).fillna(0.0).to_numpy()

    def score(self, users, items):
        return self._users(users)[:, None] + self._items(items)[None, :]

    def predict(self, users, items):
        return self._users(users) + self._items(items)
