"""Splits of a dataset into train/test folds.

A split is named by a :class:`SplitSpec` (the split and its options, validated once) and
made by a registered splitter (:mod:`recbench.splitting.registry`): ``kfold`` and ``holdout``
(:mod:`.random_splits`), ``user`` (:mod:`.per_user`), ``temporal`` (:mod:`.temporal`). A
dataset's own folds (ml-100k's ``u1``..``u5``, ``ua``, ``ub``, ``u1-u5``) belong to the
dataset (:mod:`.predefined`). Adding a split: its module (a function and its ``register``
call, with any new :class:`SplitOption`), its import below, its test.
"""

from __future__ import annotations

import numpy as np

from recbench.datasets import Dataset
from recbench.splitting import options as _options  # noqa: F401  (the shared split options)
from recbench.splitting import per_user as _per_user  # noqa: F401  (registers "user")
from recbench.splitting import random_splits as _random  # noqa: F401  (kfold, holdout)
from recbench.splitting import temporal as _temporal  # noqa: F401  (registers "temporal")
from recbench.splitting.folds import Fold
from recbench.splitting.spec import SplitSpec, descriptions, names

__all__ = ["Fold", "SplitSpec", "make_folds", "split_names", "descriptions"]


def split_names(dataset: Dataset) -> list[str]:
    return names(dataset)


def make_folds(dataset: Dataset, split: str = "kfold", rng: np.random.Generator | None = None,
               n_folds: int | None = None, test_size: float | None = None,
               leave_out: int | None = None, **split_options) -> list[Fold]:
    """The folds of ``split`` (a name, with its options, or a :class:`SplitSpec`)."""
    rng = rng if rng is not None else np.random.default_rng(0)
    spec = split if isinstance(split, SplitSpec) else SplitSpec.of(
        split, folds=n_folds, test_size=test_size, leave_out=leave_out, **split_options)
    return spec.folds(dataset, rng)
