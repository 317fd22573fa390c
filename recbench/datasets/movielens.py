"""Readers for the MovieLens folders (no lookup or download here; see ``locate``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from recbench.datasets.dataset import Dataset, make_dataset, sha256_file
from recbench.errors import DataError

ML100K_GENRES = [
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
    "Romance", "Sci-Fi", "Thriller", "War", "Western",
]
ML100K_FOLDS = ["u1", "u2", "u3", "u4", "u5", "ua", "ub"]
_UDATA_COLS = ["user", "item", "rating", "timestamp"]


def read_ml100k(folder: Path) -> Dataset:
    """Read ``u.data``, ``u.item`` (Latin-1), ``u.user`` and the predefined folds."""
    folder = Path(folder)
    udata = folder / "u.data"
    if not udata.is_file():
        raise DataError(f"{udata} does not exist: the ml-100k folder must hold u.data.")
    ratings = _read_udata(udata)
    items = pd.read_csv(
        folder / "u.item", sep="|", header=None, encoding="latin-1", dtype=str,
        names=["item", "title", "release_date", "video_release_date", "url", *ML100K_GENRES],
    ).set_index("item")
    flags = items[ML100K_GENRES].astype(int).to_numpy().astype(bool)
    items["genres"] = ["|".join(np.array(ML100K_GENRES)[row]) for row in flags]
    items["text"] = items["title"].fillna("") + " " + items["genres"].str.replace("|", " ")
    items = items[["title", "genres", "text", "release_date"]]
    users = None
    if (folder / "u.user").is_file():
        users = pd.read_csv(
            folder / "u.user", sep="|", header=None, dtype=str,
            names=["user", "age", "gender", "occupation", "zip_code"],
        ).set_index("user")
    folds = {name: _fold_rows(folder, name, ratings) for name in ML100K_FOLDS
             if (folder / f"{name}.base").is_file() and (folder / f"{name}.test").is_file()}
    return make_dataset("ml-100k", ratings, items, (1, 5), folder.resolve(), sha256_file(udata),
                        users=users, predefined_folds=folds)


def _read_udata(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", header=None, names=_UDATA_COLS,
                       dtype={"user": str, "item": str, "rating": float, "timestamp": "Int64"})


def _fold_rows(folder: Path, name: str, ratings: pd.DataFrame):
    """Positions in ``ratings`` of the rows of ``name.base`` and ``name.test``, in file order."""
    position = pd.Series(np.arange(len(ratings)),
                         index=pd.MultiIndex.from_frame(ratings[["user", "item"]]))
    out = []
    for part in ("base", "test"):
        frame = _read_udata(folder / f"{name}.{part}")
        rows = position.reindex(pd.MultiIndex.from_frame(frame[["user", "item"]]))
        if rows.isna().any():
            raise DataError(f"{folder / (name + '.' + part)} holds ratings missing from u.data.")
        out.append(rows.to_numpy(dtype=np.int64))
    return tuple(out)


def read_ml_latest_small(folder: Path) -> Dataset:
    """Read ``ratings.csv``, ``movies.csv`` and ``tags.csv`` (tags join the item text)."""
    folder = Path(folder)
    path = folder / "ratings.csv"
    if not path.is_file():
        raise DataError(f"{path} does not exist: the ml-latest-small folder must hold ratings.csv.")
    ratings = pd.read_csv(path, dtype={"userId": str, "movieId": str, "rating": float,
                                       "timestamp": "Int64"})
    ratings = ratings.rename(columns={"userId": "user", "movieId": "item"})
    movies = pd.read_csv(folder / "movies.csv", dtype=str).rename(columns={"movieId": "item"})
    movies = movies.set_index("item")
    movies["genres"] = movies["genres"].replace("(no genres listed)", "")
    text = movies["title"] + " " + movies["genres"].str.replace("|", " ")
    tags_path = folder / "tags.csv"
    if tags_path.is_file():
        tags = pd.read_csv(tags_path, dtype=str)
        joined = tags.groupby("movieId")["tag"].agg(lambda t: " ".join(t.astype(str)))
        text = text + " " + joined.reindex(movies.index).fillna("")
    movies["text"] = text.str.strip()
    return make_dataset("ml-latest-small", ratings, movies[["title", "genres", "text"]],
                        (0.5, 5), folder.resolve(), sha256_file(path))
