"""Preprocessing: the recorded steps between reading a dataset and splitting it -
binarisation of ratings into interactions, then filters by users' and items' interaction
counts (one pass each), then the iterated k-core. Each step is recorded (name, parameters,
users/items/interactions before and after, rounds) in ``Dataset.preprocessing``, and so in
``run.json``, ``results.md`` and the job-store key."""

from recbench.preprocessing.pipeline import preprocess
from recbench.preprocessing.spec import PREPROCESS_KEYS, Preprocess

__all__ = ["PREPROCESS_KEYS", "Preprocess", "preprocess"]
