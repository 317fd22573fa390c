"""Metric names: ``precision@10`` -> (family, k, higher_is_better, description)."""

from __future__ import annotations

from dataclasses import dataclass

from recbench.errors import ConfigError

#: family -> (takes a cutoff k, higher is better, one-line description)
FAMILIES = {
    "rmse": (False, False, "root mean squared error of clipped predictions, all test ratings"),
    "mae": (False, False, "mean absolute error of clipped predictions, all test ratings"),
    "rmse_known": (False, False, "RMSE over test ratings whose user and item are in training"),
    "mae_known": (False, False, "MAE over test ratings whose user and item are in training"),
    "fallback_share": (False, False, "share of test ratings with an unknown user or item"),
    "precision": (True, True, "relevant items in the top k / k"),
    "recall": (True, True, "relevant items in the top k / relevant candidates"),
    "ndcg": (True, True, "normalised discounted cumulative gain, binary gain"),
    "map": (True, True, "mean average precision, AP@k normalised by min(k, relevant)"),
    "hit": (True, True, "1 if any relevant item is in the top k"),
    "mrr": (False, True, "1 / rank of the first relevant item in the full ranking"),
    "auc": (False, True, "share of (relevant, non-relevant candidate) pairs ordered correctly"),
    "coverage": (True, True, "share of the catalog in anyone's top k"),
    "novelty": (True, True, "mean self-information -log2(share of users who rated it) of top-k items"),
    "fit_time_s": (False, False, "seconds to fit the algorithm on the training part"),
    "score_time_s": (False, False, "seconds the algorithm spent scoring (ranking + rating predictions)"),
}


@dataclass(frozen=True)
class MetricSpec:
    name: str
    family: str
    k: int | None
    higher_is_better: bool


def parse_metric(name: str) -> MetricSpec:
    family, _, k = name.lower().partition("@")
    if family not in FAMILIES:
        raise ConfigError(f"unknown metric {name!r}; known: {', '.join(FAMILIES)}.")
    takes_k, higher, _ = FAMILIES[family]
    if takes_k != bool(k):
        form = f"{family}@K" if takes_k else family
        raise ConfigError(f"metric {name!r} must be written {form}.")
    if k and not k.isdigit():
        raise ConfigError(f"metric {name!r}: the cutoff must be a positive whole number.")
    return MetricSpec(name.lower(), family, int(k) if k else None, higher)


def higher_is_better(name: str) -> bool:
    return parse_metric(name).higher_is_better
