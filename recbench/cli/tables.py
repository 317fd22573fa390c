"""``recbench tables``: re-render every results table (and plot) from the stored run records,
without re-running anything."""

from __future__ import annotations

import sys
from pathlib import Path

from recbench.errors import RecbenchError
from recbench.reporting.record import read_json, read_run
from recbench.reporting.render import render_files, results_csv, results_json, sync_files, table
from recbench.reporting.speed import render_speed
from recbench.reporting.transfer import transfer_files

FORMATS = ("github", "plain", "latex", "html", "csv", "json")


def add_parser(sub) -> None:
    p = sub.add_parser("tables", help="re-render results tables from stored run records",
                       description="Re-render, from the stored records alone: every run folder "
                                   "RESULTS_DIR/<name>/ (run.json), the transfer study "
                                   "(RESULTS_DIR/transfer/*.json) and the speed page "
                                   "(RESULTS_DIR/speed/speed.json).")
    p.add_argument("runs", nargs="*",
                   help="run folders (default: everything under RESULTS_DIR, see above)")
    p.add_argument("--results-dir", default="results", help="where the suite's runs live (default results)")
    p.add_argument("--format", choices=FORMATS,
                   help="print every table in this format instead of rewriting the files")
    p.add_argument("--check", action="store_true",
                   help="rewrite nothing; exit 1 if a table or plot differs from its record")
    p.set_defaults(func=cmd_tables)


def run_folders(args) -> list[Path]:
    if args.runs:
        return [Path(r) if Path(r).is_dir() else Path(r).parent for r in args.runs]
    return sorted(p.parent for p in Path(args.results_dir).glob("*/run.json"))


def other_records(args) -> list[tuple[Path, dict[str, bytes]]]:
    """(folder, rendered files) of the transfer and speed records under RESULTS_DIR."""
    if args.runs:
        return []
    out = []
    for path in sorted(Path(args.results_dir).glob("transfer/*.json")):
        out.append((path.parent, transfer_files(read_json(path))))
    speed = Path(args.results_dir) / "speed" / "speed.json"
    if speed.is_file():
        out.append((speed.parent, {"speed.md": render_speed(read_json(speed)).encode()}))
    return out


def cmd_tables(args) -> int:
    folders = run_folders(args)
    if not folders and not args.runs and not other_records(args):
        raise RecbenchError(f"no run records (*/run.json) under {args.results_dir}/; "
                            f"run `recbench run --suite` first.")
    if args.format:
        for folder in folders:
            record, _ = read_run(folder)
            name = (record.get("experiment") or {}).get("name") or folder.name
            if args.format == "csv":
                print(results_csv(record), end="")
            elif args.format == "json":
                print(results_json(record), end="")
            else:
                print(f"{name}\n\n{table(record, args.format)}\n")
        return 0
    outputs = [(folder, render_files(read_run(folder)[0])) for folder in folders]
    outputs += other_records(args)
    stale = 0
    for folder, files in outputs:
        differ = sync_files(folder, files, write=not args.check)
        if args.check:
            stale += bool(differ)
            print(f"{folder}: " + (f"differs from its record: {', '.join(differ)}" if differ
                                   else "up to date"))
            continue
        if not args.quiet:
            print(f"{folder}: " + (f"rewrote {', '.join(differ)}" if differ else "unchanged"),
                  file=sys.stderr)
    return 1 if stale else 0
