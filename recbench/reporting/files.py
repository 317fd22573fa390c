"""Everything a run folder shows, rendered from its ``run.json`` record alone.

``render_files(record)`` returns ``{file name: bytes}`` for ``results.md``, ``results.csv``,
``results.json`` and the plots; it reads nothing else and stamps no date, so rendering the
same record twice gives the same bytes. ``Run.save`` writes them beside the record and
``recbench tables`` rebuilds them from stored records.
"""

from __future__ import annotations

from pathlib import Path

from recbench.metrics import is_timing
from recbench.reporting import plots
from recbench.reporting.exports import results_csv, results_json
from recbench.reporting.page import render_markdown
from recbench.reporting.storage import atomic_write_bytes
from recbench.reporting.tables import columns_of
from recbench.reporting.tuning import trials_csv


def _title(record: dict) -> str:
    return (record.get("experiment") or {}).get("name") or record["manifest"]["dataset"]["name"]


def figures(record: dict) -> dict:
    """name -> matplotlib Figure, for the plots that apply to this record."""
    results, ks = record["results"], record["manifest"]["k"]
    name = _title(record)
    metrics = {r["metric"] for r in results}
    out = {}
    bars = [c for c in columns_of(record) if c in metrics and not is_timing(c)]
    if bars:
        out["metrics"] = plots.metric_bars(results, bars, name)
    if len(ks) > 1 and any(m.startswith("precision@") for m in metrics):
        out["precision_recall"] = plots.precision_recall_over_k(results, sorted(ks), name)
    k = 10 if 10 in ks else ks[0]
    if "rmse" in metrics and f"precision@{k}" in metrics:
        out["rmse_vs_precision"] = plots.rmse_vs_precision(results, k, name)
    return out


def render_files(record: dict) -> dict[str, bytes]:
    files = {}
    made = figures(record)
    for name, fig in made.items():
        files.update(plots.figure_bytes(fig, name))
    files = dict(sorted(files.items()))
    files["results.md"] = render_markdown(record, list(made)).encode()
    files["results.csv"] = results_csv(record).encode()
    files["results.json"] = results_json(record).encode()
    if record.get("tuning"):                    # a tuned run: every trial of every job
        files["trials.csv"] = trials_csv(record).encode()
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
