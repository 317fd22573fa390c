"""Features of (user, item) pairs that mean the same on any MovieLens-style dataset.

They are what makes transfer between datasets possible: the genre vocabulary is mapped to
one canonical list (ml-100k's "Children's" and ml-latest-small's "Children" are the same
column), title words are hashed into a fixed number of columns, and user and item
statistics are computed from whatever ratings the model is fitted on.

Per pair, in this column order (see ``PairFeatures.names``):

* user: damped mean rating, rating std, log(1 + count);
* item: damped mean rating, rating std, log(1 + count);
* item: 18 canonical genre indicators, release year (from the title), 16 hashed title words;
* user x genre: the user's damped mean-centred rating over items of each genre (18 columns),
  and their mean over the item's own genres (one column).

Damped mean: ``(sum + d * global_mean) / (count + d)`` with ``d = damping``. For the pairs a
model is trained on, every statistic is computed *leaving the pair's own rating out*, so the
model never learns from a feature that contains its target; at scoring time the full
statistics are used, exactly as for any unseen pair.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import HashingVectorizer

from recbench.algorithms.base import positions

GENRES = ("action", "adventure", "animation", "children", "comedy", "crime", "documentary",
          "drama", "fantasy", "film-noir", "horror", "musical", "mystery", "romance", "sci-fi",
          "thriller", "war", "western")
TITLE_FEATURES = 16
_YEAR = re.compile(r"\((\d{4})\)\s*$")


def canonical_genre(name: str) -> str:
    """``"Children's"`` -> ``"children"``; other names lower-cased."""
    g = name.strip().lower()
    return g[:-2] if g.endswith("'s") else g


def item_content(items: pd.DataFrame | None, item_ids) -> np.ndarray:
    """Genre indicators, release year and hashed title words for ``item_ids``
    (zeros and NaN year for items without metadata)."""
    ids = pd.Index(np.asarray(item_ids, dtype=str))
    genres = np.zeros((len(ids), len(GENRES)))
    year = np.full(len(ids), np.nan)
    titles = np.full(len(ids), "", dtype=object)
    if items is not None and len(items):
        meta = items.reindex(ids)
        col = {g: j for j, g in enumerate(GENRES)}
        for n, text in enumerate(meta.get("genres", pd.Series(index=ids, dtype=object)).fillna("")):
            for g in str(text).split("|"):
                j = col.get(canonical_genre(g))
                if j is not None:
                    genres[n, j] = 1.0
        title = meta.get("title", pd.Series(index=ids, dtype=object)).fillna("").astype(str)
        found = title.str.extract(_YEAR, expand=False)
        year = pd.to_numeric(found, errors="coerce").to_numpy(float)
        titles = title.str.replace(_YEAR, "", regex=True).to_numpy(dtype=object)
    hashed = HashingVectorizer(n_features=TITLE_FEATURES, alternate_sign=False, norm="l2",
                               binary=True).transform(titles).toarray()
    return np.column_stack([genres, year, hashed])


class PairFeatures:
    """Fitted on a ratings frame (and item metadata); turns (user, item) pairs into rows."""

    def __init__(self, damping: float = 5.0):
        self.damping = damping

    @property
    def names(self) -> list[str]:
        return (["user_mean", "user_std", "user_log_count", "item_mean", "item_std",
                 "item_log_count", *[f"genre_{g}" for g in GENRES], "year",
                 *[f"title_{j}" for j in range(TITLE_FEATURES)],
                 *[f"user_affinity_{g}" for g in GENRES], "user_affinity_item"])

    def fit(self, train: pd.DataFrame, items: pd.DataFrame | None) -> "PairFeatures":
        self.users_ = pd.Index(pd.unique(train["user"].to_numpy(dtype=str)))
        ids = pd.unique(np.r_[train["item"].to_numpy(dtype=str),
                              [] if items is None else items.index.to_numpy(dtype=str)])
        self.items_ = pd.Index(ids)
        self.content_ = item_content(items, self.items_)
        known_year = self.content_[:, len(GENRES)]
        self.year_fill_ = float(np.nanmean(known_year)) if np.isfinite(known_year).any() else 0.0
        u = positions(self.users_, train["user"])
        i = positions(self.items_, train["item"])
        r = train["rating"].to_numpy(float)
        self.global_mean_ = float(r.mean())
        self.user_sums_ = _sums(u, r, len(self.users_))
        self.item_sums_ = _sums(i, r, len(self.items_))
        dev = r - _damped(self.user_sums_[u, 0], self.user_sums_[u, 1], self.global_mean_, self.damping)
        g = self._genres(i)
        self.affinity_sum_ = np.zeros((len(self.users_), len(GENRES)))
        np.add.at(self.affinity_sum_, u, dev[:, None] * g)
        self.affinity_count_ = np.zeros((len(self.users_), len(GENRES)))
        np.add.at(self.affinity_count_, u, g)
        return self

    def _genres(self, i: np.ndarray) -> np.ndarray:
        return np.where((i >= 0)[:, None], self.content_[np.maximum(i, 0), :len(GENRES)], 0.0)

    def transform(self, users, items, ratings=None) -> np.ndarray:
        """Rows for the pairs; pass ``ratings`` for pairs of the fitted ratings to leave
        each pair's own rating out of its statistics."""
        u = positions(self.users_, users)
        i = positions(self.items_, items)
        own = np.zeros(len(u)) if ratings is None else np.asarray(ratings, float)
        held = 0.0 if ratings is None else 1.0
        us = _stat_block(self.user_sums_, u, own, held, self.global_mean_, self.damping)
        its = _stat_block(self.item_sums_, i, own, held, self.global_mean_, self.damping)
        content = np.where((i >= 0)[:, None], self.content_[np.maximum(i, 0)], 0.0)
        content[:, len(GENRES)] = np.where(np.isfinite(content[:, len(GENRES)]) & (i >= 0),
                                           content[:, len(GENRES)], self.year_fill_)
        g = content[:, :len(GENRES)]
        aff_sum = np.where((u >= 0)[:, None], self.affinity_sum_[np.maximum(u, 0)], 0.0)
        aff_cnt = np.where((u >= 0)[:, None], self.affinity_count_[np.maximum(u, 0)], 0.0)
        if ratings is not None:   # remove the pair's own deviation, as it was added in fit
            su = np.where((u >= 0)[:, None], self.user_sums_[np.maximum(u, 0)], 0.0)
            dev = own - _damped(su[:, 0], su[:, 1], self.global_mean_, self.damping)
            aff_sum = aff_sum - dev[:, None] * g
            aff_cnt = aff_cnt - g
        affinity = aff_sum / (aff_cnt + self.damping)
        n_genres = g.sum(axis=1)
        on_item = np.divide((affinity * g).sum(axis=1), n_genres, out=np.zeros(len(u)),
                            where=n_genres > 0)
        return np.column_stack([us, its, content, affinity, on_item])


def _sums(index: np.ndarray, r: np.ndarray, n: int) -> np.ndarray:
    """Per-entity [sum, count, sum of squares] of the ratings."""
    out = np.zeros((n, 3))
    np.add.at(out, index, np.column_stack([r, np.ones_like(r), r * r]))
    return out


def _damped(total, count, prior, damping):
    return (total + damping * prior) / (count + damping)


def _stat_block(sums, idx, own, held, global_mean, damping) -> np.ndarray:
    s = np.where((idx >= 0)[:, None], sums[np.maximum(idx, 0)], 0.0)
    total, count, sq = s[:, 0] - held * own, s[:, 1] - held, s[:, 2] - held * own * own
    count = np.maximum(count, 0.0)
    mean = _damped(total, count, global_mean, damping)
    raw_mean = np.divide(total, count, out=np.full(len(idx), global_mean), where=count > 0)
    var = np.divide(sq, count, out=np.zeros(len(idx)), where=count > 0) - raw_mean ** 2
    std = np.where(count > 1, np.sqrt(np.maximum(var, 0.0)), 0.0)
    return np.column_stack([mean, std, np.log1p(count)])
