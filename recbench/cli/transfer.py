"""``recbench transfer``: pre-train on a source dataset, fine-tune on a target, and report the
gain over training from scratch as the target's training data shrinks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from recbench.algorithms.registry import parse_param
from recbench.datasets import load_dataset
from recbench.errors import ConfigError
from recbench.evaluation.transfer import FRACTIONS, TransferSettings, run_transfer
from recbench.reporting.manifest import library_versions, run_environment
from recbench.reporting.record import _clean, atomic_write_text, read_json
from recbench.reporting.render import sync_files
from recbench.reporting.transfer import record_name, transfer_files, transfer_table


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
    folder = Path(args.output_dir)
    name = record_name(record)
    atomic_write_text(folder / f"{name}.json", json.dumps(_clean(record), indent=2) + "\n")
    stored = read_json(folder / f"{name}.json")     # render from what is on disk
    sync_files(folder, transfer_files(stored))
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


