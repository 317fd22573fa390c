"""``recbench transfer``: pre-train on a source dataset, fine-tune on a target, and report the
gain over training from scratch as the target's training data shrinks."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

from tabulate import tabulate

from recbench.algorithms.registry import parse_param
from recbench.datasets import load_dataset
from recbench.errors import ConfigError
from recbench.evaluation.transfer import FRACTIONS, TransferSettings, run_transfer
from recbench.reporting.manifest import library_versions, run_environment
from recbench.reporting.plots import transfer_plot
from recbench.reporting.record import _clean, atomic_write_text

COLUMNS = ["fraction", "n_train", "scratch_rmse", "transfer_rmse", "gain_rmse",
           "gain_rmse_ci", "baselineonly_rmse", "scratch_mae", "transfer_mae", "gain_mae"]


def add_parser(sub) -> None:
    p = sub.add_parser("transfer", help="pre-train an MLP on one dataset, fine-tune on another")
    p.add_argument("--source", default="ml-latest-small", help="dataset to pre-train on")
    p.add_argument("--target", default="ml-100k", help="dataset to fine-tune and test on")
    p.add_argument("--data-dir", help="folder holding dataset folders (default: $RECBENCH_DATA_DIR)")
    p.add_argument("--fractions", default=",".join(f"{f:g}" for f in FRACTIONS),
                   help="shares of the target's training ratings (default 0.1,0.25,0.5,1)")
    p.add_argument("--split", default="kfold", help="split of the target (default kfold)")
    p.add_argument("--folds", type=int, default=5, help="folds for --split kfold (default 5)")
    p.add_argument("--seed", type=int, default=0, help="root random seed (default 0)")
    p.add_argument("--n-jobs", type=int, default=1, help="folds run in parallel")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="TransferMLP parameter, e.g. --param max_iter=20 (repeatable)")
    p.add_argument("--output-dir", default="results/transfer",
                   help="folder for the table, record and plot (default results/transfer)")
    p.set_defaults(func=cmd_transfer)


def cmd_transfer(args) -> int:
    fractions = _fractions(args.fractions)
    params = {}
    for text in args.param:
        _, key, value = parse_param(f"mlp-transfer.{text}")
        params[key] = value
    source = load_dataset(args.source, args.data_dir)
    target = load_dataset(args.target, args.data_dir)
    if not args.quiet:
        print(f"pre-training on {source.name}, fine-tuning on {target.name} "
              f"({args.split}, fractions {', '.join(f'{f:g}' for f in fractions)})",
              file=sys.stderr)
    settings = TransferSettings(fractions, args.split, args.folds, args.seed, args.n_jobs, params)
    out = run_transfer(source, target, settings)
    record = {"manifest": {"command": " ".join(["recbench", *args.argv]), **run_environment(),
                           "libraries": library_versions()}, **out}
    name = f"{source.name}-to-{target.name}"
    folder = Path(args.output_dir)
    title = f"Transfer {source.name} -> {target.name}"
    atomic_write_text(folder / f"{name}.json", json.dumps(_clean(record), indent=2) + "\n")
    atomic_write_text(folder / f"{name}.csv", transfer_csv(out["summary"]))
    transfer_plot(out["summary"], title, folder / name)
    atomic_write_text(folder / f"{name}.md", render_transfer(record, name))
    print(transfer_table(out["summary"], "github"))
    if not args.quiet:
        print(f"Written to {folder}/{name}.{{md,csv,json,png,svg}}", file=sys.stderr)
    return 0


def _fractions(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise ConfigError(f"--fractions {text!r} is malformed; e.g. --fractions 0.1,0.5,1") from None
    if not values or any(not 0 < v <= 1 for v in values):
        raise ConfigError(f"--fractions {text!r}: every share must be in (0, 1].")
    return tuple(sorted(values))


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
                   [f"{x:.6g}" for x in rec["gain_rmse_ci"]])
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
