"""The options of `recbench run` and their conversion to the settings of `recbench.run`."""

from __future__ import annotations

import argparse

from recbench.cli.exports import add_export_options, export_settings
from recbench.cli.parser import folder, number, whole_number
from recbench.cli.tuning import add_tune_options
from recbench.metrics import check_cutoffs
from recbench.splitting.registry import options as split_options
from recbench.splitting.registry import splitters, users_of


def add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--algorithms",
                   help="comma-separated names (see `recbench list algorithms`) or module:Class "
                        "(default svd,knnwithmeans)")
    p.add_argument("--param", action="append", default=[], metavar="ALGO.NAME=VALUE",
                   help="algorithm parameter, e.g. --param svd.n_factors=50 (repeatable)")
    p.add_argument("--split", help=f"{', '.join(splitters())} (default kfold), or a dataset's "
                                   f"predefined split (ml-100k: u1..u5, u1-u5, ua, ub)")
    add_split_options(p)
    p.add_argument("--k", help="ranking cutoffs, e.g. 10 or 5,10,20 (default 10)")
    p.add_argument("--metrics", help="metrics to compute, e.g. rmse,ndcg@10 (default: every "
                                     "registered metric; see `recbench list metrics`)")
    p.add_argument("--groups", metavar="SPEC",
                   help="report every per-user metric per group of users: activity:3 = light, "
                        "medium, heavy by training interactions (quantile bins per fold); "
                        "ml-100k:gender a column of the dataset's users; FILE:COLUMN a CSV "
                        "file's (with a user column)")
    p.add_argument("--head-share", type=number, metavar="SHARE",
                   help="tail@k, tail_coverage@k: the head is the most popular items holding this "
                        "share of the training interactions (default 0.2)")
    p.add_argument("--relevance-threshold", type=number,
                   help="test ratings >= this are relevant (default 4 on 1-5 / 0.5-5 scales)")
    p.add_argument("--seed", type=whole_number, help="root random seed (default 0)")
    p.add_argument("--n-jobs", type=whole_number, help="parallel (algorithm, fold) jobs (default 1)")
    p.add_argument("--job-timeout", type=_seconds, metavar="SECONDS",
                   help="end a job still running after SECONDS and record it as failed; the "
                        "run goes on (default: no limit)")
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


def _seconds(text: str):
    """``--job-timeout``'s value as a number when it reads as one; else the text, which the
    one check of the setting (``recbench.runtime.execution.check_timeout``) refuses."""
    try:
        return float(text)
    except ValueError:
        return text


def add_split_options(p: argparse.ArgumentParser) -> None:
    """One flag per registered split option (``--folds``, ``--test-size``, ``--leave-out``, ...)."""
    for option in split_options().values():
        p.add_argument(option.flag, dest=option.name,
                       type=whole_number if option.kind is int else number,
                       help=f"{option.help} (--split {' or '.join(users_of(option.name))})")


def split_settings(args) -> dict:
    """The split options given on the command line."""
    return {name: getattr(args, name) for name in split_options()
            if getattr(args, name, None) is not None}


def run_settings(args) -> dict:
    """The settings of ``recbench.run`` that the command line gives (None: not given)."""
    out = {"dataset": args.dataset, "data_dir": args.data_dir, "split": args.split,
           **split_settings(args), "k": check_cutoffs(args.k, "--k") if args.k else None,
           "metrics": [m.strip() for m in args.metrics.split(",") if m.strip()] if args.metrics else None,
           "relevance_threshold": args.relevance_threshold, "seed": args.seed,
           "n_jobs": args.n_jobs, "threads": args.threads, "scheduler": args.scheduler,
           "job_timeout": args.job_timeout, "groups": args.groups,
           "head_share": args.head_share}
    out = {k: v for k, v in out.items() if v is not None}
    if args.no_verify_data:
        out["verify_data"] = False
    return out | export_settings(args)
