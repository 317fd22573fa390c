"""``recbench run``: evaluate algorithms on a dataset and write a run record."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from recbench.cli.options import (add_data_options, algorithm_specs, csv_options, parse_ks,
                                  with_params)
from recbench.datasets import load_dataset
from recbench.errors import ConfigError
from recbench.evaluation import Experiment, run_experiment
from recbench.evaluation.config import ExperimentFile, load_experiment
from recbench.evaluation.significance import paired_tests
from recbench.reporting.manifest import build_manifest
from recbench.reporting.record import read_run, write_run
from recbench.reporting.render import legend, table, write_tables
from recbench.reporting.tables import tested_metrics


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
    p.add_argument("--algorithms",
                   help="comma-separated names (see `recbench list algorithms`) or module:Class "
                        "(default svd,knnwithmeans)")
    p.add_argument("--param", action="append", default=[], metavar="ALGO.NAME=VALUE",
                   help="algorithm parameter, e.g. --param svd.n_factors=50 (repeatable)")
    p.add_argument("--split", help="kfold (default), holdout, user, temporal, u1..u5, u1-u5, ua, ub")
    p.add_argument("--folds", type=int, help="number of folds for --split kfold (default 5)")
    p.add_argument("--test-size", type=float, help="test share for holdout/user/temporal")
    p.add_argument("--leave-out", type=int, help="ratings per user to hold out (--split user)")
    p.add_argument("--k", help="ranking cutoffs, e.g. 10 or 5,10,20 (default 10)")
    p.add_argument("--relevance-threshold", type=float,
                   help="test ratings >= this are relevant (default 4 on 1-5 / 0.5-5 scales)")
    p.add_argument("--seed", type=int, help="root random seed (default 0)")
    p.add_argument("--n-jobs", type=int, help="parallel (algorithm, fold) jobs (default 1)")
    p.add_argument("--output-dir", help="where to write the run record (default: results/<name>/ "
                                        "for an experiment file, else a new folder under results/runs/)")
    p.add_argument("--format", default="github",
                   help="printed table format: github, plain, latex, html")
    p.set_defaults(func=cmd_run)


def cmd_run(args) -> int:
    if args.suite:
        files = sorted(Path(args.suite).glob("*.toml"))
        if not files:
            raise ConfigError(f"--suite {args.suite}: no experiment files (*.toml) there.")
        codes = [run_one(args, load_experiment(f)) for f in files]
        return max(codes)
    path = args.experiment or args.config
    if args.experiment and args.config:
        raise ConfigError("give the experiment file either as an argument or with --config, not both.")
    return run_one(args, load_experiment(path) if path else None)


def run_one(args, spec: ExperimentFile | None) -> int:
    dataset_name = _pick(args.dataset, spec and spec.dataset, "ml-latest-small")
    data_dir = _pick(args.data_dir, spec and spec.data_dir, None)
    dataset = load_dataset(dataset_name, data_dir, csv_options(args, spec.csv if spec else None))
    if args.algorithms or not spec:
        algorithms = algorithm_specs(args.algorithms or "svd,knnwithmeans", args.param)
    else:
        algorithms = with_params(spec.algorithms, args.param)
    ks = parse_ks(args.k) if args.k else (spec.k if spec else (10,))
    exp = Experiment(dataset, algorithms, _pick(args.split, spec and spec.split, "kfold"),
                     _pick(args.folds, spec and spec.folds, 5),
                     _pick(args.test_size, spec and spec.test_size, None),
                     _pick(args.leave_out, spec and spec.leave_out, None), ks,
                     _pick(args.relevance_threshold, spec and spec.relevance_threshold, None),
                     _pick(args.seed, spec and spec.seed, 0), _pick(args.n_jobs, spec and spec.n_jobs, 1))
    if not args.quiet:
        s = dataset.summary()
        print(f"{spec.name + ': ' if spec else ''}{dataset.name}: {s['ratings']:,} ratings, "
              f"{s['users']:,} users, {s['items']:,} items; split {exp.split}; algorithms "
              f"{', '.join(a.label for a in exp.algorithms)}", file=sys.stderr)
    n_folds = exp.n_folds if exp.split == "kfold" else (5 if exp.split == "u1-u5" else 1)
    with _progress(len(exp.algorithms) * n_folds, args.quiet) as bar:
        outcome = run_experiment(exp, progress=bar, verbose=args.verbose)
    experiment = None if spec is None else {
        "name": spec.name, "description": spec.description, "file": spec.path.as_posix(),
        "metrics": spec.metrics, "published": spec.published,
        "published_source": spec.published_source}
    record = {"manifest": build_manifest(dataset, exp, args.argv), "experiment": experiment,
              "protocol": outcome.protocol, "algorithms": outcome.algorithms,
              "folds": outcome.folds, "results": outcome.results,
              "significance": significance(outcome.per_user, tested_metrics(exp.ks)),
              "failures": outcome.failures}
    if args.output_dir and not args.suite:
        folder = Path(args.output_dir)
    elif spec is not None:
        folder = Path(args.output_dir or "results") / spec.name
    else:
        folder = _default_folder(dataset.name)
    write_run(folder, record, outcome.per_user)
    stored, _ = read_run(folder)          # render from what is on disk, as `recbench tables` will
    write_tables(folder, stored)
    print(table(stored, args.format))
    print(f"\n{legend().replace('`', '')}")
    for f in outcome.failures:
        print(f"warning: {f['algorithm']} on {f['fold']}: {f['error']}", file=sys.stderr)
    if not args.quiet:
        print(f"Run record and tables written to {folder}", file=sys.stderr)
    return 0 if len(outcome.failures) < len(exp.algorithms) * n_folds else 1


def _pick(cli, from_file, default):
    """The command line wins, then the experiment file, then the default."""
    if cli is not None:
        return cli
    return from_file if from_file is not None else default


def significance(per_user, metrics) -> list[dict]:
    rows = []
    if per_user is None or per_user.empty or per_user["algorithm"].nunique() < 2:
        return rows
    for metric in metrics:
        if metric in per_user:
            rows.extend(paired_tests(per_user, metric).to_dict("records"))
    return rows


def _default_folder(name: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path("results") / "runs" / f"{stamp}-{name}"
    folder, n = base, 1
    while folder.exists():
        n += 1
        folder = base.with_name(f"{base.name}-{n}")
    return folder


class _progress:
    """A tqdm bar over the (algorithm, fold) jobs, on stderr; silent with --quiet."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet, self.bar = total, quiet, None

    def __enter__(self):
        if not self.quiet:
            from tqdm import tqdm
            self.bar = tqdm(total=self.total, desc="jobs", unit="job", file=sys.stderr,
                            dynamic_ncols=True)
        return self

    def __call__(self, job):
        if self.bar is not None:
            self.bar.set_postfix_str(f"{job.algorithm} {job.fold}")
            self.bar.update(1)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
