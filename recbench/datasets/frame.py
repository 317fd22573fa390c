"""A pandas DataFrame as a dataset (for notebooks and scripts)."""

from __future__ import annotations

import hashlib

import pandas as pd

from recbench.datasets.checks import FRAME, check_ratings
from recbench.datasets.dataset import Dataset, make_dataset
from recbench.datasets.interactions import (
    INTERACTION_SCALE,
    check_feedback,
    check_interactions,
)
from recbench.datasets.scale import parse_scale
from recbench.errors import ConfigError, DataError


def from_frame(ratings: pd.DataFrame, name: str = "dataframe", items: pd.DataFrame | None = None,
               rating_scale: tuple[float, float] | None = None, duplicates: str | None = None,
               timestamp_col: str | None = "timestamp", *, user_col: str = "user",
               item_col: str = "item", rating_col: str = "rating", feedback: str | None = None,
               weight_col: str | None = None) -> Dataset:
    """A :class:`Dataset` from a frame with user, item, rating (and optionally timestamp)
    columns - or, for interaction data, user and item (and optionally a weight and a
    timestamp) - held to the rules a rating file meets (see
    :func:`recbench.datasets.checks.check_ratings`; messages name the 0-based row): ids not
    empty (whitespace around them stripped), ratings finite inside the scale (the ratings' min
    and max unless given), timestamps whole seconds or ISO dates, and one rating per (user,
    item) pair unless ``duplicates`` (first, last, mean) says which to keep. The columns are
    named by ``user_col``, ``item_col``, ``rating_col``, ``timestamp_col`` (used when
    present; named otherwise it must exist) and ``weight_col``. ``feedback``: "explicit",
    "interactions", or None - interactions when the frame has no rating column (see
    :mod:`recbench.datasets.interactions`; ``duplicates`` then defaults to count).
    The provenance hash is the SHA-256 of the frame's CSV text, so equal frames hash equally."""
    if not isinstance(ratings, pd.DataFrame):
        raise DataError(f"the ratings are a {type(ratings).__name__}, not a DataFrame.")
    feedback = check_feedback(feedback, "feedback")
    if feedback is None:
        feedback = "explicit" if rating_col in ratings.columns else "interactions"
    roles = {"user": user_col, "item": item_col}
    if feedback == "explicit":
        roles["rating"] = rating_col
        if weight_col is not None:
            raise ConfigError(f"weight_col {weight_col!r} names a weight of interactions, and "
                              f"the DataFrame holds ratings (column {rating_col!r}); leave "
                              f"weight_col out, or pass feedback='interactions'.")
    elif weight_col is not None:
        roles["weight"] = weight_col
    if feedback == "interactions" and rating_scale is not None:
        raise ConfigError("rating_scale does not apply to interaction data (the DataFrame has no "
                          "rating column, or feedback='interactions'); leave it out.")
    missing = [(role, c) for role, c in roles.items() if c not in ratings.columns]
    if missing:
        role, col = missing[0]
        need = ("user, item and rating (and optionally timestamp)" if feedback == "explicit"
                else "user and item (and optionally a weight and a timestamp)")
        raise DataError(f"the DataFrame has no {col!r} column (the {role} column); it needs "
                        f"{need} columns, it has: {', '.join(map(str, ratings.columns))} (name "
                        f"them with csv={{'{role}_col': ...}} in recbench.run).")
    if timestamp_col not in (None, "timestamp") and timestamp_col not in ratings.columns:
        raise DataError(f"the DataFrame has no timestamp column {timestamp_col!r} (columns: "
                        f"{', '.join(map(str, ratings.columns))}); name the right column in "
                        f"timestamp_col (csv={{'timestamp_col': ...}} in recbench.run), or "
                        f"leave it out.")
    if timestamp_col is not None and timestamp_col in ratings.columns:
        roles["timestamp"] = timestamp_col
    if len(ratings) == 0:
        raise DataError("the DataFrame holds no ratings.")
    frame = pd.DataFrame({role: ratings[col].reset_index(drop=True) for role, col in roles.items()})
    if feedback == "interactions":
        frame, weight = check_interactions(frame, FRAME, duplicates, weight_col,
                                           "csv={'duplicates': ...}")
        digest = hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()
        return make_dataset(name, frame, items, INTERACTION_SCALE, "pandas.DataFrame", digest,
                            feedback="interactions", weight=weight)
    scale = parse_scale(rating_scale, "rating_scale") if rating_scale is not None else None
    if duplicates == "count":
        raise ConfigError("duplicates='count' applies to interaction data, and the DataFrame "
                          "holds ratings; use 'first', 'last' or 'mean', or pass "
                          "feedback='interactions'.")
    frame, scale = check_ratings(frame, FRAME, scale, duplicates or "error")
    digest = hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()
    return make_dataset(name, frame, items, scale, "pandas.DataFrame", digest)
