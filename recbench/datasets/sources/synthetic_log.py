"""Seeded synthetic interaction logs with weights (plays), for benchmarks at scale.

:func:`interaction_log` takes the (user, item) pairs of
:func:`recbench.datasets.sources.synthetic.movielens_shaped` - MovieLens' users, items,
activity and popularity skew - and gives each pair a weight, its number of plays: geometric
with mean rising with the pair's drawn rating (``1 / p`` with ``p = 1 / rating``: a 5 is
played five times on average, a 1 once), so weights carry the taste the ratings did.
:func:`write_log` writes ``user,item,weight,timestamp``, read back by
``recbench run --dataset FILE --weight-col weight``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from recbench.datasets.sources.synthetic import SHAPES, Shape, movielens_shaped
from recbench.random import derive_rng


def interaction_log(spec: Shape | str, seed: int = 0) -> pd.DataFrame:
    """``user``, ``item`` (int64 ids from 1), ``weight`` (int64 plays >= 1), ``timestamp``:
    ``spec.ratings`` distinct pairs. The same ``spec`` and ``seed`` give the same log."""
    spec = SHAPES[spec] if isinstance(spec, str) else spec
    frame = movielens_shaped(spec, seed)
    rng = derive_rng(seed, "synthetic", spec.name, "plays")
    rating = frame.pop("rating").to_numpy()
    plays = rng.geometric(1.0 / np.maximum(rating, 1.0))
    return frame.assign(weight=plays.astype(np.int64))[["user", "item", "weight", "timestamp"]]


def write_log(frame: pd.DataFrame, path: str | Path) -> Path:
    """``frame`` (from :func:`interaction_log`) as a CSV file with a header."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), path,
                    pacsv.WriteOptions(include_header=True, quoting_style="needed"))
    return path
