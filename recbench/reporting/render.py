"""Everything a run folder shows, rendered from its ``run.json`` record alone.

``render_files(record)`` returns ``{file name: bytes}`` for ``results.md``, ``results.csv``,
``results.json`` and the plots; it reads nothing else and stamps no date, so rendering the
same record twice gives the same bytes. ``recbench run`` writes these files next to the
record and ``recbench tables`` rebuilds them from stored records.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
from pathlib import Path

from recbench.evaluation.protocol import footer_lines
from recbench.reporting import plots
from recbench.reporting.record import _clean, atomic_write_bytes
from recbench.reporting.tables import best_algorithm, default_columns, results_table

SIGNIFICANCE_LEVEL = 0.05
PLOTS = {"metrics": "per-metric means with 95% intervals",
         "precision_recall": "precision@k and recall@k over k",
         "rmse_vs_precision": "RMSE against precision@10"}


def columns_of(record: dict) -> list[str]:
    exp = record.get("experiment") or {}
    return exp.get("metrics") or default_columns(record["manifest"]["k"])


def significant_vs_best(record: dict) -> dict:
    """metric -> algorithms whose difference from the metric's best is significant."""
    by_algo: dict = {}
    for r in record["results"]:
        by_algo.setdefault(r["algorithm"], {})[r["metric"]] = r
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
            f"{SIGNIFICANCE_LEVEL}). fit_time_s and score_time_s are seconds per fold. "
            "Definitions: `recbench list metrics`; protocol: docs/protocol.md.")


def table(record: dict, fmt: str = "github") -> str:
    """The results table with published reference numbers (when the experiment has any)."""
    exp = record.get("experiment") or {}
    return results_table(record["results"], columns_of(record), fmt, significant_vs_best(record),
                         published=exp.get("published") or None)


def render_markdown(record: dict, plot_files: list[str] = ()) -> str:
    m, exp = record["manifest"], record.get("experiment") or {}
    d = m["dataset"]
    title = exp.get("name") or d["name"]
    lines = [f"# {title}: {d['name']}, split {m['split']}", ""]
    if exp.get("description"):
        lines += [exp["description"], ""]
    lines += [table(record, "github"), "", legend()]
    if exp.get("published"):
        lines += ["", "`published …` columns: " + (exp.get("published_source") or
                                                      "reference numbers given in the experiment file") + "."]
    if record.get("failures"):
        lines += ["", "Failed or unavailable jobs:", ""] + \
                 [f"- {f['algorithm']} on {f['fold']}: {f['error'].splitlines()[0]}"
                  for f in record["failures"]]
    if plot_files:
        lines += ["", "## Plots", ""] + [f"- [{PLOTS[p]}]({p}.svg) ([PNG]({p}.png))"
                                         for p in plot_files]
    lines += ["", "Also as [CSV](results.csv) and [JSON](results.json); the full record is "
                  "[run.json](run.json).", "",
              "## Protocol", "", *footer_lines(record["protocol"]), "",
              "## Manifest", "",
              f"- dataset {d['name']}: {d['n_ratings']:,} ratings, {d['n_users']:,} users, "
              f"{d['n_items']:,} items; ratings SHA-256 `{d['sha256']}`",
              f"- split {m['split']}, seed {m['seed']}, k {m['k']}, relevance threshold "
              f"{record['protocol']['relevance_threshold']:g}",
              f"- recbench {m['recbench_version']}, Python {m['python']}, " +
              ", ".join(f"{k} {v}" for k, v in m["libraries"].items()),
              f"- created {m['created']} on {m['platform']} ({m['machine']['cpus']} CPUs)",
              f"- command: `{m['command']}`", ""]
    return "\n".join(lines)


def results_csv(record: dict) -> str:
    """Long format: one row per (algorithm, metric), with the per-fold values."""
    published = (record.get("experiment") or {}).get("published") or {}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["algorithm", "metric", "mean", "std", "ci_low", "ci_high", "interval",
                "n_folds", "folds", "published"])
    for r in record["results"]:
        folds = " ".join(_num(v) for v in r.get("folds", []))
        w.writerow([r["algorithm"], r["metric"], _num(r.get("mean")), _num(r.get("std")),
                    _num(r.get("ci_low")), _num(r.get("ci_high")), r.get("interval", ""),
                    len(r.get("folds", [])), folds,
                    _num(published.get(r["algorithm"], {}).get(r["metric"]))])
    return buf.getvalue()


def results_json(record: dict) -> str:
    keep = {k: record.get(k) for k in ("experiment", "manifest", "protocol", "results",
                                        "significance", "failures")}
    return json.dumps(_clean(keep), indent=2, sort_keys=True) + "\n"


def _num(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return repr(float(v))


def render_plots(record: dict, folder: Path) -> list[str]:
    """Writes the plots that apply to this record into ``folder``; returns their names."""
    results, ks = record["results"], record["manifest"]["k"]
    name = (record.get("experiment") or {}).get("name") or record["manifest"]["dataset"]["name"]
    metrics = {r["metric"] for r in results}
    made = []
    bars = [c for c in columns_of(record) if c in metrics and not c.endswith("_s")]
    if bars:
        plots.metric_bars(results, bars, name, folder / "metrics")
        made.append("metrics")
    if len(ks) > 1 and any(m.startswith("precision@") for m in metrics):
        plots.precision_recall_over_k(results, sorted(ks), name, folder / "precision_recall")
        made.append("precision_recall")
    k = 10 if 10 in ks else ks[0]
    if "rmse" in metrics and f"precision@{k}" in metrics:
        plots.rmse_vs_precision(results, k, name, folder / "rmse_vs_precision")
        made.append("rmse_vs_precision")
    return made


def render_files(record: dict) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        made = render_plots(record, Path(tmp))
        files = {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir())}
    files["results.md"] = render_markdown(record, made).encode()
    files["results.csv"] = results_csv(record).encode()
    files["results.json"] = results_json(record).encode()
    return files


def sync_files(folder: Path, files: dict[str, bytes], write: bool = True) -> list[str]:
    """Names of ``files`` missing from ``folder`` or different there; (re)written unless
    ``write`` is False."""
    differ = [name for name, data in files.items()
              if not (Path(folder) / name).is_file() or (Path(folder) / name).read_bytes() != data]
    if write:
        for name in differ:
            atomic_write_bytes(Path(folder) / name, files[name])
    return differ


def write_tables(folder: Path, record: dict) -> list[str]:
    """(Re)writes every file rendered from a run record; returns the names that changed."""
    return sync_files(folder, render_files(record))
