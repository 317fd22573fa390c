"""Pure metric functions over numpy arrays, one module per family."""

from recbench.metrics.auc import auc_score
from recbench.metrics.catalog import catalog_coverage, novelty
from recbench.metrics.ranking import (average_precision_at_k, hit_rate_at_k, ndcg_at_k,
                                      precision_at_k, recall_at_k, reciprocal_rank)
from recbench.metrics.rating import mean_absolute_error, root_mean_squared_error
from recbench.metrics.spec import FAMILIES, MetricSpec, higher_is_better, parse_metric

__all__ = [
    "auc_score", "catalog_coverage", "novelty", "average_precision_at_k", "hit_rate_at_k",
    "ndcg_at_k", "precision_at_k", "recall_at_k", "reciprocal_rank", "mean_absolute_error",
    "root_mean_squared_error", "FAMILIES", "MetricSpec", "higher_is_better", "parse_metric",
]
