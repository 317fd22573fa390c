"""The built-in metrics, registered with their specs. Formulas are in the functions'
docstrings (``recbench list metrics`` shows the one-line descriptions)."""

from __future__ import annotations

import numpy as np

from recbench.metrics.auc import auc_from_counts, auc_score
from recbench.metrics.catalog import catalog_coverage, novelty
from recbench.metrics.diversity import intra_list_diversity, miscalibration
from recbench.metrics.exposure import (
    average_recommendation_popularity,
    exposure,
    exposure_entropy,
    gini_index,
    tail_coverage,
    tail_share,
)
from recbench.metrics.ranking import (
    average_precision_at_k,
    first_relevant_rank,
    first_relevant_rank_from_counts,
    hit_rate_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    reciprocal_rank,
)
from recbench.metrics.rating import mean_absolute_error, root_mean_squared_error
from recbench.metrics.registry import Metric, register


def _per_user_error(x, power: int) -> np.ndarray:
    err = np.abs(x.pred - x.truth) ** power
    n = np.bincount(x.user_codes, minlength=x.n_users)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(x.user_codes, weights=err, minlength=x.n_users) / n
    return np.sqrt(mean) if power == 2 else mean


register(Metric("rmse", "rating", "root mean squared error of clipped predictions, all test ratings",
                lambda x: root_mean_squared_error(x.truth, x.pred),
                per_user=lambda x: _per_user_error(x, 2), higher_is_better=False))
register(Metric("mae", "rating", "mean absolute error of clipped predictions, all test ratings",
                lambda x: mean_absolute_error(x.truth, x.pred),
                per_user=lambda x: _per_user_error(x, 1), higher_is_better=False))
register(Metric("rmse_known", "rating", "RMSE over test ratings whose user and item are in training",
                lambda x: root_mean_squared_error(x.truth[x.known], x.pred[x.known]),
                higher_is_better=False))
register(Metric("mae_known", "rating", "MAE over test ratings whose user and item are in training",
                lambda x: mean_absolute_error(x.truth[x.known], x.pred[x.known]),
                higher_is_better=False))
register(Metric("fallback_share", "rating", "share of test ratings with an unknown user or item",
                lambda x: float(1 - x.known.mean()) if len(x.known) else float("nan"),
                higher_is_better=False))

register(Metric("precision", "ranking", "relevant items in the top k / k",
                lambda x, k: precision_at_k(x.ranked_rel, k), takes_k=True, top_k_only=True))
register(Metric("recall", "ranking", "relevant items in the top k / relevant candidates",
                lambda x, k: recall_at_k(x.ranked_rel, x.n_rel, k), takes_k=True,
                top_k_only=True))
register(Metric("ndcg", "ranking", "normalised discounted cumulative gain, binary gain",
                lambda x, k: ndcg_at_k(x.ranked_rel, x.n_rel, k), takes_k=True, top_k_only=True))
register(Metric("map", "ranking", "mean average precision, AP@k normalised by min(k, relevant)",
                lambda x, k: average_precision_at_k(x.ranked_rel, x.n_rel, k), takes_k=True,
                top_k_only=True))
register(Metric("hit", "ranking", "1 if any relevant item is in the top k",
                lambda x, k: hit_rate_at_k(x.ranked_rel, k), takes_k=True, top_k_only=True))
register(Metric("mrr", "ranking", "1 / rank of the first relevant item in the full ranking",
                lambda x, k: reciprocal_rank(first_relevant_rank(x.scores, x.candidates,
                                                                 x.relevant, x.tiebreak)),
                from_ranks=lambda x, k: reciprocal_rank(
                    first_relevant_rank_from_counts(x.ranks.above, x.ranks.indptr))))
register(Metric("auc", "ranking", "share of (relevant, non-relevant candidate) pairs ordered "
                                  "correctly, ties 1/2",
                lambda x, k: auc_score(x.scores, x.relevant, x.candidates),
                from_ranks=lambda x, k: auc_from_counts(x.ranks.below, x.ranks.tied,
                                                        x.ranks.indptr, x.ranks.n_negative)))
register(Metric("novelty", "ranking", "mean self-information -log2(share of users who rated "
                                      "it) of top-k items",
                lambda x, k: novelty(x.top[:, :k], x.popularity), takes_k=True,
                top_k_only=True))
register(Metric("coverage", "list", "share of the catalog in anyone's top k",
                lambda x, k: catalog_coverage(x.recommended[:, :k], x.n_catalog), takes_k=True))

register(Metric("fit_time_s", "timing", "seconds to fit the algorithm on the training part",
                higher_is_better=False))
register(Metric("score_time_s", "timing", "seconds the algorithm spent scoring (ranking + "
                                          "rating predictions)", higher_is_better=False))
register(Metric("eval_time_s", "timing", "seconds the whole evaluation of the fold took: the "
                                         "algorithm's scoring plus candidates, ranking and metrics",
                higher_is_better=False))
register(Metric("tune_time_s", "timing", "seconds a tuned algorithm spent on its trials in the "
                                         "fold (fits and validation scoring; tuned rows only)",
                higher_is_better=False))

# beyond accuracy (computed when named: ``--metrics gini@10,arp@10``)
register(Metric("gini", "list", "Gini index of how often each catalog item is in a top k "
                                "(0: even exposure)",
                lambda x, k: gini_index(exposure(x.recommended[:, :k], x.n_catalog)),
                takes_k=True, higher_is_better=False, in_default=False))
register(Metric("entropy", "list", "Shannon entropy (nats) of the catalog items' shares of all "
                                   "top-k slots",
                lambda x, k: exposure_entropy(exposure(x.recommended[:, :k], x.n_catalog)),
                takes_k=True, in_default=False))
register(Metric("tail_coverage", "list", "share of the long-tail items in anyone's top k",
                lambda x, k: tail_coverage(x.recommended[:, :k], x.tail), takes_k=True,
                in_default=False))
register(Metric("arp", "ranking", "average recommendation popularity: mean training "
                                  "interactions of the top-k items",
                lambda x, k: average_recommendation_popularity(x.top[:, :k], x.interactions),
                takes_k=True, top_k_only=True, higher_is_better=False, in_default=False))
register(Metric("tail", "ranking", "APLT: share of the top-k items in the long tail",
                lambda x, k: tail_share(x.top[:, :k], x.tail), takes_k=True, top_k_only=True,
                in_default=False))
register(Metric("ild", "ranking", "intra-list diversity: mean 1 - cosine of the top-k items' "
                                  "genre vectors",
                lambda x, k: intra_list_diversity(x.top[:, :k], x.genres), takes_k=True,
                top_k_only=True, in_default=False, needs_item_features=True))
register(Metric("miscalibration", "ranking", "Steck's KL of the training genre distribution "
                                             "from the top k's (alpha 0.01)",
                lambda x, k: miscalibration(x.top[:, :k], x.genres, x.profile), takes_k=True,
                top_k_only=True, higher_is_better=False, in_default=False,
                needs_item_features=True))
