"""Metrics: pure functions over numpy arrays (one module per family) and their registry.

Add a metric with one function, one :func:`register` call (or an entry point in the group
``recbench.metrics``) and its test::

    from recbench.metrics import Metric, register
    register(Metric("hits", "ranking", "relevant items in the top k",
                    lambda x, k: x.ranked_rel[:, :k].sum(axis=1).astype(float), takes_k=True))
"""

from recbench.metrics import builtin  # noqa: F401  (registers the built-in metrics)
from recbench.metrics.auc import auc_score
from recbench.metrics.catalog import catalog_coverage, novelty
from recbench.metrics.ranking import (
                                      average_precision_at_k,
                                      first_relevant_rank,
                                      hit_rate_at_k,
                                      ndcg_at_k,
                                      precision_at_k,
                                      recall_at_k,
                                      reciprocal_rank,
)
from recbench.metrics.rating import mean_absolute_error, root_mean_squared_error
from recbench.metrics.registry import (
                                      ListInput,
                                      Metric,
                                      RankingInput,
                                      RatingInput,
                                      get,
                                      register,
                                      registered,
                                      unregister,
)
from recbench.metrics.spec import (
                                      MetricSpec,
                                      check_cutoffs,
                                      higher_is_better,
                                      is_timing,
                                      parse_metric,
                                      resolve,
)

__all__ = [
    "auc_score", "catalog_coverage", "novelty", "average_precision_at_k", "first_relevant_rank",
    "hit_rate_at_k", "ndcg_at_k", "precision_at_k", "recall_at_k", "reciprocal_rank",
    "mean_absolute_error", "root_mean_squared_error", "Metric", "MetricSpec", "RatingInput",
    "RankingInput", "ListInput", "register", "registered", "unregister", "get",
    "check_cutoffs", "higher_is_better", "is_timing", "parse_metric", "resolve",
]
