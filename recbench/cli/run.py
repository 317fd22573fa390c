"""``recbench run``: evaluate algorithms on a dataset and write a run record."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from recbench.cli.options import add_data_options, algorithm_specs, csv_options, parse_ks
from recbench.datasets import load_dataset
from recbench.evaluation import Experiment, run_experiment
from recbench.evaluation.protocol import footer_lines
from recbench.evaluation.significance import paired_tests
from recbench.reporting.manifest import build_manifest
from recbench.reporting.record import write_run
from recbench.reporting.tables import best_algorithm, default_columns, results_table

SIGNIFICANCE_LEVEL = 0.05


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="evaluate algorithms and write a run record")
    add_data_options(p)
    p.add_argument("--algorithms", default="svd,knnwithmeans",
                   help="comma-separated names (see `recbench list algorithms`) or module:Class")
    p.add_argument("--param", action="append", default=[], metavar="ALGO.NAME=VALUE",
                   help="algorithm parameter, e.g. --param svd.n_factors=50 (repeatable)")
    p.add_argument("--split", default="kfold",
                   help="kfold (default), holdout, user, temporal, u1..u5, u1-u5, ua, ub")
    p.add_argument("--folds", type=int, default=5, help="number of folds for --split kfold")
    p.add_argument("--test-size", type=float, help="test share for holdout/user/temporal")
    p.add_argument("--leave-out", type=int, help="ratings per user to hold out (--split user)")
    p.add_argument("--k", default="10", help="ranking cutoffs, e.g. 10 or 5,10,20")
    p.add_argument("--relevance-threshold", type=float,
                   help="test ratings >= this are relevant (default 4 on 1-5 / 0.5-5 scales)")
    p.add_argument("--seed", type=int, default=0, help="root random seed (default 0)")
    p.add_argument("--n-jobs", type=int, default=1, help="parallel (algorithm, fold) jobs")
    p.add_argument("--output-dir", help="where to write the run record "
                                        "(default: a new folder under results/runs/)")
    p.add_argument("--format", default="github", help="table format: github, plain, latex, html")
    p.set_defaults(func=cmd_run)


def cmd_run(args) -> int:
    dataset = load_dataset(args.dataset, args.data_dir, csv_options(args))
    exp = Experiment(dataset, algorithm_specs(args.algorithms, args.param), args.split,
                     args.folds, args.test_size, args.leave_out, parse_ks(args.k),
                     args.relevance_threshold, args.seed, args.n_jobs)
    if not args.quiet:
        s = dataset.summary()
        print(f"{dataset.name}: {s['ratings']:,} ratings, {s['users']:,} users, "
              f"{s['items']:,} items; split {exp.split}; algorithms "
              f"{', '.join(a.label for a in exp.algorithms)}", file=sys.stderr)
    n_folds = exp.n_folds if exp.split == "kfold" else (5 if exp.split == "u1-u5" else 1)
    with _progress(len(exp.algorithms) * n_folds, args.quiet) as bar:
        outcome = run_experiment(exp, progress=bar, verbose=args.verbose)
    columns = default_columns(exp.ks)
    sig = significance(outcome.per_user, outcome.results, columns)
    marks = significant_vs_best(sig, outcome.results)
    record = {"manifest": build_manifest(dataset, exp, args.argv), "protocol": outcome.protocol,
              "algorithms": outcome.algorithms, "folds": outcome.folds,
              "results": outcome.results, "significance": sig, "failures": outcome.failures}
    table = results_table(outcome.results, columns, args.format, marks)
    md = render_markdown(record, columns, marks)
    folder = Path(args.output_dir) if args.output_dir else _default_folder(dataset.name)
    write_run(folder, record, outcome.per_user, md)
    print(table)
    print(f"\n* differs significantly from the best (paired Wilcoxon over users, Holm-adjusted "
          f"p < {SIGNIFICANCE_LEVEL}).")
    for f in outcome.failures:
        print(f"warning: {f['algorithm']} on {f['fold']}: {f['error']}", file=sys.stderr)
    if not args.quiet:
        print(f"Run record written to {folder}", file=sys.stderr)
    return 0 if len(outcome.failures) < len(exp.algorithms) * n_folds else 1


def significance(per_user, results, columns) -> list[dict]:
    rows = []
    if per_user is None or per_user.empty:
        return rows
    for metric in columns:
        if metric in per_user and per_user["algorithm"].nunique() > 1:
            rows.extend(paired_tests(per_user, metric).to_dict("records"))
    return rows


def significant_vs_best(sig: list[dict], results: list[dict]) -> dict:
    by_algo: dict = {}
    for r in results:
        by_algo.setdefault(r["algorithm"], {})[r["metric"]] = r
    marks: dict[str, list[str]] = {}
    for row in sig:
        best = best_algorithm(by_algo, row["metric"])
        if best in (row["a"], row["b"]) and row["wilcoxon_p_holm"] < SIGNIFICANCE_LEVEL:
            other = row["b"] if row["a"] == best else row["a"]
            marks.setdefault(row["metric"], []).append(other)
    return marks


def render_markdown(record: dict, columns, marks) -> str:
    m = record["manifest"]
    d = m["dataset"]
    lines = [f"# {d['name']}: {m['split']}", "",
             results_table(record["results"], columns, "github", marks), "",
             "Mean ± std across folds (single split: half-width of a 95% bootstrap interval "
             "over users). `(best)` marks the best value; `*` a significant difference from "
             f"it (paired Wilcoxon over users, Holm-adjusted p < {SIGNIFICANCE_LEVEL}).", "",
             "## Protocol", "", *footer_lines(record["protocol"]), "",
             "## Manifest", "",
             f"- dataset {d['name']}: {d['n_ratings']:,} ratings, {d['n_users']:,} users, "
             f"{d['n_items']:,} items; ratings SHA-256 `{d['sha256']}`",
             f"- split {m['split']}, seed {m['seed']}, k {m['k']}, relevance threshold "
             f"{record['protocol']['relevance_threshold']:g}",
             f"- recbench {m['recbench_version']}, Python {m['python']}, " +
             ", ".join(f"{k} {v}" for k, v in m["libraries"].items()),
             f"- created {m['created']} on {m['platform']} ({m['machine']['cpus']} CPUs)",
             f"- command: `{m['command']}`", ""]
    return "\n".join(lines)


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
