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


def saved_run(folder: Path, csv_text: str) -> Path:
    """A real run folder ``folder/good`` of globalmean and popularity, 2 folds, on the
    ratings ``csv_text`` (written as ``folder/r.csv``), made through the command line."""
    import os

    from recbench.cli.main import main
    (folder / "r.csv").write_text(csv_text)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        assert main(["run", "--dataset", "r.csv", "--folds", "2", "--algorithms",
                     "globalmean,popularity", "-q", "--output-dir", "good"]) == 0
    finally:
        os.chdir(cwd)
    return folder / "good"
