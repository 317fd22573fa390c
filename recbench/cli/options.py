"""The options of `recbench run` and their conversion to the settings of `recbench.run`."""

from __future__ import annotations

import argparse

from recbench.cli.parser import folder, number, whole_number
from recbench.algorithms.registry import parse_param
from recbench.cli.exports import add_export_options, export_settings
from recbench.cli.tuning import add_tune_options
from recbench.errors import ConfigError
from recbench.algorithms.spec import AlgorithmSpec, resolve_algorithms


def add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--algorithms",
                   help="comma-separated names (see `recbench list algorithms`) or module:Class "
                        "(default svd,knnwithmeans)")
    p.add_argument("--param", action="append", default=[], metavar="ALGO.NAME=VALUE",
                   help="algorithm parameter, e.g. --param svd.n_factors=50 (repeatable)")
    p.add_argument("--split", help="kfold (default), holdout, user, temporal, or a dataset's "
                                   "predefined split (ml-100k: u1..u5, u1-u5, ua, ub)")
    p.add_argument("--folds", type=whole_number, help="number of folds for --split kfold (default 5)")
    p.add_argument("--test-size", type=number, help="test share for holdout/user/temporal")
    p.add_argument("--leave-out", type=whole_number, help="ratings per user to hold out (--split user)")
    p.add_argument("--k", help="ranking cutoffs, e.g. 10 or 5,10,20 (default 10)")
    p.add_argument("--metrics", help="metrics to compute, e.g. rmse,ndcg@10 (default: every "
                                     "registered metric; see `recbench list metrics`)")
    p.add_argument("--relevance-threshold", type=number,
                   help="test ratings >= this are relevant (default 4 on 1-5 / 0.5-5 scales)")
    p.add_argument("--seed", type=whole_number, help="root random seed (default 0)")
    p.add_argument("--n-jobs", type=whole_number, help="parallel (algorithm, fold) jobs (default 1)")
    p.add_argument("--threads", type=whole_number, help="threads per job (default: the cores / n-jobs)")
    p.add_argument("--scheduler", help="run the jobs on Dask: local[:N] (N workers on 127.0.0.1, "
                                       "default 2) or tcp://HOST:8786 (needs recbench[dask])")
    p.add_argument("--resume", action="store_true",
                   help="reuse the jobs an interrupted run into the same folder finished")
    p.add_argument("--no-verify-data", action="store_true",
                   help="use a local ml-100k copy whose checksums differ (recorded in the manifest)")
    p.add_argument("--output-dir", type=folder, help="where to write the run record (default: results/<name>/ "
                                        "for an experiment file, else a new folder under results/runs/)")
    p.add_argument("--format", default="github",
                   help="printed table format: github, plain, latex, html")
    add_export_options(p)
    add_tune_options(p)


def run_settings(args) -> dict:
    """The settings of ``recbench.run`` that the command line gives (None: not given)."""
    out = {"dataset": args.dataset, "data_dir": args.data_dir, "split": args.split,
           "folds": args.folds, "test_size": args.test_size, "leave_out": args.leave_out,
           "k": parse_ks(args.k) if args.k else None,
           "metrics": [m.strip() for m in args.metrics.split(",") if m.strip()] if args.metrics else None,
           "relevance_threshold": args.relevance_threshold, "seed": args.seed,
           "n_jobs": args.n_jobs, "threads": args.threads, "scheduler": args.scheduler}
    out = {k: v for k, v in out.items() if v is not None}
    if args.split and "folds" not in out and args.split != "kfold":
        out["folds"] = None           # an experiment file's folds do not apply to another split
    if args.no_verify_data:
        out["verify_data"] = False
    return out | export_settings(args)


def algorithm_list(args, from_file):
    """The command line's --algorithms (default svd,knnwithmeans unless an experiment file
    names them), with every --param applied."""
    if args.algorithms or not from_file:
        names = [n.strip() for n in (args.algorithms or "svd,knnwithmeans").split(",") if n.strip()]
        if not names:
            raise ConfigError("--algorithms is empty; name at least one, e.g. --algorithms svd.")
        specs = resolve_algorithms(names)
    else:
        specs = from_file
    return with_params(specs, args.param)


def parse_ks(text: str) -> tuple[int, ...]:
    try:
        ks = tuple(int(k) for k in str(text).split(",") if k.strip())
    except ValueError:
        raise ConfigError(f"--k {text!r} is malformed; give cutoffs such as --k 10 or --k 5,10,20.") from None
    if not ks or min(ks) < 1:
        raise ConfigError(f"--k {text!r}: cutoffs must be positive whole numbers.")
    return ks


def with_params(specs: list[AlgorithmSpec], params: list[str]) -> list[AlgorithmSpec]:
    """``--param ALGO.NAME=VALUE`` on top of the parameters of an experiment file."""
    by_label = {s.label: dict(s.params) for s in specs}
    for text in params or []:
        algo, key, value = parse_param(text)
        if algo not in by_label:
            raise ConfigError(f"--param {text!r} names {algo!r}, which is not among the "
                              f"algorithms of this run ({', '.join(by_label)}).")
        by_label[algo][key] = value
    return [AlgorithmSpec(s.label, s.name, by_label[s.label]) for s in specs]

