"""Comparing two runs (A = reference, B = candidate) algorithm by algorithm.

For every algorithm in both runs and every metric:

* delta = mean(B) - mean(A);
* its 95% interval: a paired t interval over the folds both runs share (same fold names),
  or, with a single shared fold, a normal interval over the per-user paired differences;
* significance: paired Wilcoxon signed-rank test on the per-user values, paired on
  (fold, user), Holm-corrected per metric across the algorithms compared;
* regressed: B is worse than A by more than ``tolerance`` (absolute, in the metric's own
  direction: lower RMSE is better, higher nDCG is better).

Pairing by (fold, user) is only meaningful when both runs split the same data the same way;
``comparable`` reports whether dataset hash, split and seed agree. The functions here return
data (rows and notes); :class:`recbench.reporting.comparison.Comparison` holds and renders them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from recbench.errors import ConfigError, RecbenchError
from recbench.metrics import higher_is_better, parse_metric
from recbench.statistics.intervals import fold_interval
from recbench.statistics.significance import holm, significance, tested_metrics


def comparable(a: dict, b: dict) -> list[str]:
    """Reasons the two records do not share folds (empty when they do)."""
    ma, mb = a["manifest"], b["manifest"]
    reasons = []
    da, db = ma["dataset"], mb["dataset"]
    both = "content_sha256" in da and "content_sha256" in db     # older records lack it
    if da["sha256"] != db["sha256"] or (both and da["content_sha256"] != db["content_sha256"]):
        reasons.append("different datasets (SHA-256 of the file or of the data as loaded)")
    if da.get("rating_scale") != db.get("rating_scale"):
        reasons.append(f"different rating scales ({da.get('rating_scale')} vs {db.get('rating_scale')})")
    ta = (a.get("protocol") or {}).get("relevance_threshold")
    tb = (b.get("protocol") or {}).get("relevance_threshold")
    if ta != tb:
        reasons.append(f"different relevance thresholds ({ta} vs {tb})")
    keys = ["split", "n_folds", "seed"] + (["split_options"] if "split_options" in ma and
                                           "split_options" in mb else ["test_size", "leave_out"])
    for key in keys:
        if ma.get(key) != mb.get(key):
            reasons.append(f"different {key} ({ma.get(key)} vs {mb.get(key)})")
    return reasons


def _by(record: dict) -> dict:
    return {(r["algorithm"], r["metric"]): r for r in record["results"]}


def _fold_values(record: dict, algorithm: str, metric: str) -> dict:
    folds = [f["fold"] for f in record.get("folds", [])]
    r = _by(record).get((algorithm, metric))
    if r is None:
        return {}
    return {name: v for name, v in zip(folds, r.get("folds", [])) if v is not None}


COLUMNS = ["metric", "algorithm_a", "algorithm_b", "mean_a", "mean_b", "delta", "ci_low",
           "ci_high", "n_pairs", "wilcoxon_p", "wilcoxon_p_holm", "regressed"]


def compare_runs(a: dict, pu_a, b: dict, pu_b, metrics: list[str],
                 algorithms: list[tuple[str, str]] | None = None,
                 tolerance: float = 0.01, gate: str | None = None) -> pd.DataFrame:
    """One row per (metric, algorithm pair). ``algorithms`` lists (algorithm in A,
    algorithm in B) pairs; by default every algorithm of A (one that B lacks, or has no
    value for, counts as a regression on the ``gate`` metric). With a fold that failed in
    one run, means, delta and interval are over the folds both runs have."""
    ra, rb = _by(a), _by(b)
    if algorithms is None:
        algorithms = [(x, x) for x in dict.fromkeys(alg for alg, _ in ra)]
    share_folds = not comparable(a, b)
    rows = []
    for metric in metrics:
        block = []
        for alg_a, alg_b in algorithms:
            x, y = ra.get((alg_a, metric)), rb.get((alg_b, metric))
            if x is None or x.get("mean") is None:
                continue
            if y is None or y.get("mean") is None:
                if metric == gate:          # gated but missing (or failed on every fold) in B
                    block.append(_missing_row(metric, alg_a, alg_b, x["mean"]))
                continue
            block.append(_row(a, pu_a, b, pu_b, metric, alg_a, alg_b, x["mean"], y["mean"],
                              share_folds, tolerance))
        rows.extend(_holm_adjusted(block))
    return pd.DataFrame(rows, columns=COLUMNS)


def _missing_row(metric, alg_a, alg_b, mean_a) -> dict:
    return {"metric": metric, "algorithm_a": alg_a, "algorithm_b": alg_b, "mean_a": mean_a,
            "mean_b": np.nan, "delta": np.nan, "ci_low": np.nan, "ci_high": np.nan,
            "n_pairs": 0, "wilcoxon_p": np.nan, "regressed": True}


def _row(a, pu_a, b, pu_b, metric, alg_a, alg_b, mean_a, mean_b, share_folds,
         tolerance) -> dict:
    """One (metric, algorithm pair) row: delta, its interval, the paired test, the gate."""
    lo = hi = p = np.nan
    n_pairs = 0
    paired = _paired_users(pu_a, alg_a, pu_b, alg_b, metric) if share_folds else None
    fa, fb = _fold_values(a, alg_a, metric), _fold_values(b, alg_b, metric)
    common = [f for f in fa if f in fb] if share_folds else []
    if common and (len(common) < len(fa) or len(common) < len(fb)):
        # a fold failed in one run: compare the folds both have, and say so in the means
        mean_a = float(np.mean([fa[f] for f in common]))
        mean_b = float(np.mean([fb[f] for f in common]))
    delta = mean_b - mean_a
    if len(common) >= 2:
        _, _, lo, hi = fold_interval([fb[f] - fa[f] for f in common])
    elif paired is not None and len(paired) >= 2:
        d = paired[:, 1] - paired[:, 0]
        half = 1.96 * d.std(ddof=1) / np.sqrt(len(d))
        lo, hi = delta - half, delta + half
    if paired is not None and len(paired):
        n_pairs = len(paired)
        d = paired[:, 1] - paired[:, 0]
        p = 1.0 if np.allclose(d, 0) else float(stats.wilcoxon(paired[:, 0], paired[:, 1]).pvalue)
    worse = -delta if higher_is_better(metric) else delta
    return {"metric": metric, "algorithm_a": alg_a, "algorithm_b": alg_b, "mean_a": mean_a,
            "mean_b": mean_b, "delta": delta, "ci_low": lo, "ci_high": hi, "n_pairs": n_pairs,
            "wilcoxon_p": p, "regressed": bool(worse > tolerance)}


def _holm_adjusted(block: list[dict]) -> list[dict]:
    """The rows of one metric with ``wilcoxon_p_holm``: Holm over the pairs that were tested."""
    ps = [r["wilcoxon_p"] for r in block]
    finite = [i for i, v in enumerate(ps) if np.isfinite(v)]
    adjusted = holm([ps[i] for i in finite]) if finite else []
    for r in block:
        r["wilcoxon_p_holm"] = np.nan
    for i, v in zip(finite, adjusted):
        block[i]["wilcoxon_p_holm"] = float(v)
    return block


def _paired_users(pu_a, alg_a, pu_b, alg_b, metric):
    if pu_a is None or pu_b is None or metric not in pu_a or metric not in pu_b:
        return None
    left = pu_a.loc[pu_a["algorithm"] == alg_a, ["fold", "user", metric]]
    right = pu_b.loc[pu_b["algorithm"] == alg_b, ["fold", "user", metric]]
    both = left.merge(right, on=["fold", "user"], suffixes=("_a", "_b")).dropna()
    return both[[f"{metric}_a", f"{metric}_b"]].to_numpy(float)


def compare_records(a: dict, pu_a, b: dict, pu_b, metrics: list[str], pairs=None,
                    gate_metric: str | None = None, tolerance: float = 0.01):
    """Run B against run A on ``metrics``: ``(rows, gate, notes)``. The gate metric defaults
    to ndcg@10 when compared, else the first metric."""
    if not isinstance(tolerance, (int, float)) or not np.isfinite(tolerance) or tolerance < 0:
        raise ConfigError(f"--tolerance {tolerance!r} is invalid; give a number >= 0.")
    metrics = [parse_metric(m).name for m in metrics]
    gate = parse_metric(gate_metric).name if gate_metric else \
        ("ndcg@10" if "ndcg@10" in metrics else metrics[0])
    if gate not in metrics:
        metrics.append(gate)
    rows = compare_runs(a, pu_a, b, pu_b, metrics, pairs, tolerance, gate)
    if not (rows["metric"] == gate).any():
        raise ConfigError(f"--gate-metric {gate} has no values in run A; gate on a metric both "
                          f"runs computed (see --metric).")
    if rows.empty:
        raise RecbenchError("the two runs share no algorithm with these metrics; name the pair "
                            "with --a and --b (or a_algorithm=, b_algorithm=).")
    reasons = comparable(a, b)
    notes = [] if not reasons else [
        "the runs do not share folds (" + "; ".join(reasons) + "): no paired tests or "
        "intervals, only the difference of the means."]
    return rows, gate, notes


WITHIN_NOTE = ("Paired on (fold, user). Holm's correction is applied per metric across the pairs "
               "of algorithms. rmse/mae are per-user values here.")


def within_run(per_user, metrics=None) -> pd.DataFrame:
    """Paired tests between the algorithms of one run, recomputed from its per-user values:
    one row per (metric, pair) for ``metrics`` (default: every per-user metric)."""
    if per_user is None:
        raise RecbenchError("this run has no per-user values (per_user.csv.gz); paired tests "
                            "need them.")
    if per_user["algorithm"].nunique() < 2:
        raise RecbenchError("this run holds one algorithm; a comparison needs two or more.")
    wanted = [parse_metric(m).name for m in metrics] if metrics else tested_metrics(per_user)
    missing = [m for m in wanted if m not in per_user.columns]
    if metrics and missing:
        raise RecbenchError(f"metric {missing[0]!r} has no per-user values in this run; it has: "
                            f"{', '.join(tested_metrics(per_user))}.")
    return pd.DataFrame(significance(per_user, [m for m in wanted if m in per_user.columns]))
