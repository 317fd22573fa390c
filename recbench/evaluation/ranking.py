"""Full-ranking evaluation of one fitted algorithm on one fold, in batches of users.

Candidates of a user: every item seen in training minus the user's training items.
Relevant: the user's test items rated >= the threshold that are candidates.
Ranking: raw scores, descending; ties broken by a seeded random key per (user, item).
Users without a relevant candidate are skipped (and counted).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from recbench import metrics
from recbench.errors import RecbenchError


@dataclass
class RankingOutcome:
    per_user: pd.DataFrame     # one row per evaluated user
    fold_values: dict          # coverage@k and the other fold-level values
    counts: dict               # evaluated / skipped users
    score_seconds: float


class ScoringError(RecbenchError):
    pass


def _matrix(users: pd.Index, catalog: pd.Index, frame: pd.DataFrame) -> sparse.csr_matrix:
    rows, cols = users.get_indexer(frame["user"]), catalog.get_indexer(frame["item"])
    keep = (rows >= 0) & (cols >= 0)
    data = np.ones(int(keep.sum()), dtype=bool)
    return sparse.csr_matrix((data, (rows[keep], cols[keep])), shape=(len(users), len(catalog)))


def rank_candidates(scores: np.ndarray, candidates: np.ndarray, rng: np.random.Generator,
                    top: int | None = None):
    """Each row's ranking: score descending, ties by a random key in [0, 1); items that are
    not candidates come last. Returns ``(order, key, dense)``: the first ``top`` items of
    each row in ranked order (all items when ``top`` is None), the sort key (lower = ranked
    higher) and the dense score ranks."""
    dense = metrics.dense_ranks(np.where(candidates, scores, -np.inf))
    # dense rank + key sorts by (rank, key): the key only reorders items of equal score
    key = dense + rng.random(scores.shape)
    n = scores.shape[1]
    if top is None or top >= n:
        return np.argsort(key, axis=1), key, dense
    head = np.argpartition(key, top - 1, axis=1)[:, :top]
    head = np.take_along_axis(head, np.argsort(np.take_along_axis(key, head, axis=1), axis=1), axis=1)
    return head, key, dense


def evaluate_ranking(algo, train: pd.DataFrame, test: pd.DataFrame, ks: list[int],
                     threshold: float, rng: np.random.Generator,
                     batch_cells: int = 2_000_000) -> RankingOutcome:
    catalog = pd.Index(np.sort(train["item"].unique().astype(str)))
    relevant = test[(test["rating"] >= threshold) & test["item"].isin(catalog)]
    eval_users = pd.Index(pd.unique(relevant["user"].to_numpy(dtype=str)))
    all_test_users = test["user"].nunique()
    train_m = _matrix(eval_users, catalog, train)
    rel_m = _matrix(eval_users, catalog, relevant)
    n_train_users = train["user"].nunique()
    # a fold holds each (user, item) pair once, so an item's ratings count its users
    item_users = train["item"].value_counts().reindex(catalog).to_numpy(float)
    popularity = np.maximum(item_users, 1.0) / n_train_users
    kmax = max(ks)
    step = max(1, batch_cells // max(1, len(catalog)))
    rows, recommended, score_seconds = [], [], 0.0
    for start in range(0, len(eval_users), step):
        users = eval_users[start:start + step]
        t0 = time.perf_counter()
        scores = np.asarray(algo.score(users.to_numpy(), catalog.to_numpy()), dtype=float)
        score_seconds += time.perf_counter() - t0
        _check_scores(algo, scores, len(users), len(catalog))
        candidates = ~train_m[start:start + step].toarray()
        rel = rel_m[start:start + step].toarray() & candidates
        top, key, dense = rank_candidates(scores, candidates, rng, top=kmax)
        ranked_rel = np.take_along_axis(rel, top, axis=1)      # the top kmax only
        top = np.where(np.take_along_axis(candidates, top, axis=1), top, -1)
        recommended.append(top)
        n_rel = rel.sum(axis=1)
        values = {"user": users.to_numpy(), "n_relevant": n_rel,
                  "n_candidates": candidates.sum(axis=1)}
        for k in ks:
            values[f"precision@{k}"] = metrics.precision_at_k(ranked_rel, k)
            values[f"recall@{k}"] = metrics.recall_at_k(ranked_rel, n_rel, k)
            values[f"ndcg@{k}"] = metrics.ndcg_at_k(ranked_rel, n_rel, k)
            values[f"map@{k}"] = metrics.average_precision_at_k(ranked_rel, n_rel, k)
            values[f"hit@{k}"] = metrics.hit_rate_at_k(ranked_rel, k)
            values[f"novelty@{k}"] = metrics.novelty(top[:, :k], popularity)
        # rank of the first relevant item = 1 + items whose key sorts before its key
        first = np.where(rel, key, np.inf).min(axis=1)
        values["mrr"] = metrics.reciprocal_rank((key < first[:, None]).sum(axis=1) + 1)
        values["auc"] = metrics.auc_score(scores, rel, candidates, dense=dense)
        rows.append(pd.DataFrame(values))
    per_user = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    recommended = np.vstack(recommended) if recommended else np.empty((0, kmax), dtype=int)
    fold_values = {f"coverage@{k}": metrics.catalog_coverage(recommended[:, :k], len(catalog))
                   for k in ks}
    counts = {"ranked_users": int(len(eval_users)),
              "skipped_users_no_relevant": int(all_test_users - len(eval_users)),
              "catalog_items": int(len(catalog)),
              "relevant_test_items_not_in_catalog": int(
                  ((test["rating"] >= threshold) & ~test["item"].isin(catalog)).sum())}
    return RankingOutcome(per_user, fold_values, counts, score_seconds)


def _check_scores(algo, scores, n_users, n_items) -> None:
    name = getattr(algo, "name", type(algo).__name__)
    if scores.shape != (n_users, n_items):
        raise ScoringError(f"{name}.score returned shape {scores.shape}, expected "
                           f"{(n_users, n_items)}.")
    if not np.isfinite(scores).all():
        raise ScoringError(f"{name}.score returned NaN or infinite scores; every candidate "
                           f"needs a finite score.")
