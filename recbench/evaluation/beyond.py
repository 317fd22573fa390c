"""The catalog facts the beyond-accuracy metrics read, computed once per fold from its
training part and handed to every batch in both kernels alike (so their values never depend
on the kernel or on the other metrics requested): training interactions per catalog item,
the long-tail mask and, when a requested metric needs item features, the genre matrix and
the evaluated users' training genre distributions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recbench.errors import ConfigError
from recbench.metrics.diversity import genre_distribution, genre_matrix
from recbench.metrics.exposure import long_tail

TAIL_FAMILIES = ("tail", "tail_coverage")


@dataclass
class CatalogFacts:
    interactions: np.ndarray
    tail: np.ndarray
    genres: np.ndarray | None = None
    profile: np.ndarray | None = None

    def attach(self, x, start: int) -> None:
        """Fill a batch's RankingInput (users ``start ..``)."""
        x.interactions, x.tail = self.interactions, self.tail
        if self.genres is not None:
            x.genres, x.profile = self.genres, self.profile[start:start + len(x.top)]


def has_item_features(items) -> bool:
    """Does an items frame hold any genre?"""
    return items is not None and "genres" in items and \
        bool(items["genres"].fillna("").astype(str).str.strip().str.strip("|").ne("").any())


def check_item_features(specs, items, dataset: str = "the dataset") -> None:
    """Refuse, before any work, a metric that needs item genres on data without any."""
    wanted = [s.name for s in specs if s.metric.needs_item_features]
    if wanted and not has_item_features(items):
        raise ConfigError(f"metric {wanted[0]} needs item genres and {dataset} has none; drop "
                          f"{', '.join(wanted)} from --metrics or use a dataset whose items have "
                          f"genres (e.g. ml-latest-small, ml-100k).")


def catalog_facts(catalog, item_sets, interactions, specs, items, head_share: float) -> CatalogFacts:
    """``item_sets``: the evaluated users x catalog training matrix (the protocol's
    excluded items)."""
    facts = CatalogFacts(interactions, long_tail(interactions, head_share))
    if any(s.metric.needs_item_features for s in specs):
        check_item_features(specs, items)
        genres = genre_matrix(items["genres"].reindex(catalog).fillna("").to_numpy())
        facts.genres = genres
        facts.profile = genre_distribution(item_sets.astype(float), genres)
    return facts
