"""``--split temporal``: one global cut by time, the latest ``--test-size`` share of the
ratings is the test part."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recbench.splitting.folds import Fold, check_share, check_timestamps, fold_from_mask
from recbench.splitting.registry import Splitter, register


def temporal(ratings: pd.DataFrame, test_size: float) -> list[Fold]:
    """Global temporal split: the latest ``test_size`` share of ratings is the test part."""
    check_share(test_size)
    check_timestamps(ratings)
    ts = ratings["timestamp"]
    order = np.argsort(ts.to_numpy(dtype=np.int64), kind="stable")
    mask = np.zeros(len(ratings), dtype=bool)
    mask[order[len(order) - int(round(test_size * len(order))):]] = True
    return [fold_from_mask(ratings, "temporal", mask)]


register(Splitter("temporal", "global split by timestamp: the latest --test-size share is the test part",
                  lambda r, rng, test_size: temporal(r, test_size), ("test_size",),
                  {"test_size": 0.2}, needs_timestamps=True))
