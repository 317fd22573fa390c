"""Readers for the MovieLens folders (no lookup or download here; see ``locate``).

Both readers first compare the SHA-256 of every file they read with the release recbench
knows. With ``verify=True`` (the default) a different file is a DataError naming it; with
``verify=False`` it is read anyway and ``provenance.integrity`` says which files differ.
Then every line is checked: a missing field (a line cut short), an extra one, a rating that
is not a finite number or lies outside the scale (1-5, 0.5-5) is a DataError naming the
file and the line.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from recbench.datasets.checks import checked_ratings, first_line, require_fields
from recbench.datasets.dataset import Dataset, make_dataset
from recbench.datasets.reading import read_table, sha256_file
from recbench.errors import DataError

ML100K_GENRES = [
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
    "Romance", "Sci-Fi", "Thriller", "War", "Western",
]
ML100K_FOLDS = ["u1", "u2", "u3", "u4", "u5", "ua", "ub"]
_UDATA_COLS = ["user", "item", "rating", "timestamp"]

#: SHA-256 of the files of GroupLens' ml-100k.zip that the reader reads (u.data and u.item
#: as published in ../shared/datasets/README.md; the others computed from the same copy)
ML100K_SHA256 = {
    "u.data": "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490",
    "u.item": "553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701",
    "u.user": "f120e114da2e8cf314fd28f99417c94ae9ddf1cb6db8ce0e4b5995d40e90e62c",
    "u1.base": "ce253ec86c448b44fb3ba9a30d12dcfc2e9210cbde71efada3730c22e9ac212a",
    "u1.test": "18c6014a4b2c7324f250a63f8904a7b16b2b19f911129e346141507b0cbac950",
    "u2.base": "6c06f0b5df4b256da1a994f3ac66edc8da4d3f09bc9282df6b14d893366d703e",
    "u2.test": "4de658d1e04ed9104629509a2e2528fce833ac8e048280183f1df167632038c3",
    "u3.base": "afdc155c291c6edc41c0407e39d7462eb98d341e064f0b0a12175b80b3c4af5d",
    "u3.test": "0f548b51c78327de4c156461d3e430b7e5579fe2b5681586a59416e48fd35f6d",
    "u4.base": "219f0f4d40dfe9c5141d425f53fa91ee23ed275f14e280bbf1b50117afb064ca",
    "u4.test": "7c02ad0a1e7ab1083c8b9d4b627203a051dd7b5eab46d99fa44de33470de8db9",
    "u5.base": "a9574e59ce961eec2121627760b6e9b0974ce1637b3fe69ac32cb14a4bfab485",
    "u5.test": "351cc52e0d15b6c721466276fc24671d40936899e3d01fadeaf312915b8c5634",
    "ua.base": "67b5bcdb380c29f85d56a012ecd88612ae020f30a6730d117a334ee8203b91f2",
    "ua.test": "d0497e202417720f57a184ec8c66be2d1afa4ff41bb53787c57b28d6bf79bc42",
    "ub.base": "237254d253b6ad7de84f919d041055428646254f34ed8f562703c899430cd881",
    "ub.test": "d54a72d05730d5892062734b2bec73e976f9b713d18c828a18b968d6cce442da",
}
#: SHA-256 of the ml-latest-small files recbench embeds and reads (ratings.csv as published)
ML_LATEST_SMALL_SHA256 = {
    "ratings.csv": "aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646",
    "movies.csv": "5a5f32dd9bb3797b8e728a1b98958789d2b13f294a69fdfbc5727f8a9611aa07",
    "tags.csv": "92a9f8bb7916dceef6151209845788c3643f794dfa79d1feaec7121b5960399d",
}


def check_integrity(folder: Path, names: list[str], checksums: dict[str, str], dataset: str,
                    verify: bool) -> tuple[str, dict[str, str]]:
    """The ``provenance.integrity`` text and the SHA-256 of each file in ``names``; with
    ``verify`` a DataError naming the first file whose checksum differs."""
    sums = {name: sha256_file(folder / name) for name in names}
    differ = [n for n in names if n in checksums and sums[n] != checksums[n]]
    if not differ:
        return "verified", sums
    if verify:
        also = f" (so do {', '.join(differ[1:])})" if len(differ) > 1 else ""
        raise DataError(f"{folder / differ[0]} differs from the {dataset} release recbench knows "
                        f"(SHA-256 mismatch){also}; restore the original files, or read them "
                        f"knowingly with verify=False (--no-verify-data).")
    return f"not verified: {', '.join(differ)} differ (verify=False)", sums


def read_ml100k(folder: Path, verify: bool = True) -> Dataset:
    """Read ``u.data``, ``u.item`` (Latin-1), ``u.user`` and the predefined folds."""
    folder = Path(folder)
    for name in ("u.data", "u.item"):
        if not (folder / name).is_file():
            raise DataError(f"{folder / name} does not exist: the ml-100k folder must hold "
                            f"u.data and u.item (unpack GroupLens' ml-100k.zip there).")
    folds = [f for f in ML100K_FOLDS
             if (folder / f"{f}.base").is_file() and (folder / f"{f}.test").is_file()]
    names = ["u.data", "u.item"] + ["u.user"] * (folder / "u.user").is_file() + \
        [f"{f}.{part}" for f in folds for part in ("base", "test")]
    integrity, sums = check_integrity(folder, names, ML100K_SHA256, "ml-100k", verify)
    ratings = _read_udata(folder / "u.data")
    items = _read_uitem(folder / "u.item")
    users = None
    if "u.user" in names:
        users = read_table(folder / "u.user", "|", _RESTORE,
                           names=["user", "age", "gender", "occupation", "zip_code"],
                           encoding="latin-1", quoting=csv.QUOTE_NONE).set_index("user")
    position = pd.Series(np.arange(len(ratings)),
                         index=pd.MultiIndex.from_frame(ratings[["user", "item"]]))
    fold_rows = {f: tuple(_fold_rows(folder / f"{f}.{part}", position) for part in ("base", "test"))
                 for f in folds}
    return make_dataset("ml-100k", ratings, items, (1, 5), folder.resolve(), sums["u.data"],
                        integrity=integrity, users=users, predefined_folds=fold_rows)


_RESTORE = "restore the file from GroupLens' ml-100k.zip"
_UDATA_FIX = ("each line holds user, item, rating and timestamp separated by tabs (the line "
              "may be cut short); " + _RESTORE)


def _read_udata(path: Path, scale=(1, 5)) -> pd.DataFrame:
    """u.data or a fold file: four tab-separated fields per line, every one checked."""
    raw = read_table(path, "\t", _UDATA_FIX, names=_UDATA_COLS, quoting=csv.QUOTE_NONE)
    if raw.empty:
        raise DataError(f"{path} holds no ratings; {_RESTORE}.")
    return checked_ratings(raw, path, scale, _UDATA_FIX, f"ml-100k ratings are 1 to 5; {_RESTORE}")


def _read_uitem(path: Path) -> pd.DataFrame:
    fix = ("each line holds id|title|release date|video release date|URL and 19 genre flags "
           "(0 or 1); " + _RESTORE)
    items = read_table(path, "|", fix, encoding="latin-1",
                       names=["item", "title", "release_date", "video_release_date", "url",
                              *ML100K_GENRES])
    require_fields(items, path, ["item"], fix)
    flags = items[ML100K_GENRES]
    bad = ~flags.isin(["0", "1"]).all(axis=1)
    if bad.any():
        raise DataError(f"{path}, line {first_line(bad)}: a genre flag is not 0 or 1 (or the "
                        f"line has fewer than 24 fields); {fix}.")
    items = items.set_index("item")
    names = np.array(ML100K_GENRES)
    items["genres"] = ["|".join(names[row]) for row in (flags.to_numpy() == "1")]
    items["text"] = items["title"] + " " + items["genres"].str.replace("|", " ")
    return items[["title", "genres", "text", "release_date"]]


def _fold_rows(path: Path, position: pd.Series) -> np.ndarray:
    """Positions in u.data of the rows of a fold file, in file order (the ratings themselves
    are u.data's; a fold line must still have all four fields)."""
    frame = read_table(path, "\t", _UDATA_FIX, names=_UDATA_COLS, quoting=csv.QUOTE_NONE)
    require_fields(frame, path, _UDATA_COLS, _UDATA_FIX)
    rows = position.reindex(pd.MultiIndex.from_frame(frame[["user", "item"]]))
    missing = pd.Series(rows.isna().to_numpy(), index=frame.index)
    if missing.any():
        line = first_line(missing)
        raise DataError(f"{path}, line {line}: user {frame.loc[line, 'user']!r}'s rating of item "
                        f"{frame.loc[line, 'item']!r} is not in u.data; {_RESTORE}.")
    return rows.to_numpy(dtype=np.int64)


def read_ml_latest_small(folder: Path, verify: bool = True) -> Dataset:
    """Read ``ratings.csv``, ``movies.csv`` and ``tags.csv`` (tags join the item text)."""
    folder = Path(folder)
    for name in ("ratings.csv", "movies.csv"):
        if not (folder / name).is_file():
            raise DataError(f"{folder / name} does not exist: the ml-latest-small folder must "
                            f"hold ratings.csv and movies.csv.")
    names = ["ratings.csv", "movies.csv"] + ["tags.csv"] * (folder / "tags.csv").is_file()
    integrity, sums = check_integrity(folder, names, ML_LATEST_SMALL_SHA256, "ml-latest-small",
                                      verify)
    restore = "restore the file from GroupLens' ml-latest-small.zip"
    path = folder / "ratings.csv"
    raw = _with_columns(read_table(path, ",", restore, header=True), path,
                        ["userId", "movieId", "rating", "timestamp"], restore)
    ratings = checked_ratings(raw, path, (0.5, 5), restore,
                              f"ml-latest-small ratings are 0.5 to 5; {restore}",
                              names=("userId", "movieId", "rating", "timestamp"))
    movies_path = folder / "movies.csv"
    movies = _with_columns(read_table(movies_path, ",", restore, header=True), movies_path,
                           ["movieId", "title", "genres"], restore)
    movies = movies.rename(columns={"movieId": "item"}).set_index("item")
    movies["genres"] = movies["genres"].replace("(no genres listed)", "")
    text = movies["title"] + " " + movies["genres"].str.replace("|", " ")
    if "tags.csv" in names:
        tags_path = folder / "tags.csv"
        tags = _with_columns(read_table(tags_path, ",", restore, header=True), tags_path,
                             ["movieId", "tag"], restore)
        joined = tags.groupby("movieId")["tag"].agg(" ".join)
        text = text + " " + joined.reindex(movies.index).fillna("")
    movies["text"] = text.str.strip()
    return make_dataset("ml-latest-small", ratings, movies[["title", "genres", "text"]],
                        (0.5, 5), folder.resolve(), sums["ratings.csv"], integrity=integrity)


def _with_columns(frame: pd.DataFrame, path: Path, columns: list[str], fix: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{path} has no column {missing[0]!r} in its header (it has: "
                        f"{', '.join(map(str, frame.columns))}); {fix}.")
    return frame
