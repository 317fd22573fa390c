"""An example recbench dataset plugin: 'tiny-movies', 1,439 synthetic ratings (1-5) by 80
users on 60 movies, shipped inside this package (made once by a seeded script; no real
people's ratings). Registered under the entry point group ``recbench.datasets``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from recbench.datasets import DatasetLoader, from_frame

HERE = Path(__file__).resolve().parent


class TinyMovies(DatasetLoader):
    name = "tiny-movies"
    description = "Example plugin: 1,439 synthetic ratings (1-5) by 80 users on 60 movies."
    splits = {}

    def locate(self, data_dir=None):
        return HERE

    def load(self, data_dir=None, download=True, **options):
        ratings = pd.read_csv(HERE / "ratings.csv", dtype={"user": str, "item": str})
        items = pd.read_csv(HERE / "items.csv", dtype=str).set_index("item")
        items["text"] = items["title"] + " " + items["genres"].str.replace("|", " ")
        return from_frame(ratings, name=self.name, items=items, rating_scale=(1, 5))


loader = TinyMovies()
