"""Job results -> result records: per metric and algorithm the mean over folds, the
std and a 95% interval (see :mod:`recbench.statistics.intervals`).
"""

from __future__ import annotations

from recbench.random import derive_rng
from recbench.statistics.intervals import (
    bootstrap_interval,
    bootstrap_keys,
    fold_interval,
)


def summarise(jobs, seed: int = 0) -> list[dict]:
    """Result records ``{algorithm, metric, mean, std, ci_low, ci_high, interval, folds}``;
    ``folds`` holds one value per fold of the run, in fold order, None where the job failed."""
    records = []
    fold_names = list(dict.fromkeys(j.fold for j in jobs))
    labels = list(dict.fromkeys(j.algorithm for j in jobs if j.error is None))
    for label in labels:
        by_fold = {j.fold: j for j in jobs if j.algorithm == label and j.error is None}
        metric_names = list(dict.fromkeys(m for j in by_fold.values() for m in j.values))
        for metric in metric_names:
            folds = [by_fold[f].values.get(metric) if f in by_fold else None for f in fold_names]
            mean, std, lo, hi = fold_interval(folds)
            interval = "t over folds"
            only = by_fold.get(fold_names[0]) if len(fold_names) == 1 else None
            if only is not None and only.per_user is not None:
                rng = derive_rng(seed, *bootstrap_keys(label, metric))
                boot = bootstrap_interval(only.per_user, metric, rng)
                if boot is not None:
                    lo, hi = boot
                    interval = "bootstrap over users"
            records.append({"algorithm": label, "metric": metric, "mean": mean, "std": std,
                            "ci_low": lo, "ci_high": hi, "interval": interval,
                            "folds": [None if v is None else float(v) for v in folds]})
    return records
