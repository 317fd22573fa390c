"""Applying the preprocessing steps to a :class:`~recbench.datasets.Dataset`, each one
recorded with its counts before and after.

* ``positive_threshold`` T (explicit data only): ratings >= T become interactions (every
  ``rating`` 1, unweighted), the others are dropped; the step records how many of each.
* ``min_user_interactions`` N, then ``min_item_interactions`` N: one pass each, dropping
  the users (items) with fewer than N interactions.
* ``k_core`` N: the iterated N-core. A round counts every user's and every item's
  interactions on the data as it stands and drops, at once, the users and the items with
  fewer than N; rounds repeat until one drops nothing, at most ``k_core_rounds`` of them.
  The rounds recorded include that last one (data that is already an N-core takes 1 round);
  when the limit is reached first, ``converged`` is false and the run warns.

A step that leaves no data, or fewer than two users, is refused (naming the step and its
counts): there would be nothing to split.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from recbench.datasets.dataset import Dataset
from recbench.datasets.interactions import INTERACTION_SCALE
from recbench.errors import ConfigError, DataError
from recbench.preprocessing.spec import Preprocess, flag


def counts(ratings: pd.DataFrame) -> dict:
    """Users, items and interactions (rows) of a ratings frame."""
    return {"users": int(ratings["user"].nunique()), "items": int(ratings["item"].nunique()),
            "interactions": int(len(ratings))}


def preprocess(ds: Dataset, spec=None) -> Dataset:
    """``ds`` after the steps of ``spec`` (a :class:`Preprocess` or a dict of its keys), with
    the steps recorded in ``preprocessing``; ``ds`` itself when there are none."""
    spec = Preprocess.of(spec)
    if spec.empty:
        return ds
    ratings = ds.ratings
    keep = np.ones(len(ratings), dtype=bool)
    steps = []
    feedback = ds.feedback
    if spec.positive_threshold is not None:
        mask, step = _binarise(ds, spec.positive_threshold)
        keep &= mask
        steps.append(step)
        feedback = "interactions"
    filters = [("min_user_interactions", spec.min_user_interactions, ("user",)),
               ("min_item_interactions", spec.min_item_interactions, ("item",))]
    for name, n, columns in filters:
        if n is not None:
            before = counts(ratings[keep])
            keep &= _pass(ratings, keep, n, columns)
            steps.append(_record(name, {"min": n}, before, ratings[keep]))
    if spec.k_core is not None:
        before = counts(ratings[keep])
        rounds, converged = 0, False
        while rounds < spec.k_core_rounds:
            rounds += 1
            kept = _pass(ratings, keep, spec.k_core, ("user", "item"))
            if kept.sum() == keep.sum():
                converged = True
                break
            keep &= kept
        steps.append(_record("k_core", {"k": spec.k_core, "max_rounds": spec.k_core_rounds},
                             before, ratings[keep]) | {"rounds": rounds, "converged": converged})
    return _subset(ds, keep, feedback, steps)


def _binarise(ds: Dataset, threshold: float):
    if ds.interactions:
        raise ConfigError(f"{flag('positive_threshold')} {threshold:g} turns ratings into "
                          f"interactions, and {ds.name} holds interactions already; leave it out.")
    values = ds.ratings["rating"].to_numpy(dtype=float)
    keep = values >= threshold
    if not keep.any():
        raise ConfigError(f"{flag('positive_threshold')} {threshold:g} is above every rating of "
                          f"{ds.name} (the highest is {values.max():g}); give a threshold of at "
                          f"most {values.max():g}.")
    step = _record("positive_threshold", {"threshold": threshold}, counts(ds.ratings),
                   ds.ratings[keep])
    return keep, step | {"kept": int(keep.sum()), "dropped": int((~keep).sum())}


def _pass(ratings: pd.DataFrame, keep: np.ndarray, n: int, columns) -> np.ndarray:
    """``keep`` without the rows of users (items) that have fewer than ``n`` kept rows,
    all columns judged on the same kept rows."""
    out = keep.copy()
    for col in columns:
        codes = ratings[col].cat.codes.to_numpy()
        per = np.bincount(codes[keep], minlength=len(ratings[col].cat.categories))
        out &= per[codes] >= n
    return out


def _record(name: str, parameters: dict, before: dict, after: pd.DataFrame) -> dict:
    after_counts = counts(after)
    if after_counts["users"] < 2:
        raise DataError(f"preprocessing step {name} ({', '.join(f'{k} {v:g}' for k, v in parameters.items())}) "
                        f"leaves {after_counts['interactions']:,} interactions of "
                        f"{after_counts['users']:,} user(s) and {after_counts['items']:,} item(s) "
                        f"(before: {before['interactions']:,} of {before['users']:,} users, "
                        f"{before['items']:,} items); a split needs at least two users: lower "
                        f"{flag(name)}.")
    return {"step": name, "parameters": parameters, "before": before, "after": after_counts}


def _subset(ds: Dataset, keep: np.ndarray, feedback: str, steps: list) -> Dataset:
    ratings = ds.ratings[keep].reset_index(drop=True)
    for col in ("user", "item"):
        ratings[col] = ratings[col].cat.remove_unused_categories()
    scale, weight = ds.rating_scale, ds.weight
    if feedback == "interactions" and not ds.interactions:      # binarised
        ratings["rating"] = np.ones(len(ratings), dtype=ratings["rating"].dtype)
        scale, weight = INTERACTION_SCALE, None
    position = np.cumsum(keep) - 1
    folds = {name: tuple(position[rows[keep[rows]]] for rows in pair)
             for name, pair in ds.predefined_folds.items()}
    prov = dataclasses.replace(ds.provenance, n_users=len(ratings["user"].cat.categories),
                               n_items=len(ratings["item"].cat.categories),
                               n_ratings=int(len(ratings)))
    return dataclasses.replace(ds, ratings=ratings, rating_scale=scale, provenance=prov,
                               predefined_folds=folds, feedback=feedback, weight=weight,
                               preprocessing=tuple(ds.preprocessing) + tuple(steps))
