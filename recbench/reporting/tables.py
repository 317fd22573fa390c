"""Rendering result records as tables (tabulate). No computation happens here."""

from __future__ import annotations

import math

from tabulate import tabulate

from recbench.metrics import higher_is_better

FORMATS = {"github": "github", "markdown": "github", "plain": "plain", "latex": "latex",
           "html": "html"}


def default_columns(ks) -> list[str]:
    """The table's metrics: at k = 10 when 10 is among the cutoffs, else the first cutoff."""
    k = 10 if 10 in ks or not ks else ks[0]
    return ["rmse", "mae", f"precision@{k}", f"recall@{k}", f"ndcg@{k}", "auc",
            "fit_time_s", "score_time_s"]


def tested_metrics(ks) -> list[str]:
    """Per-user metrics compared by significance tests: rating errors, AUC, and precision,
    recall and nDCG at every cutoff."""
    return ["rmse", "mae", *[f"{m}@{k}" for k in ks for m in ("precision", "recall", "ndcg")], "auc"]


def _fmt(mean, std, metric: str) -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "-"
    digits = 2 if metric.endswith("_s") else 4
    text = f"{mean:.{digits}f}"
    if std is not None and not (isinstance(std, float) and math.isnan(std)) and not metric.endswith("_s"):
        text += f" ± {std:.{digits}f}"
    return text


def results_table(results: list[dict], columns: list[str], fmt: str = "github",
                  significant: dict | None = None, published: dict | None = None) -> str:
    """One row per algorithm: mean ± std across folds (or the bootstrap half-width on a
    single split). ``significant[metric]`` lists algorithms whose difference from the best
    is significant; they get a ``*``; the best gets ``(best)``. ``published[algorithm][metric]``
    adds a ``published <metric>`` column after the metric columns."""
    by_algo: dict[str, dict] = {}
    for r in results:
        by_algo.setdefault(r["algorithm"], {})[r["metric"]] = r
    columns = [c for c in columns if any(c in m for m in by_algo.values())]
    best = {c: best_algorithm(by_algo, c) for c in columns if not c.endswith("_s")}
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


def best_algorithm(by_algo, metric):
    scored = [(m[metric]["mean"], a) for a, m in by_algo.items()
              if metric in m and m[metric].get("mean") is not None
              and not math.isnan(m[metric]["mean"])]
    if len(scored) < 2:
        return None
    pick = max if higher_is_better(metric) else min
    return pick(scored)[1]
