"""``recbench tables``: re-render every results table (and plot) from the stored run records,
without re-running anything."""

from __future__ import annotations

import sys
from pathlib import Path

from recbench.errors import RecbenchError
from recbench.reporting.record import read_run
from recbench.reporting.render import results_csv, results_json, stale_tables, table, write_tables

FORMATS = ("github", "plain", "latex", "html", "csv", "json")


def add_parser(sub) -> None:
    p = sub.add_parser("tables", help="re-render results tables from stored run records")
    p.add_argument("runs", nargs="*",
                   help="run folders (default: every RESULTS_DIR/<name>/ holding a run.json)")
    p.add_argument("--results-dir", default="results", help="where the suite's runs live (default results)")
    p.add_argument("--format", choices=FORMATS,
                   help="print every table in this format instead of rewriting the files")
    p.add_argument("--check", action="store_true",
                   help="rewrite nothing; exit 1 if a table or plot differs from its record")
    p.set_defaults(func=cmd_tables)


def run_folders(args) -> list[Path]:
    if args.runs:
        return [Path(r) if Path(r).is_dir() else Path(r).parent for r in args.runs]
    folders = sorted(p.parent for p in Path(args.results_dir).glob("*/run.json"))
    if not folders:
        raise RecbenchError(f"no run records (*/run.json) under {args.results_dir}/; "
                            f"run `recbench run --suite` first.")
    return folders


def cmd_tables(args) -> int:
    stale = 0
    for folder in run_folders(args):
        record, _ = read_run(folder)
        if args.format:
            name = (record.get("experiment") or {}).get("name") or folder.name
            if args.format == "csv":
                body = results_csv(record)
            elif args.format == "json":
                body = results_json(record)
            else:
                body = table(record, args.format)
            print(f"{name}\n\n{body}\n" if args.format not in ("csv", "json") else body)
        elif args.check:
            diff = stale_tables(folder, record)
            stale += bool(diff)
            print(f"{folder}: " + (f"differs from its record: {', '.join(diff)}" if diff else "up to date"))
        else:
            changed = write_tables(folder, record)
            if not args.quiet:
                print(f"{folder}: " + (f"rewrote {', '.join(changed)}" if changed else "unchanged"),
                      file=sys.stderr)
    return 1 if stale else 0
