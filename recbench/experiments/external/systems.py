"""Predictions made elsewhere, evaluated under recbench's exact protocol.

Each external system becomes an algorithm of an ordinary experiment: :class:`ExternalSystem`
answers ``score(users, items)`` with its file's ranking scores and ``predict(users, items)``
with its file's rating predictions, and the normal job path does the rest - candidates,
relevance, tie keys, every metric, intervals and significance are those of any run.

The rules (also in docs/protocol.md and in the record's ``protocol.external_predictions``):

- Candidates the ranking does not list are ranked after every listed item (they get one
  score below the file's lowest) and, among themselves, by the protocol's seeded tie keys.
- Listed items that are not candidates of the user (the user's training items, items not
  in the training catalog) are ignored, as are rows of users that are not ranked (users
  without a relevant candidate); each kind is counted.
- A rating prediction missing for a test pair is an error naming the file, or, with
  ``missing_predictions="global-mean"``, the training ratings' mean (counted). Predictions
  for pairs outside the test part are ignored (counted).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recbench.algorithms.base import Algorithm
from recbench.errors import ConfigError, DataError

MISSING = ("error", "global-mean")
RULES = {
    "unlisted_candidates": "candidates a ranking does not list are ranked after every listed "
                           "item, among themselves by the protocol's seeded tie keys",
    "ignored": "listed items that are not candidates (the user's training items, items not in "
               "the training catalog) and rows of users who are not ranked are ignored",
    "missing_predictions": "a test pair without a rating prediction is an error, or with "
                           "missing_predictions='global-mean' gets the training mean",
}


class Predictions:
    """One system's parts, read and checked: ``ratings`` (user, item, prediction) and/or
    ``ranking`` (user, item, score), and the files they came from. Immutable, so the clones
    a run makes of its algorithm share it."""

    def __init__(self, label: str, files: list, ratings=None, ranking=None):
        self.label, self.files, self.ratings, self.ranking = label, tuple(files), ratings, ranking

    def __deepcopy__(self, memo):
        return self

    def __repr__(self) -> str:
        return f"Predictions({self.label!r}, {[f.name for f in self.files]!r})"


def gather(label: str, files: list) -> Predictions:
    """Combine a system's files: rating predictions from one, a ranking from one."""
    parts = {}
    for f in files:
        for part in ("ratings", "ranking"):
            if getattr(f, part) is not None:
                if part in parts:
                    raise ConfigError(f"{label}: both {parts[part][0]} and {f.name} give "
                                      f"{'rating predictions' if part == 'ratings' else 'a ranking'}"
                                      f"; give each part once.")
                parts[part] = (f.name, getattr(f, part))
    return Predictions(label, files, *(parts.get(p, (None, None))[1] for p in ("ratings", "ranking")))


class ExternalSystem(Algorithm):
    """An algorithm whose scores and predictions are those of a prediction file."""

    name = "external"

    def __init__(self, predictions: Predictions | None = None, missing: str = "error"):
        self.predictions = predictions
        self.missing = missing

    @property
    def predicts_ratings(self) -> bool:
        return self.predictions is not None and self.predictions.ratings is not None

    @property
    def ranks_items(self) -> bool:
        return self.predictions is not None and self.predictions.ranking is not None

    def fit(self, train: pd.DataFrame, items=None) -> "ExternalSystem":
        self.global_mean_ = float(train["rating"].mean())
        ranking = self.predictions.ranking
        if ranking is not None:
            self.user_codes_, self.users_ = pd.factorize(ranking["user"])
            self.item_codes_, self.items_ = pd.factorize(ranking["item"])
            self.scores_ = ranking["score"].to_numpy(float)
            self.floor_ = _below(self.scores_, self.predictions)
        if self.predictions.ratings is not None:
            r = self.predictions.ratings
            self.pairs_ = pd.MultiIndex.from_arrays([r["user"], r["item"]])
            self.values_ = r["prediction"].to_numpy(float)
        return self

    def score(self, users, items) -> np.ndarray:
        out = np.full((len(users), len(items)), self.floor_)
        rows = pd.Index(np.asarray(users, dtype=object)).get_indexer(self.users_)[self.user_codes_]
        cols = pd.Index(np.asarray(items, dtype=object)).get_indexer(self.items_)[self.item_codes_]
        listed = (rows >= 0) & (cols >= 0)
        out[rows[listed], cols[listed]] = self.scores_[listed]
        return out

    def predict(self, users, items) -> np.ndarray:
        where = self.pairs_.get_indexer(pd.MultiIndex.from_arrays(
            [np.asarray(users, dtype=object), np.asarray(items, dtype=object)]))
        if (where < 0).any() and self.missing != "global-mean":
            raise DataError(f"{self.predictions.label}: {int((where < 0).sum())} test pairs have "
                            f"no rating prediction.")
        return np.where(where >= 0, self.values_[np.maximum(where, 0)], self.global_mean_)


def _below(scores: np.ndarray, predictions: Predictions) -> float:
    """A finite score below every listed one: where unlisted candidates go."""
    low = float(scores.min()) if len(scores) else 0.0
    floor = low - max(1.0, abs(low))
    if not np.isfinite(floor):
        floor = -np.finfo(float).max
    if floor >= low:
        raise DataError(f"{predictions.label}: a ranking score of {low:g} leaves no finite score "
                        f"below it for the unlisted candidates; rescale the scores.")
    return floor


def counts(fold, system: Predictions, threshold: float, missing: str) -> dict:
    """How the files meet the fold (see the module docstring); raises DataError for rating
    predictions missing under ``missing="error"``."""
    train, test = fold.train, fold.test
    out: dict[str, int] = {}
    if system.ratings is not None:
        have = pd.MultiIndex.from_arrays([system.ratings["user"], system.ratings["item"]])
        pairs = pd.MultiIndex.from_arrays([test["user"], test["item"]])
        lacking = ~pairs.isin(have)
        if lacking.any() and missing == "error":
            first = test[lacking].iloc[0]
            names = " and ".join(f.name for f in system.files if f.ratings is not None)
            raise DataError(f"{names}: no rating prediction for {int(lacking.sum())} of the "
                            f"{len(test)} test pairs (first: user {first['user']!r}, item "
                            f"{first['item']!r}); predict every test pair, or pass "
                            f"--missing-predictions global-mean to give them the training mean.")
        out |= {"rating_predictions_used": int((~lacking).sum()),
                "test_pairs_given_the_training_mean": int(lacking.sum()),
                "rating_predictions_not_in_test": int((~have.isin(pairs)).sum())}
    if system.ranking is not None:
        out |= _ranking_counts(train, test, system.ranking, threshold)
    return out


def _ranking_counts(train, test, ranking, threshold) -> dict:
    catalog = pd.Index(train["item"].unique())
    relevant = test[(test["rating"] >= threshold) & test["item"].isin(catalog)]
    ranked = pd.Index(relevant["user"].unique())
    of_ranked = ranking["user"].isin(ranked).to_numpy()
    known = ranking["item"].isin(catalog).to_numpy()
    trained = pd.MultiIndex.from_arrays([ranking["user"], ranking["item"]]).isin(
        pd.MultiIndex.from_arrays([train["user"], train["item"]]))
    listed = of_ranked & known & ~trained
    n_train = train[train["user"].isin(ranked)].groupby("user", observed=True).size().reindex(ranked, fill_value=0)
    per_user = ranking["user"][listed].value_counts().reindex(ranked, fill_value=0)
    asked = test[test["user"].isin(ranked) & test["item"].isin(catalog)]
    asked = pd.MultiIndex.from_arrays([asked["user"], asked["item"]])
    scored = asked.isin(pd.MultiIndex.from_arrays([ranking["user"], ranking["item"]]))
    return {"ranking_rows": int(len(ranking)), "listed_candidates": int(listed.sum()),
            "ignored_training_items": int((of_ranked & trained).sum()),
            "ignored_items_not_in_catalog": int((of_ranked & ~known).sum()),
            "ignored_rows_of_users_not_ranked": int((~of_ranked).sum()),
            "unlisted_candidates_ranked_last": int((len(catalog) - n_train).sum() - listed.sum()),
            "ranked_users_without_listed_candidate": int((per_user == 0).sum()),
            "test_pairs_of_ranked_users": int(len(asked)),
            "test_pairs_not_listed": int((~scored).sum())}


def check_missing(missing: str) -> str:
    if missing not in MISSING:
        raise ConfigError(f"missing_predictions={missing!r} is unknown; use 'error' (the "
                          f"default) or 'global-mean'.")
    return missing
