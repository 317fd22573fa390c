"""The one value every loader returns."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recbench.errors import DataError

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
    #: "verified" (every file read matches the published SHA-256), "not verified: <files>
    #: differ (verify=False)", or "not checked" (no published checksums, e.g. custom files)
    integrity: str = "not checked"

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Dataset:
    """Ratings, item metadata, the rating scale and provenance.

    ``ratings`` has columns ``user`` and ``item`` (ids as strings, stored as pandas
    categoricals: integer codes plus one vocabulary of the string ids, sorted as strings),
    ``rating`` (float32 when every rating is exactly a float32, as MovieLens' half stars are,
    else float64) and ``timestamp`` (seconds since the epoch: int32 when every rating has one
    that fits, else a nullable integer with ``<NA>`` where unknown), in the order of the
    source file: 12-16 bytes per rating with the vocabularies (int8/16/32 codes as the number of
    ids needs; see :func:`compact`).
    Fold parts (:func:`recbench.splitting.folds.part`) hand algorithms float64 ratings.
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
    #: "explicit" (ratings on ``rating_scale``) or "interactions" (which pairs occurred: every
    #: ``rating`` is 1 and ``rating_scale`` is (0, 1); see :mod:`recbench.datasets.interactions`)
    feedback: str = "explicit"
    #: what the ``weight`` column of interaction data holds: the weight column's name, "count"
    #: (repeated pairs counted), or None when the interactions carry no weight
    weight: str | None = None
    #: the preprocessing steps applied after reading (:mod:`recbench.preprocessing`), each a
    #: dict with its name, parameters and counts before and after
    preprocessing: tuple = ()

    @property
    def interactions(self) -> bool:
        """True for interaction data (every held-out interaction is relevant; no RMSE)."""
        return self.feedback == "interactions"

    def content_digest(self) -> str:
        """SHA-256 of the ratings and item metadata as loaded (after every reading option:
        duplicates, columns, scale), so two runs on the same parsed data agree even when
        their files or options differ, and differ when the options change the data."""
        cached = self.__dict__.get("_content_digest")
        if cached is None:
            digest = hashlib.sha256()
            for frame in (_as_loaded(self.ratings), self.items):
                digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
                digest.update(",".join(map(str, frame.columns)).encode())
            digest.update(repr(self.rating_scale).encode())
            if self.interactions:       # explicit data keeps the digest it always had
                digest.update(repr((self.feedback, self.weight)).encode())
            cached = digest.hexdigest()
            object.__setattr__(self, "_content_digest", cached)
        return cached

    def summary(self) -> dict:
        """Users, items, ratings, density and the rating distribution."""
        r = self.ratings
        n_users, n_items = r["user"].nunique(), r["item"].nunique()
        dist = r["rating"].value_counts(normalize=True).sort_index()
        out = {
            "name": self.name,
            "feedback": self.feedback,
            "users": int(n_users),
            "items": int(n_items),
            "ratings": int(len(r)),
            "density": float(len(r) / (n_users * n_items)) if n_users and n_items else 0.0,
            "rating_scale": list(self.rating_scale),
            "rating_distribution": {f"{k:g}": round(float(v), 4) for k, v in dist.items()},
        }
        if self.interactions:       # "ratings" counts the interactions
            out["weight"] = self.weight
        return out


def make_dataset(name, ratings, items, rating_scale, source, sha256,
                 integrity: str = "not checked", **extra) -> Dataset:
    """Normalise column types and build the provenance record. Loaders check every rating
    (naming the line); this last check refuses a non-finite rating or scale regardless."""
    scale = (float(rating_scale[0]), float(rating_scale[1]))
    values = ratings["rating"].to_numpy(dtype=float)
    if not (np.isfinite(scale).all() and scale[0] < scale[1]):
        raise DataError(f"{source}: the rating scale {scale[0]:g}-{scale[1]:g} is not a pair of "
                        f"finite numbers LOW < HIGH; give one such as 1,5.")
    outside = ~np.isfinite(values) | (values < scale[0]) | (values > scale[1])
    if outside.any():
        raise DataError(f"{source}: {int(outside.sum())} rating(s) are missing or outside the "
                        f"scale {scale[0]:g}-{scale[1]:g} (first: {values[outside][0]:g}); fix "
                        f"those rows.")
    weights = ratings["weight"] if "weight" in ratings else None
    ratings = compact(ratings, values)
    if weights is not None:
        ratings["weight"] = _compact_values(pd.Series(weights).to_numpy(dtype=np.float64))
    items = _complete_items(items, ratings)
    prov = Provenance(
        name=name,
        source=str(source),
        sha256=sha256,
        n_users=len(ratings["user"].cat.categories),
        n_items=len(ratings["item"].cat.categories),
        n_ratings=int(len(ratings)),
        integrity=integrity,
    )
    return Dataset(name, ratings, items, scale, prov, **extra)


def compact(ratings: pd.DataFrame, values: np.ndarray | None = None) -> pd.DataFrame:
    """The four rating columns in their compact types (see :class:`Dataset`); ``values`` are
    the ratings as float64 if already at hand. Ids are coded once here: integer ids (the
    fast readers' int64 columns) are factorised as numbers and only their vocabulary becomes
    strings; every other id column is read as strings first, so ``1`` and ``"1"`` are one id."""
    values = ratings["rating"].to_numpy(dtype=np.float64) if values is None else values
    out = pd.DataFrame({
        "user": coded_ids(ratings["user"]),
        "item": coded_ids(ratings["item"]),
        "rating": _compact_values(values),
    })
    out["timestamp"] = _compact_timestamps(ratings["timestamp"] if "timestamp" in ratings
                                           else None, len(out))
    return out


def _compact_values(values: np.ndarray) -> np.ndarray:
    as32 = values.astype(np.float32)
    return as32 if np.array_equal(as32, values) else values


def coded_ids(col: pd.Series) -> pd.Categorical:
    """Ids as a categorical of strings whose categories are sorted as strings (so sorting by
    codes sorts as the strings do)."""
    col = pd.Series(col).reset_index(drop=True)
    missing = col.isna().to_numpy()
    if missing.any():
        raise DataError(f"the {col.name or 'id'} of rating row {int(np.flatnonzero(missing)[0])} "
                        f"is missing; every rating needs a {col.name or 'user and item'} id.")
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = col.cat.remove_unused_categories()
        codes, uniques = col.cat.codes.to_numpy(), col.cat.categories
        if pd.Index(uniques.astype(str)).is_unique:
            return _sorted_categorical(codes, uniques.astype(str))
        col = col.astype(str)
    if not pd.api.types.is_integer_dtype(col.dtype):
        col = col.astype(str)
    codes, uniques = pd.factorize(col)
    return _sorted_categorical(codes, pd.Index(uniques).astype(str))


def _sorted_categorical(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    order = np.argsort(categories.to_numpy(dtype=object), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return pd.Categorical.from_codes(rank[codes], categories=categories[order])


def _compact_timestamps(ts, n: int):
    if ts is None:
        return pd.array(np.zeros(n, dtype=np.int32), dtype="Int32") * pd.NA
    ts = pd.Series(ts).reset_index(drop=True).astype("Int64")
    lo, hi = ts.min(), ts.max()
    fits = ts.isna().all() or (-2 ** 31 <= lo and hi < 2 ** 31)
    if not fits:
        return ts.array
    if ts.isna().any():
        return ts.astype("Int32").array
    return ts.to_numpy(dtype=np.int64).astype(np.int32)


def _as_loaded(ratings: pd.DataFrame) -> pd.DataFrame:
    """The ratings in the types the content digest has always hashed (float64, Int64), so
    the digest does not depend on how compactly they are stored."""
    return ratings.assign(rating=ratings["rating"].astype(np.float64),
                          timestamp=ratings["timestamp"].astype("Int64"))


def _complete_items(items: pd.DataFrame | None, ratings: pd.DataFrame) -> pd.DataFrame:
    """One row per item id (from metadata and ratings), with title/genres/text filled."""
    if items is None:
        items = pd.DataFrame(index=pd.Index([], name="item"))
    items = items.copy()
    items.index = items.index.astype(str)
    items.index.name = "item"
    missing = pd.Index(np.asarray(ratings["item"].unique()).astype(str)).difference(items.index)
    if len(missing):
        items = pd.concat([items, pd.DataFrame(index=missing)])
        items.index.name = "item"
    for col in ("title", "genres", "text"):
        if col not in items:
            items[col] = ""
        items[col] = items[col].fillna("").astype(str)
    return items
