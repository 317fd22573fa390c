"""The evaluation protocol: which items are ranked (candidates), which held-out interactions
count (relevance) and how equal scores are ordered (ties). The evaluators ask the protocol;
none of these rules is written in an evaluator or a kernel. ``Protocol.describe`` is what
every run record (and every page under a table) says about them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from recbench.evaluation.kernels.ties import TIE_RULE, tie_key
from recbench.metrics.exposure import HEAD_SHARE


def default_threshold(scale: tuple[float, float]) -> float:
    """4 on the 1-5 and 0.5-5 scales; otherwise the point 75% of the way up the scale."""
    lo, hi = scale
    if hi == 5 and lo in (0.5, 1):
        return 4.0
    return lo + 0.75 * (hi - lo)


@dataclass(frozen=True)
class Relevance:
    """A held-out interaction is relevant when its rating is >= ``threshold``; with
    ``threshold=None`` every held-out interaction is relevant."""

    threshold: float | None = 4.0
    #: "ratings" (explicit data) or "interactions" (every held-out interaction is relevant)
    feedback: str = "ratings"
    #: the lowest rating of the scale: a threshold equal to it makes every rating relevant
    scale_min: float | None = None

    def mask(self, test: pd.DataFrame) -> np.ndarray:
        """One boolean per row of ``test``: is that held-out interaction relevant?"""
        if self.threshold is None:
            return np.ones(len(test), dtype=bool)
        return test["rating"].to_numpy(dtype=float) >= self.threshold

    def describe(self) -> str:
        if self.threshold is None or self.feedback == "interactions":
            what = "every held-out interaction"
        elif self.scale_min is not None and self.threshold <= self.scale_min:
            what = (f"every held-out rating (the threshold {self.threshold:g} is the scale's "
                    f"minimum)")
        else:
            what = f"a test item the user rated >= {self.threshold:g}"
        return (f"{what} that is a candidate (relevant test items unseen in training cannot "
                f"be ranked and are counted)")


@dataclass(frozen=True)
class Candidates:
    """Full ranking: a user's candidates are every item seen in training minus the user's
    own training items."""

    def catalog(self, train: pd.DataFrame) -> pd.Index:
        """The items a ranking can hold, sorted (their positions are the catalog positions)."""
        return pd.Index(np.sort(train["item"].unique().astype(str)))

    def excluded(self, train: pd.DataFrame, users: pd.Index, catalog: pd.Index) -> sparse.csr_matrix:
        """users x catalog, True where an item is not a candidate of the user."""
        return pair_matrix(users.get_indexer(train["user"]), catalog.get_indexer(train["item"]),
                           (len(users), len(catalog)))

    def describe(self) -> str:
        return ("every item seen in the training part minus the user's own training items "
                "(full ranking, no sampling)")


@dataclass(frozen=True)
class Ties:
    """Equal scores are ordered by a seeded hash key per (fold, user, item), the same for
    every algorithm on a fold and in every kernel (:mod:`recbench.evaluation.kernels.ties`)."""

    def key(self, rng: np.random.Generator) -> int:
        return tie_key(rng)

    def describe(self) -> str:
        return ("broken by a seeded key per (user, item), the same for every algorithm on a "
                "fold and in every ranking kernel; never by item id or input order: " + TIE_RULE)


@dataclass(frozen=True)
class Protocol:
    """The rules of one evaluation: relevance, candidates, ties and the rating scale that
    rating predictions are clipped to."""

    relevance: Relevance = field(default_factory=Relevance)
    candidates: Candidates = field(default_factory=Candidates)
    ties: Ties = field(default_factory=Ties)
    rating_scale: tuple[float, float] = (1.0, 5.0)
    head_share: float = HEAD_SHARE       # the long tail's head: this share of interactions

    @classmethod
    def of(cls, value) -> "Protocol":
        """A Protocol as given, or the default one with ``value`` as relevance threshold."""
        if isinstance(value, Protocol):
            return value
        return cls(Relevance(None if value is None else float(value)))

    def describe(self, ks, counts: dict, specs=(), kernels=()) -> dict:
        """The record's ``protocol`` entry. ``specs``: the metrics computed (MetricSpec);
        ``kernels``: the ranking kernels that ran."""
        lo, hi = self.rating_scale
        metrics = [s.name for s in specs]
        definitions = {}
        for s in specs:
            definitions.setdefault(s.metric.family, s.metric.description)
        return {
            "candidates": self.candidates.describe(),
            "relevance": self.relevance.describe(),
            "ranking": "raw, unclipped algorithm scores, descending",
            "ties": self.ties.describe(),
            "cutoffs": list(ks),
            "metrics": list(metrics),
            "definitions": definitions,
            "skipped_users": "users with no relevant candidate are left out of every ranking metric",
            "cold_start": "test users or items unseen in training: rating predictions use the "
                          "algorithm's fallback (counted as fallback_share; rmse_known/mae_known "
                          "leave them out); unseen users are ranked with the fallback scores",
            "rating_metrics": ("not computed: interaction data holds no ratings to predict"
                               if self.relevance.feedback == "interactions" else
                               f"RMSE/MAE over all test ratings, predictions clipped to "
                               f"[{lo:g}, {hi:g}]"),
            "aggregation": "per-user values -> per-fold mean over users -> mean, std and 95% t "
                           "interval across folds; a single split uses a bootstrap over users",
            "counts": counts,
            **({"ranking_kernels": list(kernels)} if kernels else {}),
            **self._beyond(specs),
        }

    def _beyond(self, specs) -> dict:
        """The beyond-accuracy facts a record states when such metrics were computed."""
        families = {s.metric.family for s in specs}
        out = {}
        if families & {"tail", "tail_coverage"}:
            out["long_tail"] = {
                "head_share": self.head_share,
                "rule": f"per fold, items by training interactions descending: the head is the "
                        f"most popular items holding at least {self.head_share:g} of the "
                        f"training interactions, every item tied with the one that reaches "
                        f"that share included; the tail is the rest of the catalog (counts: "
                        f"head_items, tail_items)"}
        if any(s.metric.needs_item_features for s in specs):
            out["item_features"] = ("the dataset's item genres; each item spreads a weight of 1 "
                                    "uniformly over its genres, items without genres are left "
                                    "out (ild@k, miscalibration@k)")
        if families & {"gini", "entropy", "arp", "tail", "tail_coverage"}:
            out["exposure"] = ("over the evaluated users' top-k lists of a fold and its "
                               "catalog (every item seen in training, recommended or not); "
                               "popularity = training interactions of the fold")
        return out


def pair_matrix(rows: np.ndarray, cols: np.ndarray, shape) -> sparse.csr_matrix:
    """Boolean matrix with the (row, col) pairs set, leaving out pairs with a -1."""
    keep = (rows >= 0) & (cols >= 0)
    data = np.ones(int(keep.sum()), dtype=bool)
    return sparse.csr_matrix((data, (rows[keep], cols[keep])), shape=shape)
