"""The binary user x item interaction matrix shared by the top-N models, and their scoring.

On interaction data (:mod:`recbench.datasets.interactions`) every row is an interaction;
weighted interaction data also carries a ``weight`` column, which ``ials`` reads as
confidence (the other models use the binary matrix). On ratings the implicit-feedback rule
is the models' ``min_rating`` parameter: None makes every
training rating an interaction; a number keeps only ratings >= it. Users and items are
indexed over the whole training frame (sorted ids), so a user or item whose ratings are all
below ``min_rating`` is known, with an empty row or column.

:class:`InteractionModel` is the base of the seven ranking-only models (``itemknn``,
``userknn``, ``ease``, ``rp3beta``, ``puresvd``, ``ials``, ``bpr``): a subclass fits its
state and implements ``_block_scores(rows, cols)``, the dense scores of known users (row
positions) for known items (column positions), computed by matrix products over that block.
``score`` maps the ids and gives unknown users 0 everywhere and unknown items the row's
minimum over the requested known items (0 when there are none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from recbench.algorithms.base import Algorithm, positions
from recbench.runtime.memory import require_memory
from recbench.runtime.threads import blas_threads


@dataclass(frozen=True)
class Interactions:
    users: pd.Index
    items: pd.Index
    matrix: sparse.csr_matrix          # users x items, 1.0 where an interaction is kept


def build_interactions(train: pd.DataFrame, min_rating: float | None = None,
                       weighted: bool = False) -> Interactions:
    """The binary matrix of ``train`` under the ``min_rating`` rule (repeated pairs count once);
    with ``weighted`` and a ``weight`` column (weighted interaction data) the values are the
    pairs' weights instead (summed over repeated pairs)."""
    users = pd.Index(np.sort(train["user"].astype(str).unique()))
    items = pd.Index(np.sort(train["item"].astype(str).unique()))
    keep = np.ones(len(train), dtype=bool) if min_rating is None else \
        train["rating"].to_numpy(dtype=float) >= min_rating
    rows = users.get_indexer(train["user"].astype(str))[keep]
    cols = items.get_indexer(train["item"].astype(str))[keep]
    values = train["weight"].to_numpy(dtype=float)[keep] if weighted and "weight" in train \
        else np.ones(len(rows))
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(len(users), len(items)))
    matrix.sum_duplicates()
    if not (weighted and "weight" in train):
        matrix.data[:] = 1.0
    return Interactions(users, items, matrix)


class InteractionModel(Algorithm):
    """Ranking-only model over the binary interaction matrix (see the module docstring)."""

    needs_ratings = False
    predicts_ratings = False

    def _interactions(self, train: pd.DataFrame, weighted: bool = False) -> sparse.csr_matrix:
        """Build the matrix (``weighted``: of the weights, see :func:`build_interactions`),
        store the id indexes (``users_``, ``items_``), return it; a
        model whose ``memory_needed`` exceeds the memory budget at this matrix's size is
        refused here (recbench also checks it on the whole dataset before any fold)."""
        inter = build_interactions(train, self.min_rating, weighted)
        self.users_, self.items_ = inter.users, inter.items
        need = self.memory_needed(self.get_params(), *inter.matrix.shape)
        if need is not None:
            require_memory(self.name, *need)
        return inter.matrix

    def _block_scores(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def score(self, users, items) -> np.ndarray:
        upos, ipos = positions(self.users_, users), positions(self.items_, items)
        out = np.zeros((len(upos), len(ipos)))
        known_u, known_i = upos >= 0, ipos >= 0
        if known_u.any() and known_i.any():
            block = np.asarray(self._block_scores(upos[known_u], ipos[known_i]), dtype=float)
            if known_i.all():
                out[known_u] = block
            else:
                full = np.empty((len(block), len(ipos)))
                full[:, known_i] = block
                full[:, ~known_i] = block.min(axis=1, keepdims=True)
                out[known_u] = full
        return out


def dense(matrix) -> np.ndarray:
    """A sparse or dense product result as a dense float array."""
    return matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix)


def columns(matrix, cols: np.ndarray):
    """``matrix[:, cols]``, or ``matrix`` itself when ``cols`` is every column in order."""
    n = matrix.shape[1]
    if len(cols) == n and np.array_equal(cols, np.arange(n)):
        return matrix
    return matrix[:, cols]


class FactorModel(InteractionModel):
    """An interaction model whose scores are dot products of user and item factors
    (``user_factors_``, ``item_factors_``), computed over the requested block."""

    def _block_scores(self, rows, cols):
        with blas_threads():
            return self.user_factors_[rows] @ self.item_factors_[cols].T
