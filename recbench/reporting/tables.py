"""Results tables (tabulate) and what their marks mean. No computation happens here beyond
picking the best value of a column and the significant differences from it."""

from __future__ import annotations

import math

from tabulate import tabulate

from recbench.errors import ConfigError
from recbench.metrics import higher_is_better, is_timing

FORMATS = {"github": "github", "markdown": "github", "plain": "plain", "latex": "latex",
           "html": "html"}
SIGNIFICANCE_LEVEL = 0.05


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r} is unknown; use one of {', '.join(FORMATS)}.")
    return FORMATS[fmt]


def default_columns(ks) -> list[str]:
    """The table's metrics: at k = 10 when 10 is among the cutoffs, else the first cutoff."""
    k = 10 if 10 in ks or not ks else ks[0]
    return ["rmse", "mae", f"precision@{k}", f"recall@{k}", f"ndcg@{k}", "auc",
            "fit_time_s", "score_time_s", "tune_time_s"]    # tune_time_s: tuned runs only


def columns_of(record: dict) -> list[str]:
    """The experiment's table columns, else its computed metrics, else the default columns."""
    exp = record.get("experiment") or {}
    if exp.get("columns"):
        return exp["columns"]
    if exp.get("metrics") or record["manifest"].get("metrics"):
        # the manifest names what was computed, families expanded at every k ("precision"
        # in a file -> precision@5, precision@10, ...)
        cols = list(record["manifest"].get("metrics") or exp["metrics"])
        return cols + [c for c in ("fit_time_s", "score_time_s", "tune_time_s") if c not in cols]
    return default_columns(record["manifest"]["k"])


def _by_algorithm(results) -> dict:
    by_algo: dict[str, dict] = {}
    for r in results:
        by_algo.setdefault(r["algorithm"], {})[r["metric"]] = r
    return by_algo


def best_algorithm(by_algo, metric):
    scored = [(m[metric]["mean"], a) for a, m in by_algo.items()
              if metric in m and m[metric].get("mean") is not None
              and not math.isnan(m[metric]["mean"])]
    if len(scored) < 2:
        return None
    pick = max if higher_is_better(metric) else min
    return pick(scored)[1]


def significant_vs_best(record: dict) -> dict:
    """metric -> algorithms whose difference from the metric's best is significant."""
    by_algo = _by_algorithm(record["results"])
    marks: dict[str, list[str]] = {}
    for row in record.get("significance", []):
        best = best_algorithm(by_algo, row["metric"])
        p = row.get("wilcoxon_p_holm")
        if best in (row["a"], row["b"]) and p is not None and p < SIGNIFICANCE_LEVEL:
            marks.setdefault(row["metric"], []).append(row["b"] if row["a"] == best else row["a"])
    return marks


def legend() -> str:
    """What the numbers and marks of a results table mean."""
    return ("Mean ± std across folds (a single split shows ± the half-width of a 95% bootstrap "
            "interval over users). `(best)` marks the best value of a column; `*` a significant "
            "difference from it (paired Wilcoxon test over users, Holm-adjusted p < "
            f"{SIGNIFICANCE_LEVEL}). `-`: not computed for that algorithm (ranking-only models "
            "make no rating predictions). fit_time_s and score_time_s are seconds per fold. "
            "Definitions: `recbench list metrics`; protocol: docs/protocol.md.")


def _fmt(mean, std, metric: str) -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "-"
    digits = 2 if is_timing(metric) else 4
    text = f"{mean:.{digits}f}"
    if std is not None and not (isinstance(std, float) and math.isnan(std)) and not is_timing(metric):
        text += f" ± {std:.{digits}f}"
    return text


def results_table(results: list[dict], columns: list[str], fmt: str = "github",
                  significant: dict | None = None, published: dict | None = None) -> str:
    """One row per algorithm: mean ± std across folds (or the bootstrap half-width on a
    single split). ``significant[metric]`` lists algorithms whose difference from the best
    is significant; they get a ``*``; the best gets ``(best)``. ``published[algorithm][metric]``
    adds a ``published <metric>`` column after the metric columns."""
    by_algo = _by_algorithm(results)
    columns = [c for c in columns if any(c in m for m in by_algo.values())]
    best = {c: best_algorithm(by_algo, c) for c in columns if not is_timing(c)}
    rows = []
    for algo, metrics in by_algo.items():
        row = [algo]
        for c in columns:
            r = metrics.get(c)
            if r is None:
                row.append("-")
                continue
            spread = r.get("std")
            if (spread is None or (isinstance(spread, float) and math.isnan(spread))) and \
                    r.get("ci_low") is not None and r.get("ci_high") is not None:
                spread = (r["ci_high"] - r["ci_low"]) / 2
            cell = _fmt(r.get("mean"), spread, c)
            if best.get(c) == algo:
                cell += " (best)"
            elif significant and algo in significant.get(c, ()):
                cell += " *"
            row.append(cell)
        rows.append(row)
    extra = list(dict.fromkeys(m for v in (published or {}).values() for m in v))
    for row in rows:
        ref = (published or {}).get(row[0], {})
        row.extend(f"{ref[m]:.3f}" if m in ref else "-" for m in extra)
    return tabulate(rows, headers=["algorithm", *columns, *[f"published {m}" for m in extra]],
                    tablefmt=FORMATS.get(fmt, fmt), disable_numparse=True)


def table(record: dict, fmt: str = "github") -> str:
    """The results table with published reference numbers (when the experiment has any)."""
    exp = record.get("experiment") or {}
    return results_table(record["results"], columns_of(record), fmt, significant_vs_best(record),
                         published=exp.get("published") or None)


def significance_table(rows, fmt: str = "github") -> str:
    """Paired tests between the algorithms of a run (records of ``paired_tests``)."""
    body = [[r["metric"], r["a"], r["b"], r["n_pairs"], f"{r['mean_a']:.4f}", f"{r['mean_b']:.4f}",
             f"{r['mean_diff']:+.4f}", f"{r['wilcoxon_p']:.3g}", f"{r['wilcoxon_p_holm']:.3g}",
             f"{r['ttest_p']:.3g}", f"{r['ttest_p_holm']:.3g}"] for r in rows]
    return tabulate(body, headers=["metric", "A", "B", "pairs", "mean A", "mean B", "A - B",
                                   "Wilcoxon p", "Wilcoxon p (Holm)", "t-test p",
                                   "t-test p (Holm)"], tablefmt=FORMATS.get(fmt, fmt),
                    disable_numparse=True)


def baseline_table(record: dict, baseline: str, fmt: str = "github") -> str:
    """Every algorithm's paired difference from ``baseline`` (mean over the (fold, user)
    pairs both have), per metric column, with ``*`` where the Holm-adjusted Wilcoxon p is
    below the significance level; ``-`` where the pair was not tested."""
    columns = [c for c in columns_of(record) if not is_timing(c)]
    tests = {}
    for r in record.get("significance", []):
        if baseline in (r["a"], r["b"]):
            other = r["b"] if r["a"] == baseline else r["a"]
            diff = (r["mean_a"] - r["mean_b"]) * (1 if r["a"] == other else -1)
            tests[(other, r["metric"])] = (diff, r.get("wilcoxon_p_holm"))
    algos = [a for a in dict.fromkeys(r["algorithm"] for r in record["results"]) if a != baseline]
    columns = [c for c in columns if any((a, c) in tests for a in algos)]
    rows = []
    for a in algos:
        row = [a]
        for c in columns:
            diff, p = tests.get((a, c), (None, None))
            row.append("-" if diff is None else f"{diff:+.4f}" +
                       (" *" if p is not None and p < SIGNIFICANCE_LEVEL else ""))
        rows.append(row)
    return tabulate(rows, headers=["algorithm", *[f"{c} − {baseline}" for c in columns]],
                    tablefmt=FORMATS.get(fmt, fmt), disable_numparse=True)
