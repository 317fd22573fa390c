"""Dataset loaders. Every loader returns one :class:`Dataset`.

``load_dataset("ml-latest-small")`` reads the embedded copy; ``load_dataset("ml-100k")``
looks in ``--data-dir``/``RECBENCH_DATA_DIR``, recbench's cache and Surprise's cache, then
downloads and verifies; any other value is read as a custom rating file.
"""

from __future__ import annotations

import os
from pathlib import Path

from recbench.datasets.custom import CsvOptions, read_custom
from recbench.datasets.dataset import Dataset, Provenance
from recbench.datasets.download import ML100K_URL, download_ml100k
from recbench.datasets.locate import cache_dir, candidate_folders, embedded_folder, find_folder
from recbench.datasets.movielens import read_ml100k, read_ml_latest_small
from recbench.errors import DataError

BUILTIN = {
    "ml-latest-small": "MovieLens latest-small: 100,836 ratings (0.5-5) by 610 users on 9,742 "
                       "movies, with genres and tags. Embedded; the default.",
    "ml-100k": "MovieLens 100K: 100,000 ratings (1-5) by 943 users on 1,682 movies, with "
               "genres and predefined folds u1..u5, ua, ub. Not redistributable: read from "
               "--data-dir, the cache, or downloaded from GroupLens.",
}

__all__ = ["CsvOptions", "Dataset", "Provenance", "load_dataset", "available_datasets", "BUILTIN"]


def load_dataset(name: str, data_dir: str | Path | None = None,
                 csv_options: CsvOptions | None = None, download: bool = True) -> Dataset:
    if name == "ml-latest-small":
        folder = find_folder(name, "ratings.csv", data_dir) or embedded_folder(name)
        if folder is None:
            raise DataError("the embedded ml-latest-small copy is missing from this install; "
                            "reinstall recbench or pass --data-dir DIR with DIR/ml-latest-small.")
        return read_ml_latest_small(folder)
    if name == "ml-100k":
        folder = find_folder(name, "u.data", data_dir)
        if folder is None:
            if not download:
                raise DataError(_ml100k_missing(data_dir))
            folder = download_ml100k(cache_dir(), os.environ.get("RECBENCH_ML100K_URL", ML100K_URL))
        return read_ml100k(folder)
    if Path(name).suffix.lower() in {".csv", ".tsv", ".txt", ".dat"} or Path(name).is_file():
        return read_custom(name, csv_options)
    raise DataError(f"unknown dataset {name!r}: use ml-latest-small, ml-100k or the path of a "
                    f"rating file (CSV/TSV).")


def _ml100k_missing(data_dir) -> str:
    places = ", ".join(str(p) for p in candidate_folders("ml-100k", data_dir))
    return f"ml-100k was not found (looked in {places}); put the unpacked folder in one of them."


def available_datasets(data_dir=None) -> list[dict]:
    """Each built-in dataset with where it is (or None when it would need a download)."""
    out = []
    for name, marker in (("ml-latest-small", "ratings.csv"), ("ml-100k", "u.data")):
        folder = find_folder(name, marker, data_dir)
        if folder is None and name == "ml-latest-small":
            folder = embedded_folder(name)
        out.append({"name": name, "location": str(folder) if folder else None,
                    "description": BUILTIN[name]})
    return out
