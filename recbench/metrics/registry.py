"""The metric registry: a metric is a pure function plus a declared :class:`Metric` spec.

Kinds of metric, by what the evaluator hands their ``compute``:

- ``rating``: ``compute(RatingInput) -> float`` for the fold; an optional
  ``per_user(RatingInput) -> array`` gives per-user values (for paired tests);
- ``ranking``: ``compute(RankingInput, k) -> array``, one value per evaluated user (NaN
  where undefined); the fold value is the mean over users with a value;
- ``list``: ``compute(ListInput, k) -> float`` over every user's recommendations of a fold;
- ``timing``: seconds measured by the evaluator itself (no function; always recorded).

Built-in metrics are registered in :mod:`recbench.metrics.builtin`; third parties call
:func:`register` or declare an entry point in the group ``recbench.metrics`` whose object is
a :class:`Metric`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Callable

import numpy as np

from recbench.errors import ConfigError

GROUP = "recbench.metrics"
KINDS = ("rating", "ranking", "list", "timing")


@dataclass(frozen=True)
class Metric:
    family: str
    kind: str
    description: str
    compute: Callable | None = None
    per_user: Callable | None = None      # rating metrics: per-user values
    takes_k: bool = False
    higher_is_better: bool = True
    # ranking metrics, for the fused kernel (the default) (recbench.evaluation.fused): ``compute``
    # reads only ranked_rel, top, n_rel, popularity and the catalog facts below; or ``from_ranks(RankingInput, k)``
    # computes from its ``ranks`` (RankCounts) instead of the users x catalog arrays
    top_k_only: bool = False
    from_ranks: Callable | None = None
    # left out of the default set ("every registered metric"): computed only when named
    in_default: bool = True
    # reads the item genres (``genres``, ``profile``): refused on a dataset without any
    needs_item_features: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"metric {self.family!r}: kind must be one of {KINDS}")
        if "@" in self.family or not self.family:
            raise ValueError(f"metric family {self.family!r} must be a plain name without '@'")

    @property
    def is_timing(self) -> bool:
        return self.kind == "timing"

    @property
    def has_per_user(self) -> bool:
        return self.kind == "ranking" or (self.kind == "rating" and self.per_user is not None)


@dataclass
class RatingInput:
    """A fold's test ratings: ``truth``, clipped ``pred``, ``known`` (user and item seen in
    training), ``user_codes`` (0..n_users-1, in ``users`` order)."""

    truth: np.ndarray
    pred: np.ndarray
    known: np.ndarray
    user_codes: np.ndarray
    n_users: int


@dataclass
class RankingInput:
    """One batch of users. ``ranked_rel[u, r]``: is the item at rank r+1 relevant (the top
    ``kmax``); ``top``: catalog positions of those items (-1: not a candidate); ``n_rel``:
    relevant candidates per user; ``scores``, ``candidates``, ``relevant``, ``tiebreak``:
    users x catalog; ``popularity``: share of training users per catalog item. The catalog
    facts, the same in every kernel: ``interactions`` (training interactions per catalog
    item), ``tail`` (the long-tail mask, :func:`recbench.metrics.exposure.long_tail`),
    ``genres`` (catalog x genres, :func:`recbench.metrics.diversity.genre_matrix`) and
    ``profile`` (these users' training genre distributions); the last two only when a
    requested metric needs item features."""

    ranked_rel: np.ndarray
    top: np.ndarray
    n_rel: np.ndarray
    scores: np.ndarray
    candidates: np.ndarray
    relevant: np.ndarray
    tiebreak: np.ndarray
    popularity: np.ndarray
    cache: dict = field(default_factory=dict)
    ranks: "RankCounts | None" = None     # the fused kernel's counts (its dense arrays are None)
    interactions: np.ndarray | None = None
    tail: np.ndarray | None = None
    genres: np.ndarray | None = None
    profile: np.ndarray | None = None


@dataclass
class RankCounts:
    """Per relevant candidate j of a batch, user by user (``indptr``, CSR): ``above`` the
    candidates ranked before j (higher score, or equal score and smaller tie key), ``below`` /
    ``tied`` the non-relevant candidates scored strictly lower / equal; ``n_negative`` per
    user the non-relevant candidates."""

    indptr: np.ndarray
    above: np.ndarray
    below: np.ndarray
    tied: np.ndarray
    n_negative: np.ndarray


@dataclass
class ListInput:
    """Every evaluated user's top ``kmax`` catalog positions on a fold (-1: empty slot),
    with the catalog facts of :class:`RankingInput` (``interactions``, ``tail``)."""

    recommended: np.ndarray
    n_catalog: int
    interactions: np.ndarray | None = None
    tail: np.ndarray | None = None


_REGISTRY: dict[str, Metric] = {}
_ENTRY_POINTS_LOADED = False


def register(metric: Metric, replace: bool = False) -> Metric:
    """Add ``metric`` to the registry (``replace`` to overwrite a family of that name)."""
    if not isinstance(metric, Metric):
        raise TypeError(f"register() takes a recbench.metrics.Metric, not {type(metric).__name__}")
    if metric.family in _REGISTRY and not replace and _REGISTRY[metric.family] is not metric:
        raise ValueError(f"a metric named {metric.family!r} is registered already")
    _REGISTRY[metric.family] = metric
    return metric


def unregister(family: str) -> None:
    _REGISTRY.pop(family, None)


def _load_entry_points() -> None:
    global _ENTRY_POINTS_LOADED
    if _ENTRY_POINTS_LOADED:
        return
    _ENTRY_POINTS_LOADED = True
    for ep in entry_points(group=GROUP):
        try:
            metric = ep.load()
            if metric.family not in _REGISTRY:
                register(metric)
        except Exception as exc:       # a broken plugin must not take recbench down
            warnings.warn(f"metric plugin {ep.name!r} is unavailable: {type(exc).__name__}: {exc}",
                          stacklevel=2)


def registered() -> dict[str, Metric]:
    """Family name -> Metric, built-ins and plugins."""
    _load_entry_points()
    return dict(_REGISTRY)


def get(family: str) -> Metric:
    metrics = registered()
    if family not in metrics:
        raise ConfigError(f"unknown metric {family!r}; known: {', '.join(metrics)} "
                          f"(see `recbench list metrics`).")
    return metrics[family]
