"""``recbench compare``: paired significance tests between the algorithms of a run."""

from __future__ import annotations

import sys

from tabulate import tabulate

from recbench.errors import RecbenchError
from recbench.evaluation.significance import paired_tests
from recbench.reporting.record import read_run
from recbench.reporting.tables import tested_metrics


def add_parser(sub) -> None:
    p = sub.add_parser("compare", help="paired tests (Holm-adjusted) between the algorithms of a run")
    p.add_argument("run", help="a run record folder (or its run.json)")
    p.add_argument("--metric", action="append",
                   help="metric(s) to test (default: the run's table metrics)")
    p.add_argument("--format", default="github", help="table format: github, plain, latex, html")
    p.set_defaults(func=cmd_compare)


def cmd_compare(args) -> int:
    record, per_user = read_run(args.run)
    if per_user is None:
        raise RecbenchError(f"{args.run} has no per_user.csv.gz; paired tests need per-user values.")
    metrics = args.metric or tested_metrics(record["manifest"]["k"])
    metrics = [m for m in metrics if m in per_user.columns]
    if per_user["algorithm"].nunique() < 2:
        raise RecbenchError(f"{args.run} holds one algorithm; a comparison needs two or more.")
    rows = []
    for metric in metrics:
        table = paired_tests(per_user, metric)
        for r in table.to_dict("records"):
            rows.append([metric, r["a"], r["b"], r["n_pairs"], f"{r['mean_a']:.4f}",
                         f"{r['mean_b']:.4f}", f"{r['mean_diff']:+.4f}",
                         f"{r['wilcoxon_p']:.3g}", f"{r['wilcoxon_p_holm']:.3g}",
                         f"{r['ttest_p']:.3g}", f"{r['ttest_p_holm']:.3g}"])
    print(tabulate(rows, headers=["metric", "A", "B", "pairs", "mean A", "mean B", "A - B",
                                  "Wilcoxon p", "Wilcoxon p (Holm)", "t-test p",
                                  "t-test p (Holm)"], tablefmt=args.format,
                   disable_numparse=True))
    print("\nPaired on (fold, user). Holm's correction is applied per metric across the "
          "pairs of algorithms. rmse/mae are per-user values here.")
    return 0
