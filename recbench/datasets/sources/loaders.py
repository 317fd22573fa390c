"""The built-in datasets' loaders (registered as entry points in ``pyproject.toml``)."""

from __future__ import annotations

import dataclasses

from recbench.datasets.locate import (
    cache_dir,
    candidate_folders,
    embedded_folder,
    find_folder,
)
from recbench.datasets.registry import DatasetLoader
from recbench.datasets.sources.download import ML100K_URL, download_ml100k
from recbench.datasets.sources.movielens import (
    ML100K_FOLDS,
    read_ml100k,
    read_ml_latest_small,
)
from recbench.datasets.sources.tags import read_ml_latest_small_tags
from recbench.errors import DataError
from recbench.runtime import env


class MovieLensLatestSmall(DatasetLoader):
    name = "ml-latest-small"
    description = ("MovieLens latest-small: 100,836 ratings (0.5-5) by 610 users on 9,742 "
                   "movies, with genres and tags. Embedded; the default.")

    def locate(self, data_dir=None):
        return find_folder(self.name, "ratings.csv", data_dir) or embedded_folder(self.name)

    def load(self, data_dir=None, download=True, **options):
        folder = self.locate(data_dir)
        if folder is None:
            raise DataError("the embedded ml-latest-small copy is missing from this install; "
                            "reinstall recbench or pass --data-dir DIR with DIR/ml-latest-small.")
        return read_ml_latest_small(folder, **options)


class MovieLensLatestSmallTags(DatasetLoader):
    name = "ml-latest-small-tags"
    description = ("ml-latest-small's tag applications as interaction data: 1,775 (user, movie) "
                   "interactions by 58 users on 1,572 movies, weighted by the number of tags "
                   "(3,683 in all). Embedded.")

    def locate(self, data_dir=None):
        return find_folder("ml-latest-small", "tags.csv", data_dir) or \
            embedded_folder("ml-latest-small")

    def load(self, data_dir=None, download=True, **options):
        folder = self.locate(data_dir)
        if folder is None:
            raise DataError("the embedded ml-latest-small copy is missing from this install; "
                            "reinstall recbench or pass --data-dir DIR with DIR/ml-latest-small.")
        return read_ml_latest_small_tags(folder, **options)


class MovieLens100K(DatasetLoader):
    name = "ml-100k"
    description = ("MovieLens 100K: 100,000 ratings (1-5) by 943 users on 1,682 movies, with "
                   "genres and predefined folds u1..u5, ua, ub. Not redistributable: read from "
                   "--data-dir, the cache, or downloaded from GroupLens.")
    splits = {**{f: [f] for f in ML100K_FOLDS}, "u1-u5": ["u1", "u2", "u3", "u4", "u5"]}

    def locate(self, data_dir=None):
        return find_folder(self.name, "u.data", data_dir)

    def load(self, data_dir=None, download=True, **options):
        folder = self.locate(data_dir)
        if folder is None:
            if not download:
                places = ", ".join(str(p) for p in candidate_folders(self.name, data_dir))
                raise DataError(f"ml-100k was not found (looked in {places}); put the unpacked "
                                f"folder in one of them.")
            folder = download_ml100k(cache_dir(), env.ml100k_url() or ML100K_URL)
        dataset = read_ml100k(folder, **options)
        groups = {k: v for k, v in self.splits.items() if len(v) > 1}
        return dataclasses.replace(dataset, fold_groups=groups)


ml_latest_small = MovieLensLatestSmall()
ml_latest_small_tags = MovieLensLatestSmallTags()
ml_100k = MovieLens100K()
