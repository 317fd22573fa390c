"""A pandas DataFrame as a dataset (for notebooks and scripts)."""

from __future__ import annotations

import hashlib

import pandas as pd

from recbench.datasets.checks import FRAME, check_ratings
from recbench.datasets.dataset import Dataset, make_dataset
from recbench.datasets.scale import parse_scale
from recbench.errors import DataError


def from_frame(ratings: pd.DataFrame, name: str = "dataframe", items: pd.DataFrame | None = None,
               rating_scale: tuple[float, float] | None = None, duplicates: str = "error",
               timestamp_col: str | None = "timestamp") -> Dataset:
    """A :class:`Dataset` from a frame with ``user``, ``item``, ``rating`` (and optionally
    ``timestamp``) columns, held to the rules a rating file meets (see
    :func:`recbench.datasets.checks.check_ratings`; messages name the 0-based row): ids not
    empty (whitespace around them stripped), ratings finite inside the scale (the ratings' min
    and max unless given), timestamps whole seconds or ISO dates, and one rating per (user,
    item) pair unless ``duplicates`` (first, last, mean) says which to keep. The timestamp
    column is ``timestamp_col``: used when present, and when named otherwise it must exist.
    The provenance hash is the SHA-256 of the frame's CSV text, so equal frames hash equally."""
    if not isinstance(ratings, pd.DataFrame):
        raise DataError(f"the ratings are a {type(ratings).__name__}, not a DataFrame.")
    missing = [c for c in ("user", "item", "rating") if c not in ratings.columns]
    if missing:
        raise DataError(f"the DataFrame has no {missing[0]!r} column; it needs user, item and "
                        f"rating (and optionally timestamp) columns, it has: "
                        f"{', '.join(map(str, ratings.columns))}.")
    if timestamp_col not in (None, "timestamp") and timestamp_col not in ratings.columns:
        raise DataError(f"the DataFrame has no timestamp column {timestamp_col!r} (columns: "
                        f"{', '.join(map(str, ratings.columns))}); name the right column in "
                        f"timestamp_col (csv={{'timestamp_col': ...}} in recbench.run), or "
                        f"leave it out.")
    columns = {"user": "user", "item": "item", "rating": "rating"}
    if timestamp_col is not None and timestamp_col in ratings.columns:
        columns["timestamp"] = timestamp_col
    if len(ratings) == 0:
        raise DataError("the DataFrame holds no ratings.")
    frame = pd.DataFrame({role: ratings[col].reset_index(drop=True)
                          for role, col in columns.items()})
    scale = parse_scale(rating_scale, "rating_scale") if rating_scale is not None else None
    frame, scale = check_ratings(frame, FRAME, scale, duplicates)
    digest = hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()
    return make_dataset(name, frame, items, scale, "pandas.DataFrame", digest)
