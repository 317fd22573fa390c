"""ml-latest-small's ``tags.csv`` as interaction data: a user's tagging of a movie is an
interaction (3,683 tag applications by 58 users on 1,572 movies; 1,908 rows repeat a (user,
movie) pair with another tag, so 1,775 interactions whose weight is the number of tags the
user gave the movie). Timestamps are kept (the latest of a pair's tags), so temporal splits
work; the item text is ml-latest-small's (title, genres, tags)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from recbench.datasets.checks import Origin
from recbench.datasets.dataset import Dataset, make_dataset
from recbench.datasets.interactions import INTERACTION_SCALE, check_interactions
from recbench.datasets.reading import read_table
from recbench.datasets.sources.movielens import (
    ML_LATEST_SMALL_SHA256,
    check_integrity,
    read_ml_latest_small,
)
from recbench.errors import DataError


def read_ml_latest_small_tags(folder: Path, verify: bool = True) -> Dataset:
    """The tag applications of ``folder/tags.csv`` as weighted interactions (see above)."""
    folder = Path(folder)
    path = folder / "tags.csv"
    if not path.is_file():
        raise DataError(f"{path} does not exist: ml-latest-small-tags reads ml-latest-small's "
                        f"tags.csv; restore it from GroupLens' ml-latest-small.zip.")
    integrity, sums = check_integrity(folder, ["tags.csv"], ML_LATEST_SMALL_SHA256,
                                      "ml-latest-small", verify)
    restore = "restore the file from GroupLens' ml-latest-small.zip"
    raw = read_table(path, ",", restore, header=True)
    missing = [c for c in ("userId", "movieId", "timestamp") if c not in raw.columns]
    if missing:
        raise DataError(f"{path} has no column {missing[0]!r} in its header; {restore}.")
    frame = pd.DataFrame({"user": raw["userId"], "item": raw["movieId"],
                          "timestamp": raw["timestamp"]})
    frame, weight = check_interactions(frame, Origin(str(path)), "count")
    items = read_ml_latest_small(folder, verify).items if (folder / "movies.csv").is_file() \
        else None
    return make_dataset("ml-latest-small-tags", frame, items, INTERACTION_SCALE,
                        folder.resolve(), sums["tags.csv"], integrity=integrity,
                        feedback="interactions", weight=weight)
