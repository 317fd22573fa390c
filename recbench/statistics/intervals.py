"""Per-user values -> per-fold means -> mean, std and a 95% confidence interval.

With several folds the interval is mean +- t(0.975, n-1) * std / sqrt(n) over the fold
values (std with ddof=1). With a single split it is a percentile bootstrap over users
(1,000 resamples, seeded from ``("bootstrap", algorithm, metric)``, over the users that
have a value for the metric); RMSE/MAE are recomputed from the users' error sums so the
interval is for the pooled error, not a mean of per-user errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

N_BOOTSTRAP = 1000
BOOTSTRAP_CELLS = 1 << 22


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
    """95% percentile bootstrap interval over the users that have a value for ``metric`` on
    one fold, or None. RMSE/MAE are pooled: recomputed from the resampled users' error sums."""
    pooled = {"rmse": "sq_error_sum", "mae": "abs_error_sum"}
    if metric in pooled and pooled[metric] in per_user and "n_test_ratings" in per_user:
        rows = per_user[per_user["n_test_ratings"].notna()]
    elif metric in per_user:
        rows = per_user[per_user[metric].notna()]
    else:
        return None
    n = len(rows)
    if n < 2:
        return None
    pooled_sums = metric in pooled and pooled[metric] in rows
    if pooled_sums:
        values = rows[pooled[metric]].to_numpy(float)
        counts = rows["n_test_ratings"].to_numpy(float)
    else:
        values = rows[metric].to_numpy(float)
    draws = np.empty(N_BOOTSTRAP)
    # resamples in blocks of about 4M drawn indices: the same stream as one (N_BOOTSTRAP, n)
    # draw (numpy's bounded integers keep no state between calls), without its memory
    block = max(1, BOOTSTRAP_CELLS // n)
    for start in range(0, N_BOOTSTRAP, block):
        idx = rng.integers(0, n, size=(min(block, N_BOOTSTRAP - start), n), dtype=np.int32
                           if n < 2 ** 31 else np.int64)
        if pooled_sums:
            d = values[idx].sum(axis=1) / counts[idx].sum(axis=1)
            draws[start:start + len(idx)] = np.sqrt(d) if metric == "rmse" else d
        else:
            draws[start:start + len(idx)] = values[idx].mean(axis=1)
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return float(lo), float(hi)


def bootstrap_keys(label: str, metric: str) -> tuple:
    """The seed keys of one bootstrap interval (``recbench.random.derive_rng(root, *keys)``)."""
    return ("bootstrap", label, metric)
