"""The one value every loader returns."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

RATING_COLUMNS = ["user", "item", "rating", "timestamp"]


@dataclass(frozen=True)
class Provenance:
    """Where a dataset came from, enough to tell two runs used the same data."""

    name: str
    source: str
    sha256: str
    n_users: int
    n_items: int
    n_ratings: int

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Dataset:
    """Ratings, item metadata, the rating scale and provenance.

    ``ratings`` has columns ``user`` and ``item`` (ids as strings), ``rating`` (float)
    and ``timestamp`` (nullable integer, seconds since the epoch, ``<NA>`` when unknown),
    in the order of the source file.
    ``items`` is indexed by item id (string) with columns ``title``, ``genres``
    (pipe-separated names) and ``text`` (free text for content-based algorithms).
    ``predefined_folds`` maps a fold name (e.g. ``u1``) to ``(train_rows, test_rows)``:
    positions into ``ratings``, in the order of the fold's own files; ``fold_groups`` names
    splits that run several of them (``u1-u5``).
    """

    name: str
    ratings: pd.DataFrame
    items: pd.DataFrame
    rating_scale: tuple[float, float]
    provenance: Provenance
    users: pd.DataFrame | None = None
    predefined_folds: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    fold_groups: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> dict:
        """Users, items, ratings, density and the rating distribution."""
        r = self.ratings
        n_users, n_items = r["user"].nunique(), r["item"].nunique()
        dist = r["rating"].value_counts(normalize=True).sort_index()
        return {
            "name": self.name,
            "users": int(n_users),
            "items": int(n_items),
            "ratings": int(len(r)),
            "density": float(len(r) / (n_users * n_items)) if n_users and n_items else 0.0,
            "rating_scale": list(self.rating_scale),
            "rating_distribution": {f"{k:g}": round(float(v), 4) for k, v in dist.items()},
        }


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def make_dataset(name, ratings, items, rating_scale, source, sha256, **extra) -> Dataset:
    """Normalise column types and build the provenance record."""
    ratings = ratings.reset_index(drop=True)
    ratings["user"] = ratings["user"].astype(str)
    ratings["item"] = ratings["item"].astype(str)
    ratings["rating"] = ratings["rating"].astype("float64")
    if "timestamp" not in ratings:
        ratings["timestamp"] = pd.array([pd.NA] * len(ratings), dtype="Int64")
    ratings["timestamp"] = ratings["timestamp"].astype("Int64")
    ratings = ratings[RATING_COLUMNS]
    items = _complete_items(items, ratings)
    prov = Provenance(
        name=name,
        source=str(source),
        sha256=sha256,
        n_users=int(ratings["user"].nunique()),
        n_items=int(ratings["item"].nunique()),
        n_ratings=int(len(ratings)),
    )
    scale = (float(rating_scale[0]), float(rating_scale[1]))
    return Dataset(name, ratings, items, scale, prov, **extra)


def _complete_items(items: pd.DataFrame | None, ratings: pd.DataFrame) -> pd.DataFrame:
    """One row per item id (from metadata and ratings), with title/genres/text filled."""
    if items is None:
        items = pd.DataFrame(index=pd.Index([], name="item"))
    items = items.copy()
    items.index = items.index.astype(str)
    items.index.name = "item"
    missing = pd.Index(ratings["item"].unique()).difference(items.index)
    if len(missing):
        items = pd.concat([items, pd.DataFrame(index=missing)])
        items.index.name = "item"
    for col in ("title", "genres", "text"):
        if col not in items:
            items[col] = ""
        items[col] = items[col].fillna("").astype(str)
    return items
