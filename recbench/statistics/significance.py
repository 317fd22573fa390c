"""Paired significance tests between algorithms on the same (fold, user) pairs."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats

from recbench.metrics import registered


def holm(pvalues) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values: sort ascending, p_(i) * (m - i + 1) (i from 1),
    made monotone with a running maximum, capped at 1; returned in the input order."""
    p = np.asarray(pvalues, float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(np.maximum.accumulate(p[order] * (m - np.arange(m))), 1.0)
    out = np.empty(m)
    out[order] = adjusted
    return out


def paired_tests(per_user: pd.DataFrame, metric: str, algorithms=None) -> pd.DataFrame:
    """Wilcoxon signed-rank and paired t-test for every pair of algorithms on ``metric``,
    paired on (fold, user) where both have a value; Holm-corrected across the pairs."""
    wide = per_user.pivot_table(index=["fold", "user"], columns="algorithm", values=metric,
                                aggfunc="first")
    algorithms = [a for a in (algorithms or wide.columns) if a in wide.columns]
    rows = []
    for a, b in itertools.combinations(algorithms, 2):
        pair = wide[[a, b]].dropna()
        diff = (pair[a] - pair[b]).to_numpy()
        n = len(diff)
        if n == 0:      # e.g. a ranking-only algorithm has no rating errors
            continue
        if n < 2 or np.allclose(diff, 0):
            w_p = t_p = 1.0
        else:
            w_p = float(stats.wilcoxon(pair[a], pair[b]).pvalue)
            t_p = float(stats.ttest_rel(pair[a], pair[b]).pvalue)
        rows.append({"metric": metric, "a": a, "b": b, "n_pairs": n,
                     "mean_a": float(pair[a].mean()) if n else np.nan,
                     "mean_b": float(pair[b].mean()) if n else np.nan,
                     "mean_diff": float(diff.mean()) if n else np.nan,
                     "wilcoxon_p": w_p, "ttest_p": t_p})
    table = pd.DataFrame(rows, columns=["metric", "a", "b", "n_pairs", "mean_a", "mean_b",
                                        "mean_diff", "wilcoxon_p", "ttest_p"])
    if len(table):
        table["wilcoxon_p_holm"] = holm(table["wilcoxon_p"])
        table["ttest_p_holm"] = holm(table["ttest_p"])
    return table


def tested_metrics(per_user: pd.DataFrame | None) -> list[str]:
    """Per-user metric columns of ``per_user``: the ones paired tests compare."""
    if per_user is None:
        return []
    metrics = registered()
    return [c for c in per_user.columns
            if c.partition("@")[0] in metrics and metrics[c.partition("@")[0]].has_per_user]


def significance(per_user: pd.DataFrame | None, metrics=None) -> list[dict]:
    """Wilcoxon and paired t-tests between every pair of algorithms, for every per-user
    metric, Holm-adjusted per metric across the pairs."""
    rows = []
    if per_user is None or per_user.empty or per_user["algorithm"].nunique() < 2:
        return rows
    for metric in metrics if metrics is not None else tested_metrics(per_user):
        if metric in per_user:
            rows.extend(paired_tests(per_user, metric).to_dict("records"))
    return rows
