"""``recbench run``: evaluate algorithms on a dataset and write a run record."""

from __future__ import annotations

import sys
from contextlib import redirect_stdout
from pathlib import Path

from recbench import api
from recbench.cli.algorithms import algorithm_list
from recbench.cli.data_options import add_data_options, csv_options
from recbench.cli.exports import check_exports, save_run, show_run
from recbench.cli.options import add_run_options, run_settings
from recbench.cli.progress import Progress
from recbench.cli.tuning import tune_settings
from recbench.config import load_experiment
from recbench.errors import ConfigError, RecbenchError
from recbench.experiments.jobstore import JobStore
from recbench.reporting.layout import (
    check_output_folder,
    experiment_folder,
    folder_lock,
    job_store_folder,
    new_run_folder,
)
from recbench.reporting.tables import check_format


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="evaluate algorithms and write a run record",
                       description="Evaluate algorithms on a dataset. Options given on the "
                                   "command line override those of an experiment file.")
    p.add_argument("experiment", nargs="?",
                   help="an experiment file (TOML), e.g. benchmarks/ml-100k.toml")
    p.add_argument("--config", help="an experiment file (same as the positional argument)")
    p.add_argument("--suite", nargs="?", const="benchmarks", metavar="DIR",
                   help="run every experiment file in DIR (default benchmarks/) and rewrite "
                        "its tables under results/<name>/")
    add_data_options(p)
    add_run_options(p)
    p.set_defaults(func=cmd_run)


def cmd_run(args) -> int:
    check_format(args.format)
    if args.suite:
        if args.experiment or args.config:
            raise ConfigError("--suite runs every file of a folder; give no experiment file with it.")
        files = sorted(Path(args.suite).glob("*.toml"))
        if not files:
            raise ConfigError(f"--suite {args.suite}: no experiment files (*.toml) there.")
        plans = [_plan(args, load_experiment(f)) for f in files]   # validate all, then run
        seen = {}
        for f, (_, folder, _) in zip(files, plans):
            if folder.resolve() in seen:
                raise ConfigError(f"--suite {args.suite}: {seen[folder.resolve()]} and {f} both "
                                  f"write {folder} (the same name); rename one of them.")
            seen[folder.resolve()] = f
        return max(_execute(args, *plan) for plan in plans)
    if args.experiment and args.config:
        raise ConfigError("give the experiment file either as an argument or with --config, not both.")
    path = args.experiment or args.config
    return _execute(args, *_plan(args, load_experiment(path) if path else None))


def _plan(args, spec):
    """(validated experiment, output folder, experiment info) for one run."""
    settings = (spec.settings(args.split) if spec
                else {"dataset": "ml-latest-small", "algorithms": None})
    settings.update(run_settings(args))
    settings["algorithms"] = algorithm_list(args, spec.algorithms if spec else None)
    settings["csv"] = csv_options(args, spec.csv if spec else None)
    settings["tune"] = tune_settings(args, settings.get("tune"))
    if args.resume and spec is None and not args.output_dir:
        raise ConfigError("--resume continues the run in a named folder; give the interrupted "
                          "run's --output-dir (or its experiment file).")
    if args.output_dir and not args.suite:
        folder = Path(args.output_dir)
    elif spec is not None:
        folder = experiment_folder(spec.name, args.output_dir or "results")
    else:
        folder = None
    try:
        exp = api.experiment(**settings)
    except RecbenchError as exc:      # name the experiment file the setting came from
        if spec is None or str(spec.path) in str(exc):
            raise
        raise type(exc)(f"{spec.path}: {exc}") from None
    if spec is not None:
        spec.check_columns(exp)
    check_exports(args, exp)
    folder = check_output_folder(folder or new_run_folder(exp.dataset.name))
    return exp, folder, spec.info() if spec else None


def _execute(args, exp, folder: Path, info) -> int:
    if not args.quiet:
        s = exp.dataset.summary()
        print(f"{info['name'] + ': ' if info else ''}{exp.dataset.name}: {s['ratings']:,} ratings, "
              f"{s['users']:,} users, {s['items']:,} items; split {exp.split}; algorithms "
              f"{', '.join(a.label for a in exp.algorithms)}", file=sys.stderr)
    store = job_store_folder(folder)
    with folder_lock(folder), Progress(args.quiet) as bar, redirect_stdout(sys.stderr):
        run = api.execute(exp, progress=bar, verbose=args.verbose, job_store=store,
                          resume=args.resume, command=" ".join(["recbench", *args.argv]),
                          experiment_info=info)
        for f in run.record["failures"]:
            print(f"warning: {f['algorithm']} on {f['fold']}: {f['error']}", file=sys.stderr)
        for note in run.record.get("warnings", []):
            print(f"warning: {note}", file=sys.stderr)
        if not run.succeeded:
            print(f"recbench: every job failed; nothing was written (an earlier run in {folder} "
                  f"is untouched).", file=sys.stderr)
            return 1
        save_run(args, run, folder)
        JobStore(store).clear()
    show_run(args, run, folder)      # then MLflow, whose failure cannot lose the run
    return 0
