"""Full-ranking evaluation of one fitted algorithm on one fold, in batches of users.

The protocol (:mod:`recbench.evaluation.protocol`) says which items are candidates, which
held-out interactions are relevant and how ties are ordered; a kernel
(:mod:`recbench.evaluation.kernels`) ranks each batch of users under those rules and the
requested metrics are computed from what it returns. Users without a relevant candidate are
skipped (and counted). Both kernels give the same values; the fused one is the default, and a
metric that needs the users x catalog arrays sends the fold to the dense one.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from recbench.errors import RecbenchError
from recbench.evaluation.beyond import TAIL_FAMILIES, catalog_facts
from recbench.evaluation.kernels.dense import DenseRanker
from recbench.evaluation.kernels.fused import FusedRanker
from recbench.evaluation.protocol import Protocol, pair_matrix
from recbench.evaluation.recommendations import joined, top_lists
from recbench.metrics import ListInput, resolve
from recbench.runtime import env
from recbench.runtime.memory import evaluation_batch_cells

#: kernel name -> its ranker class (both give the same values)
RANKERS = {"fused": FusedRanker, "dense": DenseRanker}


@dataclass
class RankingOutcome:
    per_user: pd.DataFrame     # one row per evaluated user
    fold_values: dict          # coverage@k and the other fold-level values
    counts: dict               # evaluated / skipped users
    score_seconds: float
    recommendations: pd.DataFrame | None = None   # user, item, rank, score (``keep`` > 0)
    kernel: str = "fused"      # which ranking kernel computed the values ("fused", "dense")


class ScoringError(RecbenchError):
    pass


@dataclass
class FoldRanking:
    """What a fold's ranking needs besides the scores: the catalog, the evaluated users,
    their excluded and relevant items (users x catalog, boolean CSR) and item popularity."""

    catalog: pd.Index
    users: pd.Index
    excluded: object
    relevant: object
    popularity: np.ndarray
    counts: dict
    interactions: np.ndarray     # training interactions per catalog item


def fold_ranking(train: pd.DataFrame, test: pd.DataFrame, protocol: Protocol) -> FoldRanking:
    """The protocol's candidates and relevance on one fold."""
    catalog = protocol.candidates.catalog(train)
    relevant_rows = protocol.relevance.mask(test)
    in_catalog = test["item"].isin(catalog).to_numpy()
    relevant = test[relevant_rows & in_catalog]
    users = pd.Index(pd.unique(relevant["user"]).astype(str))
    shape = (len(users), len(catalog))
    excluded = protocol.candidates.excluded(train, users, catalog)
    rel_m = pair_matrix(users.get_indexer(relevant["user"]), catalog.get_indexer(relevant["item"]),
                        shape)
    # a fold holds each (user, item) pair once, so an item's ratings count its users
    item_users = np.bincount(catalog.get_indexer(train["item"]), minlength=len(catalog))
    popularity = np.maximum(item_users.astype(float), 1.0) / train["user"].nunique()
    counts = {"ranked_users": int(len(users)),
              "skipped_users_no_relevant": int(test["user"].nunique() - len(users)),
              "catalog_items": int(len(catalog)),
              "relevant_test_items_not_in_catalog": int((relevant_rows & ~in_catalog).sum())}
    return FoldRanking(catalog, users, excluded, rel_m, popularity, counts, item_users)


def evaluate_ranking(algo, train: pd.DataFrame, test: pd.DataFrame, specs, protocol,
                     rng: np.random.Generator, batch_cells: int | None = None, keep: int = 0,
                     kernel: str | None = None, items: pd.DataFrame | None = None
                     ) -> RankingOutcome:
    """The ranking and list metrics of ``specs`` (parsed metric names, or cutoffs: every
    registered metric at those cutoffs) for a fitted ``algo`` on one fold, under ``protocol``
    (a :class:`~recbench.evaluation.protocol.Protocol`, or a relevance threshold for the
    default one). ``rng`` is the fold's tie generator. Users are scored in batches of
    ``batch_cells`` user x item cells (default: sized from the memory budget, see
    :func:`recbench.runtime.memory.evaluation_batch_cells`). ``keep`` > 0 also returns each
    user's top ``keep`` candidates in this very ranking (see
    :mod:`recbench.evaluation.recommendations`). ``kernel``: "fused" (the default) or
    "dense"; the values do not depend on it. ``items``: the dataset's item data (their
    ``genres``), needed by the metrics that read item features."""
    protocol = Protocol.of(protocol)
    if all(isinstance(s, int) for s in specs):
        specs = resolve(None, list(specs))
    specs = [s for s in specs if s.metric.kind in ("ranking", "list")]
    name = _kernel(kernel, specs)
    fold = fold_ranking(train, test, protocol)
    facts = catalog_facts(fold.catalog, fold.excluded, fold.interactions, specs, items,
                          protocol.head_share)
    if any(s.metric.family in TAIL_FAMILIES for s in specs):
        fold.counts |= {"head_items": int((~facts.tail).sum()), "tail_items": int(facts.tail.sum())}
    ranker = RANKERS[name](fold.excluded, fold.relevant, protocol.ties.key(rng), fold.popularity)
    specs = clip_cutoffs(specs, len(fold.catalog))
    keep = min(keep, len(fold.catalog))
    kmax = max([s.k for s in specs if s.k] or [1])
    step = max(1, (batch_cells or evaluation_batch_cells()) // max(1, len(fold.catalog)))
    rows, recommended, kept, seconds = [], [], [], 0.0
    for start in range(0, len(fold.users), step):
        users = fold.users[start:start + step]
        t0 = time.perf_counter()
        scores = np.asarray(algo.score(users.to_numpy(), fold.catalog.to_numpy()))
        seconds += time.perf_counter() - t0
        scores = _check_scores(algo, scores, len(users), len(fold.catalog))
        batch = ranker.rank(scores, start, max(kmax, keep), kmax)
        facts.attach(batch.x, start)
        if keep:        # the first kmax of a longer top are the same items in the same order
            kept.append(top_lists(users, fold.catalog, batch.top[:, :keep], scores))
        recommended.append(batch.x.top)
        rows.append(_user_values(users, batch, specs, ranker))
    per_user = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    lists = ListInput(np.vstack(recommended) if recommended else np.empty((0, kmax), dtype=int),
                      len(fold.catalog), facts.interactions, facts.tail)
    fold_values = {s.name: float(s.metric.compute(lists, s.k)) for s in specs
                   if s.metric.kind == "list"}
    return RankingOutcome(per_user, fold_values, fold.counts, seconds,
                          joined(kept) if keep else None, name)


def clip_cutoffs(specs, n_catalog: int) -> list:
    """A cutoff above the catalog's size is computed at the catalog's size (the whole ranked
    list: nothing lies beyond it), under its own name (``precision@500`` on a 200-item
    catalog is precision@200). The record's protocol says so (``cutoffs_clipped``). Arrays of
    users x cutoff therefore never outgrow the users x catalog ones the budget sizes."""
    n = max(1, int(n_catalog))
    return [replace(s, k=n) if s.k and s.k > n else s for s in specs]


def _user_values(users: pd.Index, batch, specs, ranker) -> pd.DataFrame:
    values = {"user": users.to_numpy(), "n_relevant": batch.x.n_rel,
              "n_candidates": batch.n_candidates}
    for spec in specs:
        if spec.metric.kind == "ranking":
            values[spec.name] = ranker.value(spec, batch.x)
    return pd.DataFrame(values)


def _kernel(kernel, specs) -> str:
    kernel = kernel or env.ranking_kernel()
    if kernel not in RANKERS:
        raise RecbenchError(f"unknown ranking kernel {kernel!r}; give 'fused' (the default) "
                            f"or 'dense' (kernel= or RECBENCH_RANKING_KERNEL).")
    dense_only = [s.name for s in specs if not RANKERS[kernel].serves(s.metric)]
    if dense_only:
        warnings.warn(f"the fused ranking kernel cannot compute {', '.join(dense_only)} "
                      f"(they read the users x catalog arrays); this fold is ranked by the "
                      f"dense kernel, whose values are the same.", stacklevel=3)
        return "dense"
    return kernel


def _check_scores(algo, scores, n_users, n_items) -> np.ndarray:
    """``scores`` as floats, refused when complex (a cast would drop the imaginary part
    silently), of the wrong shape or not finite."""
    name = getattr(algo, "name", "") or type(algo).__name__
    if np.iscomplexobj(scores):
        raise ScoringError(f"{name}.score returned complex scores; scores must be real "
                           f"numbers (take .real if the imaginary parts are meant to be 0).")
    scores = scores.astype(float, copy=False)
    if scores.shape != (n_users, n_items):
        raise ScoringError(f"{name}.score returned shape {scores.shape}, expected "
                           f"{(n_users, n_items)}.")
    if not np.isfinite(scores).all():
        raise ScoringError(f"{name}.score returned NaN or infinite scores; every candidate "
                           f"needs a finite score.")
    return scores
