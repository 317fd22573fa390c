"""The transfer experiment's table, CSV, Markdown page and plot, rendered from its record."""

from __future__ import annotations

import csv
import io
import json

from tabulate import tabulate

from recbench.reporting.files import sync_files
from recbench.reporting.manifest import library_versions, run_environment
from recbench.reporting.plots import figure_bytes, transfer_plot
from recbench.reporting.storage import clean as _clean
from recbench.reporting.storage import record_json

COLUMNS = ["fraction", "n_train", "scratch_rmse", "transfer_rmse", "gain_rmse",
           "gain_rmse_ci", "baselineonly_rmse", "scratch_mae", "transfer_mae", "gain_mae"]


def record_name(record: dict) -> str:
    p = record["protocol"]
    return f"{p['source']['name']}-to-{p['target']['name']}"


def _cell(rec: dict, col: str) -> str:
    v = rec[col]
    if col == "fraction":
        return f"{100 * v:g}%"
    if col == "n_train":
        return f"{v:,}"
    if col.endswith("_ci"):
        return "-" if v[0] is None else f"[{v[0]:+.4f}, {v[1]:+.4f}]"
    return f"{v:+.4f}" if col.startswith("gain") else f"{v:.4f}"


def transfer_table(summary: list[dict], fmt: str) -> str:
    headers = ["target train share", "ratings", "RMSE scratch", "RMSE transfer", "RMSE gain",
               "gain 95% CI", "RMSE BaselineOnly", "MAE scratch", "MAE transfer", "MAE gain"]
    rows = [[_cell(_clean(rec), c) for c in COLUMNS] for rec in summary]
    return tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True)


def transfer_csv(summary: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c for c in COLUMNS if not c.endswith("_ci")] + ["gain_rmse_ci_low", "gain_rmse_ci_high"])
    for rec in summary:
        w.writerow([f"{rec[c]:.6g}" if isinstance(rec[c], float) else rec[c]
                    for c in COLUMNS if not c.endswith("_ci")] +
                   # a single split has no interval over folds: empty cells
                   [f"{x:.6g}" if x is not None else "" for x in rec.get("gain_rmse_ci")
                    or (None, None)])
    return buf.getvalue()


def render_transfer(record: dict, name: str) -> str:
    p, m = record["protocol"], record["manifest"]
    lines = [f"# Transfer: {p['source']['name']} -> {p['target']['name']}", "",
             transfer_table(record["summary"], "github"), "",
             "Mean over folds. Gain = scratch - transfer (positive: pre-training helped), "
             "with a 95% t interval of the per-fold paired differences.", "",
             f"![RMSE against the target's training share]({name}.png) ([SVG]({name}.svg))", "",
             "## Protocol", "",
             f"- source {p['source']['name']} ({p['source']['n_ratings']:,} ratings, SHA-256 "
             f"`{p['source']['sha256']}`), target {p['target']['name']} "
             f"({p['target']['n_ratings']:,} ratings, SHA-256 `{p['target']['sha256']}`)",
             f"- split {p['split']}" + (f" ({p['n_folds']} folds)" if p["n_folds"] else "") +
             f", seed {p['seed']}; subsets: {p['subsets']}",
             *[f"- {k}: {v}" for k, v in p["variants"].items()],
             f"- metrics: {p['metrics']}",
             f"- model parameters: `{json.dumps(record['params'], sort_keys=True)}`", "",
             "## Manifest", "",
             f"- recbench {m['recbench_version']}, Python {m['python']}, " +
             ", ".join(f"{k} {v}" for k, v in m["libraries"].items()),
             f"- created {m['created']} on {m['platform']} ({m['machine']['cpus']} CPUs)",
             f"- command: `{m['command']}`", ""]
    return "\n".join(lines)


def transfer_files(record: dict) -> dict[str, bytes]:
    """``<source>-to-<target>.{md,csv,png,svg}`` from the record alone."""
    name = record_name(record)
    p = record["protocol"]
    fig = transfer_plot(record["summary"], f"Transfer {p['source']['name']} -> {p['target']['name']}")
    files = dict(sorted(figure_bytes(fig, name).items()))
    files[f"{name}.csv"] = transfer_csv(record["summary"]).encode()
    files[f"{name}.md"] = render_transfer(record, name).encode()
    return files


def build_transfer_record(out: dict, command: str) -> dict:
    return {"manifest": {"command": command, **run_environment(),
                         "libraries": library_versions()}, **out}


class TransferStudy:
    """The transfer study's record with its table, files and ``save``."""

    def __init__(self, record: dict):
        self.record = json.loads(json.dumps(_clean(record)))
        self.name = record_name(self.record)

    @property
    def summary(self) -> list[dict]:
        return self.record["summary"]

    def table(self, fmt: str = "github") -> str:
        return transfer_table(self.summary, fmt)

    def files(self) -> dict[str, bytes]:
        return {f"{self.name}.json": record_json(self.record).encode(), **transfer_files(self.record)}

    def save(self, folder) -> list[str]:
        """Write ``<name>.{json,md,csv,png,svg}`` into ``folder`` (each file atomically)."""
        from pathlib import Path
        return sync_files(Path(folder), self.files())
