"""A dataset's own folds (ml-100k's ``u1``..``u5``, ``ua``, ``ub``, and groups such as
``u1-u5``): a property of the dataset (``Dataset.predefined_folds``, ``Dataset.fold_groups``),
not a registered split."""

from __future__ import annotations

from recbench.datasets import Dataset
from recbench.errors import ConfigError
from recbench.splitting.folds import Fold, part


def names(dataset: Dataset) -> list[str]:
    """The dataset's predefined folds and fold groups."""
    return [*dataset.predefined_folds, *dataset.fold_groups]


def folds_of(dataset: Dataset, split: str) -> list[str] | None:
    """The fold names a predefined split runs, or None when ``split`` is not one."""
    if split in dataset.fold_groups:
        return list(dataset.fold_groups[split])
    if split in dataset.predefined_folds:
        return [split]
    return None


def predefined(dataset: Dataset, names: list[str]) -> list[Fold]:
    """The dataset's own folds (ml-100k ``u1``..``u5``, ``ua``, ``ub``), rows in file order."""
    out = []
    for name in names:
        if name not in dataset.predefined_folds:
            have = ", ".join(dataset.predefined_folds) or "none"
            raise ConfigError(f"--split {name}: {dataset.name} has no predefined fold {name!r} "
                              f"(it has: {have}).")
        train_rows, test_rows = dataset.predefined_folds[name]
        out.append(Fold(name, part(dataset.ratings, train_rows),
                        part(dataset.ratings, test_rows)))
    return out
