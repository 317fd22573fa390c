"""A pandas DataFrame as a dataset (for notebooks and scripts)."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from recbench.datasets.dataset import Dataset, make_dataset
from recbench.datasets.scale import parse_scale
from recbench.errors import DataError


def from_frame(ratings: pd.DataFrame, name: str = "dataframe", items: pd.DataFrame | None = None,
               rating_scale: tuple[float, float] | None = None) -> Dataset:
    """A :class:`Dataset` from a frame with ``user``, ``item``, ``rating`` (and optionally
    ``timestamp``) columns. The scale is the ratings' min and max unless given; the
    provenance hash is the SHA-256 of the frame's CSV text, so equal frames hash equally."""
    missing = [c for c in ("user", "item", "rating") if c not in ratings.columns]
    if missing:
        raise DataError(f"the DataFrame has no {missing[0]!r} column; it needs user, item and "
                        f"rating (and optionally timestamp) columns, it has: "
                        f"{', '.join(map(str, ratings.columns))}.")
    frame = ratings[[c for c in ("user", "item", "rating", "timestamp") if c in ratings]].copy()
    values = pd.to_numeric(frame["rating"], errors="coerce").to_numpy(float)
    bad = ~np.isfinite(values)
    if bad.any():
        raise DataError(f"the DataFrame's rating in row {int(np.flatnonzero(bad)[0])} is not a "
                        f"finite number; every rating must be one.")
    if len(frame) == 0:
        raise DataError("the DataFrame holds no ratings.")
    frame["rating"] = values
    scale = parse_scale(rating_scale, "rating_scale") if rating_scale is not None else \
        (float(values.min()), float(values.max()))
    if not scale[0] < scale[1]:
        raise DataError(f"every rating of the DataFrame is {scale[0]:g}, so no rating scale can "
                        f"be inferred; pass rating_scale=(LOW, HIGH).")
    if ((values < scale[0]) | (values > scale[1])).any():
        raise DataError(f"the DataFrame has ratings outside rating_scale {scale}.")
    digest = hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()
    return make_dataset(name, frame, items, scale, "pandas.DataFrame", digest)
