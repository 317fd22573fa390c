"""Per-user values -> per-fold means -> mean, std and a 95% confidence interval.

With several folds the interval is mean +- t(0.975, n-1) * std / sqrt(n) over the fold
values (std with ddof=1). With a single split it is a percentile bootstrap over users
(1,000 resamples, seeded from ``("bootstrap", algorithm)``); RMSE/MAE are recomputed from the users' error sums so the
interval is for the pooled error, not a mean of per-user errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from recbench.random import derive_rng

N_BOOTSTRAP = 1000


def fold_interval(values) -> tuple[float, float, float, float]:
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], float)
    if len(v) == 0:
        return (float("nan"),) * 4
    mean = float(v.mean())
    if len(v) < 2:
        return mean, float("nan"), float("nan"), float("nan")
    std = float(v.std(ddof=1))
    half = float(stats.t.ppf(0.975, len(v) - 1) * std / np.sqrt(len(v)))
    return mean, std, mean - half, mean + half


def bootstrap_interval(per_user: pd.DataFrame, metric: str, rng: np.random.Generator):
    """95% percentile bootstrap interval over users for one fold's metric, or None."""
    n = len(per_user)
    if n < 2:
        return None
    idx = rng.integers(0, n, size=(N_BOOTSTRAP, n))
    if metric in ("rmse", "mae") and "n_test_ratings" in per_user:
        col = "sq_error_sum" if metric == "rmse" else "abs_error_sum"
        sums = per_user[col].fillna(0).to_numpy()[idx].sum(axis=1)
        counts = per_user["n_test_ratings"].fillna(0).to_numpy()[idx].sum(axis=1)
        draws = sums / counts
        draws = np.sqrt(draws) if metric == "rmse" else draws
    elif metric in per_user:
        values = per_user[metric].to_numpy(float)
        draws = np.nanmean(values[idx], axis=1)
    else:
        return None
    lo, hi = np.nanpercentile(draws, [2.5, 97.5])
    return float(lo), float(hi)


def summarise(jobs, seed: int = 0) -> list[dict]:
    """Result records ``{algorithm, metric, mean, std, ci_low, ci_high, folds}``."""
    records = []
    labels = list(dict.fromkeys(j.algorithm for j in jobs if j.error is None))
    for label in labels:
        mine = [j for j in jobs if j.algorithm == label and j.error is None]
        metric_names = list(dict.fromkeys(m for j in mine for m in j.values))
        for metric in metric_names:
            folds = [j.values.get(metric) for j in mine]
            mean, std, lo, hi = fold_interval(folds)
            interval = "t over folds"
            if len(mine) == 1 and mine[0].per_user is not None:
                rng = derive_rng(seed, "bootstrap", label)
                boot = bootstrap_interval(mine[0].per_user, metric, rng)
                if boot is not None:
                    lo, hi = boot
                    interval = "bootstrap over users"
            records.append({"algorithm": label, "metric": metric, "mean": mean, "std": std,
                            "ci_low": lo, "ci_high": hi, "interval": interval,
                            "folds": [None if v is None else float(v) for v in folds]})
    return records
