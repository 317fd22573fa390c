"""Full-ranking evaluation of one fitted algorithm on one fold, in batches of users.

Candidates of a user: every item seen in training minus the user's training items.
Relevant: the user's test items rated >= the threshold that are candidates.
Ranking: raw scores, descending; ties broken by a seeded key per (user, item): by default a
hash of the fold's tie key and the (user, item) positions (the fused kernel, ``fused.py``),
with ``kernel="dense"`` a materialised random array (the kernel of recbench <= 0.x runs).
Users without a relevant candidate are skipped (and counted).
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from recbench.metrics import ListInput, RankingInput, resolve
from recbench.errors import RecbenchError
from recbench.evaluation.recommendations import joined, top_lists


@dataclass
class RankingOutcome:
    per_user: pd.DataFrame     # one row per evaluated user
    fold_values: dict          # coverage@k and the other fold-level values
    counts: dict               # evaluated / skipped users
    score_seconds: float
    recommendations: pd.DataFrame | None = None   # user, item, rank, score (``keep`` > 0)
    kernel: str = "dense"      # which ranking kernel computed the values ("dense", "fused")


class ScoringError(RecbenchError):
    pass


def _matrix(rows: np.ndarray, cols: np.ndarray, shape) -> sparse.csr_matrix:
    """Boolean matrix with the (row, col) pairs set, leaving out pairs with a -1."""
    keep = (rows >= 0) & (cols >= 0)
    data = np.ones(int(keep.sum()), dtype=bool)
    return sparse.csr_matrix((data, (rows[keep], cols[keep])), shape=shape)


def rank_candidates(scores: np.ndarray, candidates: np.ndarray, rng: np.random.Generator,
                    top: int | None = None):
    """Each row's ranking: score descending, ties by a random key in [0, 1); items that are
    not candidates come last. Returns ``(order, tiebreak)``: the first ``top`` items of each
    row in ranked order (all items when ``top`` is None) and the random keys."""
    ranked = np.where(candidates, scores, -np.inf)
    tiebreak = rng.random(scores.shape)
    n_rows, n = ranked.shape
    if top is None or top >= n:
        return np.lexsort((tiebreak, -ranked), axis=1), tiebreak
    # every item scored at least the top-th largest score may be in the top: sort just those
    kth = -np.partition(-ranked, top - 1, axis=1)[:, top - 1:top]
    rows, cols = np.nonzero(ranked >= kth)
    order = np.lexsort((tiebreak[rows, cols], -ranked[rows, cols], rows))
    start = np.searchsorted(rows[order], np.arange(n_rows))
    return cols[order][start[:, None] + np.arange(top)], tiebreak


def evaluate_ranking(algo, train: pd.DataFrame, test: pd.DataFrame, specs,
                     threshold: float, rng: np.random.Generator,
                     batch_cells: int | None = None, keep: int = 0,
                     kernel: str | None = None) -> RankingOutcome:
    """The ranking and list metrics of ``specs`` (parsed metric names, or cutoffs: every
    registered metric at those cutoffs) for a fitted ``algo`` on one fold. Only the
    requested metrics are computed. Users are scored in batches of ``batch_cells`` user x
    item cells (default: sized from the memory budget, see
    :func:`recbench.algorithms.memory.evaluation_batch_cells`). ``keep`` > 0 also returns each user's top ``keep``
    candidates in this very ranking (see :mod:`recbench.evaluation.recommendations`).
    ``kernel``: "fused" (the default, :func:`default_kernel`; :mod:`recbench.evaluation.fused`:
    hashed tie keys, no users x catalog arrays besides the scores) or "dense" (the reference
    implementation: dense candidate, relevance and random tie-key arrays per batch). A requested ranking metric that the fused kernel cannot serve (one
    that reads the dense arrays) sends the whole fold to the dense kernel, with a warning."""
    if all(isinstance(s, int) for s in specs):
        specs = resolve(None, list(specs))
    specs = [s for s in specs if s.metric.kind in ("ranking", "list")]
    kernel = _kernel(kernel, specs)
    catalog = pd.Index(np.sort(train["item"].unique().astype(str)))
    relevant = test[(test["rating"] >= threshold) & test["item"].isin(catalog)]
    eval_users = pd.Index(pd.unique(relevant["user"]).astype(str))
    all_test_users = test["user"].nunique()
    shape = (len(eval_users), len(catalog))
    train_items = catalog.get_indexer(train["item"])
    train_m = _matrix(eval_users.get_indexer(train["user"]), train_items, shape)
    rel_m = _matrix(eval_users.get_indexer(relevant["user"]), catalog.get_indexer(relevant["item"]), shape)
    n_train_users = train["user"].nunique()
    # a fold holds each (user, item) pair once, so an item's ratings count its users
    item_users = np.bincount(train_items, minlength=len(catalog)).astype(float)
    popularity = np.maximum(item_users, 1.0) / n_train_users
    kmax = max([s.k for s in specs if s.k] or [1])
    if batch_cells is None:
        from recbench.runtime.memory import evaluation_batch_cells
        batch_cells = evaluation_batch_cells()
    step = max(1, batch_cells // max(1, len(catalog)))
    rows, recommended, kept, score_seconds = [], [], [], 0.0
    if kernel == "fused":
        from recbench.evaluation.kernels.fused import fused_batches
        rows, recommended, kept, score_seconds = fused_batches(
            algo, eval_users, catalog, train_m, rel_m, popularity, specs, kmax, keep, step,
            rng, _check_scores)
    for start in range(0, len(eval_users) if kernel == "dense" else 0, step):   # dense kernel
        users = eval_users[start:start + step]
        t0 = time.perf_counter()
        scores = np.asarray(algo.score(users.to_numpy(), catalog.to_numpy()), dtype=float)
        score_seconds += time.perf_counter() - t0
        _check_scores(algo, scores, len(users), len(catalog))
        candidates = ~train_m[start:start + step].toarray()
        rel = rel_m[start:start + step].toarray() & candidates
        top, tiebreak = rank_candidates(scores, candidates, rng, top=max(kmax, keep))
        if keep:        # the first kmax of a longer top are the same items in the same order
            kept.append(top_lists(users, catalog, top[:, :keep], scores, candidates))
            top = top[:, :kmax]
        ranked_rel = np.take_along_axis(rel, top, axis=1)      # the top kmax only
        top = np.where(np.take_along_axis(candidates, top, axis=1), top, -1)
        recommended.append(top)
        n_rel = rel.sum(axis=1)
        batch = RankingInput(ranked_rel, top, n_rel, scores, candidates, rel, tiebreak, popularity)
        values = {"user": users.to_numpy(), "n_relevant": n_rel,
                  "n_candidates": candidates.sum(axis=1)}
        for spec in specs:
            if spec.metric.kind == "ranking":
                values[spec.name] = np.asarray(spec.metric.compute(batch, spec.k), dtype=float)
        rows.append(pd.DataFrame(values))
    per_user = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    recommended = np.vstack(recommended) if recommended else np.empty((0, kmax), dtype=int)
    lists = ListInput(recommended, len(catalog))
    fold_values = {s.name: float(s.metric.compute(lists, s.k)) for s in specs
                   if s.metric.kind == "list"}
    counts = {"ranked_users": int(len(eval_users)),
              "skipped_users_no_relevant": int(all_test_users - len(eval_users)),
              "catalog_items": int(len(catalog)),
              "relevant_test_items_not_in_catalog": int(
                  ((test["rating"] >= threshold) & ~test["item"].isin(catalog)).sum())}
    return RankingOutcome(per_user, fold_values, counts, score_seconds,
                          joined(kept) if keep else None, kernel)


KERNELS = ("fused", "dense")


def default_kernel() -> str:
    """The ranking kernel used when none is given: ``RECBENCH_RANKING_KERNEL`` or "fused"."""
    return os.environ.get("RECBENCH_RANKING_KERNEL") or "fused"


def _kernel(kernel, specs) -> str:
    kernel = kernel or default_kernel()
    if kernel not in KERNELS:
        raise RecbenchError(f"unknown ranking kernel {kernel!r}; give 'fused' (the default) "
                            f"or 'dense' (kernel= or RECBENCH_RANKING_KERNEL).")
    if kernel == "fused":
        from recbench.evaluation.kernels.fused import serves
        dense_only = [s.name for s in specs if not serves(s.metric)]
        if dense_only:
            warnings.warn(f"the fused ranking kernel cannot compute {', '.join(dense_only)} "
                          f"(they read the users x catalog arrays); this fold is ranked by "
                          f"the dense kernel.", stacklevel=3)
            return "dense"
    return kernel


def _check_scores(algo, scores, n_users, n_items) -> None:
    name = getattr(algo, "name", "") or type(algo).__name__
    if scores.shape != (n_users, n_items):
        raise ScoringError(f"{name}.score returned shape {scores.shape}, expected "
                           f"{(n_users, n_items)}.")
    if not np.isfinite(scores).all():
        raise ScoringError(f"{name}.score returned NaN or infinite scores; every candidate "
                           f"needs a finite score.")
