"""``recbench tables``: re-render every results table (and plot) from the stored run records,
without re-running anything."""

from __future__ import annotations

import sys

from recbench.cli.parser import folder
from recbench.reporting.exports import results_csv, results_json
from recbench.reporting.results_dir import rerender, run_folders
from recbench.reporting.run import Run

FORMATS = ("github", "plain", "latex", "html", "csv", "json")


def add_parser(sub) -> None:
    p = sub.add_parser("tables", help="re-render results tables from stored run records",
                       description="Re-render, from the stored records alone: every run folder "
                                   "RESULTS_DIR/<name>/ (run.json), the transfer study "
                                   "(RESULTS_DIR/transfer/*.json) and the speed page "
                                   "(RESULTS_DIR/speed/speed.json).")
    p.add_argument("runs", nargs="*",
                   help="run folders (default: everything under RESULTS_DIR, see above)")
    p.add_argument("--results-dir", type=folder, default="results", help="where the suite's runs live (default results)")
    p.add_argument("--format", choices=FORMATS,
                   help="print every table in this format instead of rewriting the files")
    p.add_argument("--check", action="store_true",
                   help="rewrite nothing; exit 1 if a table or plot differs from its record")
    p.set_defaults(func=cmd_tables)


def cmd_tables(args) -> int:
    if args.format:
        for folder in run_folders(args.results_dir, args.runs):
            run = Run.load(folder)
            name = (run.record.get("experiment") or {}).get("name") or folder.name
            if args.format == "csv":
                print(results_csv(run.record), end="")
            elif args.format == "json":
                print(results_json(run.record), end="")
            else:
                print(f"{name}\n\n{run.table(args.format)}\n")
        return 0
    stale = 0
    for folder, differ in rerender(args.results_dir, args.runs, check=args.check):
        if args.check:
            stale += bool(differ)
            print(f"{folder}: " + (f"differs from its record: {', '.join(differ)}" if differ
                                   else "up to date"))
        elif not args.quiet:
            print(f"{folder}: " + (f"rewrote {', '.join(differ)}" if differ else "unchanged"),
                  file=sys.stderr)
    return 1 if stale else 0
