"""``recbench compare``: the algorithms of one run against each other, or run B against run A
with deltas, intervals, significance and an exit code for regressions."""

from __future__ import annotations

from recbench import api
from recbench.cli.parser import number
from recbench.reporting.tables import check_format


def add_parser(sub) -> None:
    p = sub.add_parser(
        "compare", help="compare the algorithms of a run, or run B against run A",
        description="With one run: paired tests (Holm-adjusted) between its algorithms. With "
                    "two runs A B: every shared algorithm side by side, B - A with a 95%% "
                    "interval and a paired Wilcoxon test; exit code 1 when B is worse than A "
                    "by more than --tolerance on --gate-metric.")
    p.add_argument("run", help="run record folder (or its run.json): A, the reference")
    p.add_argument("run_b", nargs="?", help="a second run record: B, the candidate")
    p.add_argument("--metric", action="append",
                   help="metric(s) to show (default: the run's table metrics)")
    p.add_argument("--a", dest="algo_a", help="algorithm of A to compare (default: all shared)")
    p.add_argument("--b", dest="algo_b", help="algorithm of B (or of the same run) to compare with --a")
    p.add_argument("--gate-metric", help="metric whose regression fails the comparison "
                                         "(default: ndcg@10 if present, else the first metric)")
    p.add_argument("--tolerance", type=number, default=0.01,
                   help="allowed worsening of --gate-metric, absolute (default 0.01)")
    p.add_argument("--format", default="github", help="table format: github, plain, latex, html")
    p.set_defaults(func=cmd_compare)


def cmd_compare(args) -> int:
    check_format(args.format)
    result = api.compare(args.run, args.run_b, metrics=args.metric,
                         gate_metric=args.gate_metric, tolerance=args.tolerance,
                         a_algorithm=args.algo_a, b_algorithm=args.algo_b)
    print(result.table(args.format))
    return 0 if result.passed else 1
