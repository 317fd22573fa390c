"""Figures with matplotlib's object-oriented API: every function returns a
``matplotlib.figure.Figure`` and never touches pyplot, the active backend or global
settings, so plots work the same in a script, a notebook (inline) or a headless run.

:func:`figure_bytes` renders a figure as PNG and SVG reproducibly (no creation date in the
metadata, a fixed SVG hash salt set only for that call). Text that comes from users (names,
labels, titles) is escaped so that a ``$`` is never read as mathtext.
"""

from __future__ import annotations

import io
import math


def escape(text) -> str:
    """User text for matplotlib: a ``$`` is shown as a dollar sign, not as mathtext."""
    return str(text).replace("$", r"\$")


def figure_bytes(fig, base: str) -> dict[str, bytes]:
    """``{base}.png`` and ``{base}.svg`` as bytes."""
    from matplotlib import rc_context
    out = {}
    with rc_context({"svg.hashsalt": "recbench"}):
        for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
            buf = io.BytesIO()
            fig.savefig(buf, format=ext, dpi=110, bbox_inches="tight", metadata=meta)
            out[f"{base}.{ext}"] = buf.getvalue()
    return out


def _figure(**kw):
    """A new Figure (matplotlib is imported here, so ``import recbench`` does not load it)."""
    from matplotlib.figure import Figure
    return Figure(**kw)


def _ok(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def transfer_plot(summary: list[dict], title: str):
    """RMSE against the share of target training data, scratch vs transfer (vs reference)."""
    fig = _figure(figsize=(6, 4))
    ax = fig.subplots()
    x = [100 * r["fraction"] for r in summary]
    styles = {"scratch": ("from scratch", "o-"), "transfer": ("pre-trained + fine-tuned", "s-"),
              "baselineonly": ("BaselineOnly (reference)", "^--")}
    for variant, (label, style) in styles.items():
        ax.plot(x, [r[f"{variant}_rmse"] for r in summary], style, label=label)
    ax.set_xscale("log")
    ax.set_xticks(x, [f"{v:g}%" for v in x])
    ax.minorticks_off()
    ax.set_xlabel("share of the target's training ratings")
    ax.set_ylabel("RMSE (lower is better)")
    ax.set_title(escape(title))
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def metric_bars(results: list[dict], metrics: list[str], title: str):
    """One panel per metric: the mean per algorithm with its 95% interval as error bars."""
    by = {}
    for r in results:
        by.setdefault(r["metric"], {})[r["algorithm"]] = r
    metrics = [m for m in metrics if m in by]
    algos = list(dict.fromkeys(r["algorithm"] for r in results))
    cols = min(3, len(metrics)) or 1
    rows = math.ceil(len(metrics) / cols) or 1
    fig = _figure(figsize=(4.2 * cols, 0.35 * len(algos) * rows + 1.6 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        names = [a for a in algos if a in by[metric] and _ok(by[metric][a].get("mean"))]
        means = [by[metric][a]["mean"] for a in names]
        err = [[max(0.0, m - by[metric][a]["ci_low"]) if _ok(by[metric][a].get("ci_low")) else 0.0
                for a, m in zip(names, means)],
               [max(0.0, by[metric][a]["ci_high"] - m) if _ok(by[metric][a].get("ci_high")) else 0.0
                for a, m in zip(names, means)]]
        ax.barh(range(len(names)), means, xerr=err, color="#4c72b0", capsize=3)
        ax.set_yticks(range(len(names)), [escape(n) for n in names])
        ax.invert_yaxis()
        ax.set_title(escape(metric))
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(metrics):]:
        ax.axis("off")
    fig.suptitle(escape(title))
    fig.tight_layout()
    return fig


def precision_recall_over_k(results: list[dict], ks, title: str):
    """Precision@k and recall@k against k, one line per algorithm."""
    by = {(r["algorithm"], r["metric"]): r["mean"] for r in results}
    algos = [a for a in dict.fromkeys(r["algorithm"] for r in results)
             if _ok(by.get((a, f"precision@{ks[0]}")))]
    many = len(algos) > 12              # the legend goes beside the plots, in a taller figure
    fig = _figure(figsize=(13, max(4, 0.24 * len(algos))) if many else (10, 4))
    ax_p, ax_r = fig.subplots(1, 2)
    for a in algos:
        ax_p.plot(ks, [by.get((a, f"precision@{k}")) for k in ks], "o-", label=escape(a))
        ax_r.plot(ks, [by.get((a, f"recall@{k}")) for k in ks], "o-", label=escape(a))
    for ax, name in ((ax_p, "precision@k"), (ax_r, "recall@k")):
        ax.set_xlabel("k")
        ax.set_title(name)
        ax.set_xticks(list(ks))
        ax.grid(alpha=0.3)
    if algos:
        ax_r.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1)) if many \
            else ax_r.legend(fontsize="small", loc="best")
    fig.suptitle(escape(title))
    fig.tight_layout()
    return fig


def rmse_vs_precision(results: list[dict], k: int, title: str):
    """Each algorithm as a point: RMSE (x) against precision@k (y)."""
    by = {(r["algorithm"], r["metric"]): r["mean"] for r in results}
    fig = _figure(figsize=(6, 4.5))
    ax = fig.subplots()
    for a in dict.fromkeys(r["algorithm"] for r in results):
        x, y = by.get((a, "rmse")), by.get((a, f"precision@{k}"))
        if _ok(x) and _ok(y):
            ax.scatter([x], [y])
            ax.annotate(escape(a), (x, y), textcoords="offset points", xytext=(4, 3), fontsize="small")
    ax.set_xlabel("RMSE (lower is better)")
    ax.set_ylabel(f"precision@{k} (higher is better)")
    ax.set_title(escape(title))
    ax.grid(alpha=0.3)
    return fig
