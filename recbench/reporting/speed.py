"""The speed benchmark's page (``results/speed/speed.md``), rendered from its record
(``speed.json``, written by ``benchmarks/speed.py``)."""

from __future__ import annotations


def render_speed(record: dict) -> str:
    lines = ["# Speed: recbench against Surprise's own routes (ml-100k)", "",
             "## Full-ranking evaluation on u1 (one fit per model)", "",
             "| algorithm | fit (s) | recbench evaluation (s) | Surprise route, all users (s) | "
             "speed-up | Surprise route, evaluated users only (s) | speed-up | evaluation / fit | "
             "evaluation on one core (s) | one-core evaluation / fit |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in record["fold"]:
        lines.append(f"| {r['algorithm']} | {r['fit_s']:.2f} | {r['recbench_eval_s']:.3f} | "
                     f"{r['surprise_route_s']:.1f} ({r['trainset_users']} users) | "
                     f"{r['speedup']:.0f}x | {r['surprise_same_users_s']:.1f} "
                     f"({r['evaluated_users']} users) | {r['speedup_same_users']:.0f}x | "
                     f"{r['eval_share_of_fit']:.2f} | {r['recbench_eval_one_core_s']:.3f} | "
                     f"{r['eval_one_core_share_of_fit']:.2f} |")
    lines += ["", f"Surprise's route was timed on {record['fold'][0]['sampled_users']} sampled "
                  "users and scaled linearly."]
    f = record["five_fold"]
    lines += ["", "## Whole 5-fold run, SVD + KNNWithMeans", "",
              "| recbench run (every metric, tests, record, tables, plots) | Surprise cross_validate "
              "(RMSE, MAE) | speed-up |", "|---|---|---|",
              f"| {f['recbench_run_s']:.1f} s | {f['surprise_cross_validate_s']:.1f} s | "
              f"{f['speedup']:.2f}x |", "", "## Targets", ""]
    lines += [f"- {t['target']}: measured {t['measured']} — **{'met' if t['met'] else 'MISSED'}**"
              for t in record["targets"]]
    m = record["manifest"]
    lines += ["", "## How it was measured", "",
              "recbench's evaluation = scoring every candidate item (every catalogue item the "
              "user did not rate in training) for every user with a relevant test item, plus "
              "precision/recall/nDCG/MAP/hit@5,10,20, MRR, AUC, coverage, novelty, and RMSE/MAE "
              "over the test ratings. Surprise's route = for each user, the anti-testset rows "
              "as `Trainset.build_anti_testset` builds them, `algo.test`, and a sort (top-10, "
              "no metric), timed on a seeded sample of the same users and scaled linearly. "
              "Both use the same fitted Surprise model. recbench scores Surprise's KNN models "
              "with compiled kernels in one thread per core; the one-core columns time the "
              "same evaluation with `RECBENCH_THREADS=1`. Surprise's fit and route use one "
              "core. The 5-fold comparison runs "
              "`python -m recbench run` in a fresh process against in-process "
              "`cross_validate(n_jobs=1)` including Surprise's file loading.", "",
              f"- recbench {m['recbench_version']}, Python {m['python']}, " +
              ", ".join(f"{k} {v}" for k, v in m["libraries"].items()),
              f"- created {m['created']} on {m['platform']} ({m['machine']['cpus']} CPUs)",
              "- command: `python benchmarks/speed.py`", ""]
    return "\n".join(lines)
