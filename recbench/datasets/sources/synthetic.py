"""Seeded synthetic rating data shaped like the MovieLens releases (for scale benchmarks).

GroupLens' larger files cannot be downloaded everywhere, and a benchmark of memory and time
against the number of ratings needs data of exactly the published sizes. :func:`movielens_shaped`
draws, from one seed, a rating table with the users, items and ratings of a release and its
skew:

* **user activity**: every user has at least 20 ratings (as in MovieLens), the rest of the
  total is shared out in proportion to a log-normal draw (sigma 1.1: a few users rate
  thousands of movies, the median user about a hundred), never more than 90% of the items;
* **item popularity**: a Zipf-like law, weight ``1 / (rank + 10) ** 1.0`` over a random
  permutation of the items, so a few hundred items hold most ratings and the tail is long;
  each user's items are drawn by weight without replacement;
* **ratings**: ``3.5 + user bias + item bias + a rank-8 interaction + noise``, rounded to
  the release's step (1 for ml-1m, 0.5 otherwise) and clipped to its scale, so models have
  something to learn; **timestamps** uniform over the release's years.

:func:`write_release` writes the table in the release's own layout (``ratings.dat`` with
``::`` for ml-1m and ml-10m, else ``ratings.csv`` with its header, and a movies file), so the
real loaders read it (``recbench run --dataset ml-25m --data-dir FOLDER``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recbench.random import derive_rng


@dataclass(frozen=True)
class Shape:
    name: str
    users: int
    items: int
    ratings: int
    step: float                 # rating granularity
    scale: tuple[float, float]
    years: tuple[int, int]      # the span of the timestamps
    folder: str                 # the folder GroupLens' zip unpacks to
    fmt: str                    # "dat" or "csv"


#: users, items and ratings as GroupLens' README files state them
SHAPES = {s.name: s for s in (
    Shape("ml-1m", 6_040, 3_706, 1_000_209, 1.0, (1, 5), (2000, 2003), "ml-1m", "dat"),
    Shape("ml-10m", 69_878, 10_677, 10_000_054, 0.5, (0.5, 5), (1995, 2009), "ml-10M100K", "dat"),
    Shape("ml-20m", 138_493, 26_744, 20_000_263, 0.5, (0.5, 5), (1995, 2015), "ml-20m", "csv"),
    Shape("ml-25m", 162_541, 59_047, 25_000_095, 0.5, (0.5, 5), (1995, 2019), "ml-25m", "csv"),
    Shape("ml-32m", 200_948, 84_432, 32_000_204, 0.5, (0.5, 5), (1995, 2023), "ml-32m", "csv"),
)}

MIN_PER_USER = 20
_GENRES = ("Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary",
           "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
           "Thriller", "War", "Western")


def shape(name: str, ratings: int | None = None) -> Shape:
    """The shape of release ``name``; with ``ratings``, scaled to that many ratings: users by
    the factor (each keeps the release's activity), items by its square root (a smaller
    catalogue, as a subsample of the release would have; never fewer than a user needs)."""
    base = SHAPES[name]
    if ratings is None:
        return base
    f = ratings / base.ratings
    users = max(2, round(base.users * f))
    items = max(2, round(base.items * f ** 0.5), int(ratings / users / 0.5) + 1)
    return Shape(f"{name}-x{f:.3g}", users, items,
                 ratings, base.step, base.scale, base.years, base.folder, base.fmt)


def movielens_shaped(spec: Shape | str, seed: int = 0) -> pd.DataFrame:
    """``user``, ``item`` (int64 ids from 1), ``rating`` (float64), ``timestamp`` (int64):
    ``spec.ratings`` distinct (user, item) pairs, sorted by user then item like GroupLens'
    files. The same ``spec`` and ``seed`` give the same table."""
    spec = SHAPES[spec] if isinstance(spec, str) else spec
    rng = derive_rng(seed, "synthetic", spec.name)
    counts = _activity(spec, rng)
    weights = 1.0 / (np.arange(spec.items) + 10.0)
    item_of_rank = rng.permutation(spec.items)
    keys = _draw_pairs(counts, weights / weights.sum(), item_of_rank, spec.items, rng)
    user = keys // spec.items
    item = keys % spec.items
    del keys
    rating = _ratings(spec, user, item, rng)
    start = pd.Timestamp(f"{spec.years[0]}-01-01").timestamp()
    stop = pd.Timestamp(f"{spec.years[1]}-12-31").timestamp()
    timestamp = rng.integers(int(start), int(stop), len(user), dtype=np.int64)
    return pd.DataFrame({"user": user + 1, "item": item + 1, "rating": rating,
                         "timestamp": timestamp})


def _activity(spec: Shape, rng) -> np.ndarray:
    """Ratings per user: at least MIN_PER_USER, at most 90% of the items, summing to the total."""
    floor = min(MIN_PER_USER, spec.ratings // spec.users)
    cap = max(floor, int(0.9 * spec.items))
    if spec.users * cap < spec.ratings:
        raise ValueError(f"{spec.name}: {spec.ratings} ratings do not fit {spec.users} users x "
                         f"{spec.items} items.")
    share = rng.lognormal(0.0, 1.1, spec.users)
    counts = np.full(spec.users, floor, dtype=np.int64)
    rest = spec.ratings - counts.sum()
    while rest > 0:                      # share out, capped; what the cap cut goes round again
        room = cap - counts
        open_ = room > 0
        want = share * open_
        add = np.minimum(np.floor(want / want.sum() * rest).astype(np.int64), room)
        if add.sum() == 0:               # the last few: one each to the largest shares
            order = np.argsort(-want)[:rest]
            add = np.zeros_like(counts)
            add[order[room[order] > 0]] = 1
        counts += add
        rest = spec.ratings - counts.sum()
    return counts


def _draw_pairs(counts, p, item_of_rank, n_items, rng, rounds: int = 8) -> np.ndarray:
    """Sorted distinct keys ``user * n_items + item``: user u gets counts[u] items drawn by
    weight ``p`` (over popularity ranks) without replacement. Each round draws every user's
    missing number again and keeps the new distinct pairs; after ``rounds`` the few very
    active users still short (they want most of the catalogue, whose tail the weights rarely
    reach) get their last items uniformly from those they lack."""
    cdf = np.cumsum(p)
    cdf[-1] = 1.0
    keys = np.empty(0, dtype=np.int64)
    need = counts.copy()
    for _ in range(rounds):
        users = np.repeat(np.arange(len(counts), dtype=np.int64), need)
        if len(users) == 0:
            return keys
        ranks = np.searchsorted(cdf, rng.random(len(users)), side="right")
        new = users * n_items + item_of_rank[np.minimum(ranks, n_items - 1)]
        del users, ranks
        keys = _union(keys, new)
        need = counts - np.bincount(keys // n_items, minlength=len(counts))
    extra = []
    for u in np.flatnonzero(need > 0):
        lo, hi = np.searchsorted(keys, [u * n_items, (u + 1) * n_items])
        lacking = np.setdiff1d(np.arange(n_items, dtype=np.int64), keys[lo:hi] - u * n_items)
        extra.append(u * n_items + rng.choice(lacking, need[u], replace=False))
    return _union(keys, np.concatenate(extra)) if extra else keys


def _union(a, b) -> np.ndarray:
    """Sorted distinct values of both (a sort; numpy's hash-based unique is slower here)."""
    c = np.concatenate([a, b])
    c.sort()
    return c[np.r_[True, c[1:] != c[:-1]]] if len(c) else c


def _ratings(spec: Shape, user, item, rng) -> np.ndarray:
    user_bias = rng.normal(0.0, 0.4, spec.users)
    item_bias = rng.normal(0.0, 0.5, spec.items)
    P = rng.normal(0.0, 0.3, (spec.users, 8))
    Q = rng.normal(0.0, 0.3, (spec.items, 8))
    out = np.empty(len(user), dtype=np.float64)
    for s in range(0, len(user), 1 << 22):            # in blocks: no (ratings x 8) arrays
        u, i = user[s:s + (1 << 22)], item[s:s + (1 << 22)]
        out[s:s + len(u)] = (3.5 + user_bias[u] + item_bias[i] + np.einsum("ij,ij->i", P[u], Q[i])
                             + rng.normal(0.0, 0.8, len(u)))
    lo, hi = spec.scale
    return np.clip(np.round(out / spec.step) * spec.step, lo, hi)


def write_release(ratings: pd.DataFrame, folder: str | Path, spec: Shape | str) -> Path:
    """Write ``ratings`` (from :func:`movielens_shaped`) and a movies file in the layout of
    GroupLens' release under ``folder/<the release's folder name>``; returns that folder."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    spec = SHAPES[spec] if isinstance(spec, str) else spec
    out = Path(folder) / spec.folder
    out.mkdir(parents=True, exist_ok=True)
    n_items = int(ratings["item"].max())
    year = 1920 + np.arange(n_items) % 100
    genre = [_GENRES[i % len(_GENRES)] + "|" + _GENRES[(7 * i + 3) % len(_GENRES)]
             for i in range(n_items)]
    movies = pd.DataFrame({"movieId": np.arange(1, n_items + 1),
                           "title": [f"Movie {i + 1} ({y})" for i, y in enumerate(year)],
                           "genres": genre})
    table = ratings.rename(columns={"user": "userId", "item": "movieId"})
    if spec.fmt == "dat":
        if spec.step == 1.0:
            table = table.assign(rating=table["rating"].astype(np.int64))
        _write_dat(table, out / "ratings.dat")
        _write_dat(movies, out / "movies.dat")
    else:
        opts = pacsv.WriteOptions(include_header=True, quoting_style="needed")
        pacsv.write_csv(pa.Table.from_pandas(table, preserve_index=False),
                        out / "ratings.csv", opts)
        movies.to_csv(out / "movies.csv", index=False)
    return out


def _write_dat(frame: pd.DataFrame, path: Path) -> None:
    """``::``-separated lines without a header (Latin-1, as GroupLens writes them)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    buf = io.BytesIO()
    pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), buf,
                    pacsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none"))
    path.write_bytes(buf.getvalue().replace(b"\t", b"::"))
