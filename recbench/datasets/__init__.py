"""Dataset loaders. Every loader returns one :class:`Dataset`.

``load_dataset`` takes a registered name (``ml-latest-small``, ``ml-100k``, or a plugin's,
see :mod:`recbench.datasets.registry`), the path of a rating file (read with
:class:`CsvOptions`), a pandas DataFrame or a :class:`Dataset`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from recbench.datasets.checks import check_dataset
from recbench.datasets.custom import CsvOptions, read_custom
from recbench.datasets.dataset import Dataset, Provenance
from recbench.datasets.frame import from_frame
from recbench.datasets.locate import check_data_dir
from recbench.datasets.registry import DatasetLoader, register, registered
from recbench.errors import DataError

__all__ = ["CsvOptions", "Dataset", "DatasetLoader", "Provenance", "available_datasets",
           "from_frame", "load_dataset", "register", "registered"]

RATING_FILE_SUFFIXES = {".csv", ".tsv", ".txt", ".dat"}


def load_dataset(source, data_dir: str | Path | None = None,
                 csv_options: CsvOptions | None = None, download: bool = True, *,
                 option: str = "--dataset", **options) -> Dataset:
    """``source``: a registered name, a rating file path, a DataFrame or a Dataset.
    ``option`` (e.g. ``--source``) is named in a rating file's errors; ``options`` go to
    the registered loader (e.g. ``verify=False``)."""
    if isinstance(source, Dataset):
        check_dataset(source)
        return source
    if isinstance(source, pd.DataFrame):
        if csv_options is None:
            return from_frame(source)
        return from_frame(source, rating_scale=csv_options.rating_scale,
                          duplicates=csv_options.duplicates,
                          timestamp_col=csv_options.timestamp_col)
    if not isinstance(source, (str, Path)):
        raise DataError(f"dataset {source!r} is not a name, a file path, a DataFrame or a Dataset.")
    loaders = registered()
    name = str(source)
    check_data_dir(data_dir)
    if name.lower() in loaders:
        return loaders[name.lower()].load(data_dir, download=download, **options)
    path = Path(name)
    if path.suffix.lower() in RATING_FILE_SUFFIXES or os.path.lexists(path):
        if path.is_dir():
            raise DataError(f"{option} {name} is a folder; give a rating file inside it, or a "
                            f"dataset name ({', '.join(loaders)}).")
        return read_custom(path, csv_options, option)
    raise DataError(f"unknown dataset {name!r}: use one of {', '.join(loaders)} or the path of a "
                    f"rating file (CSV/TSV).")


def available_datasets(data_dir=None) -> list[dict]:
    """Each registered dataset with where it is (None when it would need a download)."""
    check_data_dir(data_dir)
    out = []
    for name, loader in registered().items():
        folder = loader.locate(data_dir)
        out.append({"name": name, "location": str(folder) if folder else None,
                    "description": loader.description, "splits": list(loader.splits)})
    return out
