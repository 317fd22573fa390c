"""The evaluation protocol, as written into every run record and under every table."""

from __future__ import annotations


def default_threshold(scale: tuple[float, float]) -> float:
    """4 on the 1-5 and 0.5-5 scales; otherwise the point 75% of the way up the scale."""
    lo, hi = scale
    if hi == 5 and lo in (0.5, 1):
        return 4.0
    return lo + 0.75 * (hi - lo)


_TIE_RULES = {
    "fused": "a splitmix64 hash of the fold's 64-bit tie key and the (user, item) positions "
             "(fused kernel)",
    "dense": "a uniform random array drawn from the fold's tie generator (dense kernel)",
}


def describe(ks, threshold: float, scale, counts: dict, metrics=(), kernel=None) -> dict:
    """``kernel``: the ranking kernel(s) that ran (a name or a list; None: the default)."""
    from recbench.evaluation.ranking import default_kernel
    from recbench.metrics import parse_metric
    kernels = [kernel or default_kernel()] if not isinstance(kernel, (list, tuple)) else \
        list(kernel) or [default_kernel()]
    lo, hi = scale
    computed = list(metrics)
    definitions = {}
    for name in computed:
        m = parse_metric(name).metric
        definitions.setdefault(m.family, m.description)
    return {
        "candidates": "every item seen in the training part minus the user's own training "
                      "items (full ranking, no sampling)",
        "relevance": f"a test item the user rated >= {threshold:g} that is a candidate "
                     f"(relevant test items unseen in training cannot be ranked and are counted)",
        "ranking": "raw, unclipped algorithm scores, descending",
        "ties": ("broken by a seeded key per (user, item), the same for every algorithm on a "
                 "fold; never by item id or input order: "
                 + "; ".join(_TIE_RULES[k] for k in kernels)),
        "cutoffs": list(ks),
        "metrics": computed,
        "definitions": definitions,
        "skipped_users": "users with no relevant candidate are left out of every ranking metric",
        "cold_start": "test users or items unseen in training: rating predictions use the "
                      "algorithm's fallback (counted as fallback_share; rmse_known/mae_known "
                      "leave them out); unseen users are ranked with the fallback scores",
        "rating_metrics": f"RMSE/MAE over all test ratings, predictions clipped to [{lo:g}, {hi:g}]",
        "aggregation": "per-user values -> per-fold mean over users -> mean, std and 95% t "
                       "interval across folds; a single split uses a bootstrap over users",
        "counts": counts,
    }


def footer_lines(protocol: dict) -> list[str]:
    keys = ["candidates", "relevance", "ranking", "ties", "skipped_users", "cold_start",
            "rating_metrics", "aggregation"]
    lines = [f"- **{k.replace('_', ' ')}**: {protocol[k]}" for k in keys if k in protocol]
    c = protocol.get("counts", {})
    if c:
        lines.append("- **counts** (summed over folds): " +
                     ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in c.items()))
    return lines
