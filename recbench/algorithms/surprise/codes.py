"""A training frame coded the way Surprise's trainset codes it, as integer numpy arrays.

Surprise (``Dataset.construct_trainset``) gives users and items inner ids 0, 1, 2... in the
order they first appear in the raw ratings, keeps each user's ratings (``ur[u]``) and each
item's (``ir[i]``) in insertion order, and ``all_ratings()`` walks the users in inner-id
order, each user's ratings in that order. ``CodedRatings`` holds the same, so the compiled
fits (``compiled_fits``) visit the ratings exactly as Surprise's loops do:

* ``u, i, r``: the ratings in ``all_ratings()`` order, user ``u``'s at
  ``user_indptr[u]:user_indptr[u + 1]`` (``ur[u]``);
* ``item_users, item_ratings``: the ratings item by item, item ``i``'s at
  ``item_indptr[i]:item_indptr[i + 1]`` in insertion order (``ir[i]``);
* ``global_mean``: ``np.mean`` over the ratings in ``all_ratings()`` order, as
  ``Trainset.global_mean`` computes it.

``CodedTrainset`` is a Surprise ``Trainset`` on these codes whose Python ``ur``/``ir`` dicts
are only built if something asks for them (Surprise's own ``predict``/``estimate``).
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

import numpy as np
import pandas as pd

from recbench.algorithms.surprise._import import import_surprise

surprise = import_surprise()


def _grouped(codes: np.ndarray, n: int):
    """A stable permutation grouping ``codes`` 0..n-1 and the offsets of each group."""
    order = np.argsort(codes, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(codes, minlength=n), out=indptr[1:])
    return order, indptr


class CodedRatings:
    """The ratings of ``train`` (``user``, ``item``, ``rating``; row order = raw order)."""

    def __init__(self, train: pd.DataFrame):
        user_codes, users = pd.factorize(train["user"].to_numpy(dtype=object))
        item_codes, items = pd.factorize(train["item"].to_numpy(dtype=object))
        ratings = train["rating"].to_numpy(dtype=float)
        self.users, self.items = pd.Index(users.tolist()), pd.Index(items.tolist())
        self.n_users, self.n_items = len(users), len(items)
        self.rating_scale = (float(ratings.min()), float(ratings.max()))
        by_user, self.user_indptr = _grouped(user_codes, self.n_users)
        self.u = user_codes[by_user].astype(np.int64)
        self.i = item_codes[by_user].astype(np.int64)
        self.r = np.ascontiguousarray(ratings[by_user])
        by_item, self.item_indptr = _grouped(item_codes, self.n_items)
        self.item_users = user_codes[by_item].astype(np.int64)
        self.item_ratings = np.ascontiguousarray(ratings[by_item])
        self.global_mean = float(np.mean(self.r))

    def trainset(self) -> "CodedTrainset":
        return CodedTrainset(self)


class CodedTrainset(surprise.Trainset):
    """Surprise's ``Trainset`` of ``CodedRatings``: ids, counts and mean at once, the
    ``ur``/``ir`` lists of (inner id, rating) tuples on first access."""

    def __init__(self, coded: CodedRatings):      # Trainset.__init__ would need ur and ir
        self._coded = coded
        self.n_users, self.n_items, self.n_ratings = coded.n_users, coded.n_items, len(coded.r)
        self.rating_scale = coded.rating_scale
        self._raw2inner_id_users = dict(zip(coded.users.tolist(), range(coded.n_users)))
        self._raw2inner_id_items = dict(zip(coded.items.tolist(), range(coded.n_items)))
        self._global_mean = coded.global_mean
        self._inner2raw_id_users = self._inner2raw_id_items = None

    @staticmethod
    def _lists(indptr, ids, ratings) -> defaultdict:
        pairs, bounds = list(zip(ids.tolist(), ratings.tolist())), indptr.tolist()
        return defaultdict(list, {x: pairs[bounds[x]:bounds[x + 1]] for x in range(len(bounds) - 1)})

    @cached_property
    def ur(self) -> defaultdict:
        c = self._coded
        return self._lists(c.user_indptr, c.i, c.r)

    @cached_property
    def ir(self) -> defaultdict:
        c = self._coded
        return self._lists(c.item_indptr, c.item_users, c.item_ratings)
