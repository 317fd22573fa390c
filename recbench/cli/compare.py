"""``recbench compare``: the algorithms of one run against each other, or two runs side by side
with deltas, intervals, significance and an exit code for regressions."""

from __future__ import annotations

import math
import sys

from tabulate import tabulate

from recbench.errors import ConfigError, RecbenchError
from recbench.evaluation.comparison import comparable, compare_runs
from recbench.evaluation.significance import paired_tests
from recbench.metrics.spec import parse_metric
from recbench.reporting.record import read_run
from recbench.reporting.render import columns_of
from recbench.reporting.tables import tested_metrics


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
    p.add_argument("--tolerance", type=float, default=0.01,
                   help="allowed worsening of --gate-metric, absolute (default 0.01)")
    p.add_argument("--format", default="github", help="table format: github, plain, latex, html")
    p.set_defaults(func=cmd_compare)


def cmd_compare(args) -> int:
    record, per_user = read_run(args.run)
    if args.run_b is None and not (args.algo_a and args.algo_b):
        return _within_run(args, record, per_user)
    if args.run_b is None:
        record_b, per_user_b = record, per_user
    else:
        record_b, per_user_b = read_run(args.run_b)
    if bool(args.algo_a) != bool(args.algo_b):
        raise ConfigError("give both --a and --b, or neither.")
    pairs = [(args.algo_a.lower(), args.algo_b.lower())] if args.algo_a else None
    metrics = [parse_metric(m).name for m in args.metric] if args.metric else \
        [m for m in columns_of(record) if not m.endswith("_s")]
    gate = parse_metric(args.gate_metric).name if args.gate_metric else \
        ("ndcg@10" if "ndcg@10" in metrics else metrics[0])
    if gate not in metrics:
        metrics.append(gate)
    table = compare_runs(record, per_user, record_b, per_user_b, metrics, pairs, args.tolerance)
    if table.empty:
        raise RecbenchError("the two runs share no algorithm with these metrics; "
                            "name the pair with --a and --b.")
    rows = [[r.metric, r.algorithm_a if r.algorithm_a == r.algorithm_b else f"{r.algorithm_a} -> {r.algorithm_b}",
             f"{r.mean_a:.4f}", f"{r.mean_b:.4f}", f"{r.delta:+.4f}", _ci(r.ci_low, r.ci_high),
             _p(r.wilcoxon_p_holm), "REGRESSED" if r.regressed and r.metric == gate else ""]
            for r in table.itertuples()]
    print(tabulate(rows, headers=["metric", "algorithm", "A", "B", "B - A", "95% CI",
                                  "Wilcoxon p (Holm)", f"gate ({gate})"],
                   tablefmt=args.format, disable_numparse=True))
    reasons = comparable(record, record_b)
    if reasons:
        print("\nnote: the runs do not share folds (" + "; ".join(reasons) + "): no paired "
              "tests or intervals, only the difference of the means.")
    regressed = table[(table["metric"] == gate) & table["regressed"]]
    print(f"\nGate: {gate} may worsen by at most {args.tolerance:g}; "
          + (f"{len(regressed)} regression(s): " + ", ".join(regressed["algorithm_b"]) if len(regressed)
             else "no regression."))
    return 1 if len(regressed) else 0


def _ci(lo, hi) -> str:
    return "-" if lo is None or math.isnan(lo) else f"[{lo:+.4f}, {hi:+.4f}]"


def _p(p) -> str:
    return "-" if p is None or math.isnan(p) else f"{p:.3g}"


def _within_run(args, record, per_user) -> int:
    if per_user is None:
        raise RecbenchError(f"{args.run} has no per_user.csv.gz; paired tests need per-user values.")
    metrics = args.metric or tested_metrics(record["manifest"]["k"])
    metrics = [m for m in metrics if m in per_user.columns]
    if per_user["algorithm"].nunique() < 2:
        raise RecbenchError(f"{args.run} holds one algorithm; a comparison needs two or more.")
    rows = []
    for metric in metrics:
        for r in paired_tests(per_user, metric).to_dict("records"):
            rows.append([metric, r["a"], r["b"], r["n_pairs"], f"{r['mean_a']:.4f}",
                         f"{r['mean_b']:.4f}", f"{r['mean_diff']:+.4f}",
                         f"{r['wilcoxon_p']:.3g}", f"{r['wilcoxon_p_holm']:.3g}",
                         f"{r['ttest_p']:.3g}", f"{r['ttest_p_holm']:.3g}"])
    print(tabulate(rows, headers=["metric", "A", "B", "pairs", "mean A", "mean B", "A - B",
                                  "Wilcoxon p", "Wilcoxon p (Holm)", "t-test p",
                                  "t-test p (Holm)"], tablefmt=args.format,
                   disable_numparse=True))
    print("\nPaired on (fold, user). Holm's correction is applied per metric across the "
          "pairs of algorithms. rmse/mae are per-user values here.", file=sys.stdout)
    return 0
