"""What several test modules share: the project's folders, the ml-100k location and a tiny
seeded rating frame. (Fixtures are in ``conftest.py``.)"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]              # the project folder
SHARED = ROOT.parent / "shared" / "datasets"
ML100K = SHARED / "ml-100k"


def tiny_ratings(n_users=30, n_items=40, density=0.4, seed=0) -> pd.DataFrame:
    """A small random rating frame on the 1-5 scale with string ids."""
    g = np.random.default_rng(seed)
    mask = g.random((n_users, n_items)) < density
    u, i = np.nonzero(mask)
    taste = g.normal(size=(n_users, 3)) @ g.normal(size=(3, n_items))
    ratings = np.clip(np.round(3 + taste[u, i]), 1, 5)
    return pd.DataFrame({"user": [f"u{x}" for x in u], "item": [f"i{x}" for x in i],
                         "rating": ratings.astype(float), "timestamp": g.integers(1e9, 2e9, len(u))})
