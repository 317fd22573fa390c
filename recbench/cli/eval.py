"""``recbench eval``: evaluate predictions made elsewhere under recbench's protocol."""

from __future__ import annotations

import sys
from pathlib import Path

from recbench import api
from recbench.cli.data_options import add_data_options, csv_options
from recbench.cli.exports import add_export_options, export_settings, save_run, show_run
from recbench.cli.options import add_split_options, split_settings
from recbench.cli.parser import folder, number, whole_number
from recbench.errors import ConfigError
from recbench.metrics import check_cutoffs
from recbench.reporting.layout import check_output_folder, new_run_folder
from recbench.reporting.tables import check_format


def add_parser(sub) -> None:
    p = sub.add_parser(
        "eval", help="evaluate predictions made elsewhere (LABEL=PATH files)",
        description="Evaluate the rating predictions and rankings of systems run elsewhere on "
                    "one train/test split, under recbench's protocol (docs/protocol.md, "
                    "'Predictions made elsewhere'); writes an ordinary run record.")
    p.add_argument("predictions", nargs="+", metavar="LABEL=PATH",
                   help="a system's file: header user,item and prediction, score or rank "
                        "(CSV/TSV), a .parquet of the same columns, or a .trec run file; repeat "
                        "a label to combine files (rating predictions + a ranking)")
    p.add_argument("--train", help="the training part (a rating file; data options apply)")
    p.add_argument("--test", help="the test part (a rating file)")
    p.add_argument("--split", help="with --dataset: the fold the predictions were made on, e.g. u1")
    add_split_options(p)
    add_data_options(p)
    p.add_argument("--k", help="ranking cutoffs, e.g. 10 or 5,10,20 (default 10)")
    p.add_argument("--metrics", help="metrics to compute, e.g. rmse,ndcg@10 (default: all)")
    p.add_argument("--relevance-threshold", type=number,
                   help="test ratings >= this are relevant (default 4 on 1-5 / 0.5-5 scales)")
    p.add_argument("--seed", type=whole_number, default=0,
                   help="root seed of the tie-breaking keys (default 0, as recbench run)")
    p.add_argument("--missing-predictions", default="error", choices=["error", "global-mean"],
                   help="a test pair without a rating prediction: an error (default), or the "
                        "training mean (counted in the record)")
    p.add_argument("--no-verify-data", action="store_true",
                   help="use a local ml-100k copy whose checksums differ (recorded in the manifest)")
    p.add_argument("--output-dir", type=folder, help="where to write the run record (default: a new folder "
                                        "under results/runs/)")
    p.add_argument("--format", default="github", help="printed table format: github, plain, "
                                                      "latex, html")
    add_export_options(p)
    p.set_defaults(func=cmd_eval)


def parse_predictions(items: list[str]) -> dict[str, list[str]]:
    """``LABEL=PATH`` arguments as {label: [paths]} (a repeated label combines files)."""
    out: dict[str, list[str]] = {}
    for text in items:
        label, sep, path = text.partition("=")
        if not sep or not label.strip() or not path.strip():
            raise ConfigError(f"{text!r} is not LABEL=PATH; name each system's file, e.g. "
                              f"svd=predictions.csv.")
        out.setdefault(label.strip().lower(), []).append(path.strip())
    return out


def cmd_eval(args) -> int:
    check_format(args.format)
    settings = export_settings(args)
    if args.output_dir:
        check_output_folder(args.output_dir)
    given = {k: v for k, v in {"k": check_cutoffs(args.k, "--k") if args.k else None,
                               "relevance_threshold": args.relevance_threshold,
                               **split_settings(args)}.items()
             if v is not None}
    if args.metrics:
        given["metrics"] = [m.strip() for m in args.metrics.split(",") if m.strip()]
    run = api.evaluate_predictions(
        parse_predictions(args.predictions), train=args.train, test=args.test,
        dataset=args.dataset, split=args.split, data_dir=args.data_dir,
        csv=csv_options(args), seed=args.seed, verify_data=not args.no_verify_data,
        missing_predictions=args.missing_predictions,
        command=" ".join(["recbench", *args.argv]), **given, **settings)
    for f in run.record["failures"]:
        print(f"warning: {f['algorithm']} on {f['fold']}: {f['error']}", file=sys.stderr)
    for note in run.record.get("warnings", []):
        print(f"warning: {note}", file=sys.stderr)
    if not run.succeeded:
        print("recbench: no system could be evaluated; nothing was written.", file=sys.stderr)
        return 1
    folder = Path(args.output_dir) if args.output_dir else \
        check_output_folder(new_run_folder(run.manifest["dataset"]["name"]))
    save_run(args, run, folder)
    show_run(args, run, folder)      # then MLflow, whose failure cannot lose the run
    return 0
