"""Options that take a run's results to other tools: --save-recommendations, --trec and
--mlflow (of `recbench run` and `recbench eval`)."""

from __future__ import annotations

import argparse
import sys

from recbench.cli.parser import whole_number
from recbench.errors import ConfigError, StorageError

DEFAULT_MLFLOW = "mlruns"


def add_export_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("exports")
    g.add_argument("--save-recommendations", type=whole_number, metavar="K",
                   help="keep each algorithm's top-K list per user and fold, with ranks and raw "
                        "scores, as recommendations.parquet in the run folder")
    g.add_argument("--trec", action="store_true",
                   help="also write the lists as TREC run files, recommendations-<algorithm>.trec")
    g.add_argument("--mlflow", nargs="?", const=DEFAULT_MLFLOW, metavar="TRACKING_URI",
                   help="log the run to MLflow: a parent run, one child per algorithm (default "
                        "store: ./mlruns; write --mlflow=URI before positional arguments); "
                        "needs pip install 'recbench[mlflow]'")
    g.add_argument("--mlflow-experiment", default="recbench", metavar="NAME",
                   help="MLflow experiment to log into (default recbench)")


def export_settings(args) -> dict:
    """Check the export options before any work; the settings they add to a run."""
    if args.trec and args.save_recommendations is None:
        raise ConfigError("--trec writes the kept recommendation lists; give --save-recommendations "
                          "K with it.")
    if args.mlflow is not None:
        if "=" in args.mlflow and "://" not in args.mlflow or args.mlflow.endswith(".toml"):
            raise ConfigError(f"--mlflow took {args.mlflow!r} as its tracking URI; write "
                              f"--mlflow=URI, or put --mlflow after the other arguments.")
        from recbench.integrations.mlflow import check_target
        check_target(args.mlflow, args.mlflow_experiment)   # one quick probe, before any work
    if args.save_recommendations is None:
        return {}
    return {"save_recommendations": args.save_recommendations}


def check_exports(args, exp) -> None:
    """What the export options need of a validated experiment, checked before any work."""
    if args.trec:
        from recbench.reporting.recommendations import check_trec_ids, check_trec_names
        check_trec_ids(exp.dataset.ratings, exp.dataset.name)
        check_trec_names(a.label for a in exp.algorithms)


def save_run(args, run, folder) -> None:
    """Write the run folder (with TREC files if asked)."""
    try:
        run.save(folder, trec=True if args.trec else None)
    except StorageError as exc:
        cause = exc.__cause__
        if getattr(args, "resume", None) is None or not isinstance(cause, OSError):
            raise
        raise StorageError(f"{folder} could not be written ({cause.strerror}); nothing there "
                           f"was changed or lost, and the finished jobs are kept: free space, "
                           f"then add --resume --output-dir {folder} to the same command to "
                           f"write it without recomputing them.") from None


def show_run(args, run, folder) -> None:
    """Print the saved run's table, then log it to MLflow if asked: a tracking failure (exit
    code 2) comes after the saved folder and the printed table, never instead of them."""
    print(run.table(args.format))
    print(f"\n{run.legend().replace('`', '')}")
    if not args.quiet:
        print(f"Run record and tables written to {folder}", file=sys.stderr)
    if args.mlflow is not None:
        from recbench.integrations.mlflow import log_run, tracking_uri
        sys.stdout.flush()
        run_id = log_run(run, args.mlflow, experiment_name=args.mlflow_experiment)
        if not args.quiet:
            print(f"Logged to MLflow ({tracking_uri(args.mlflow)}, experiment "
                  f"{args.mlflow_experiment}): run {run_id}", file=sys.stderr)
