"""A tuned run's ``trials.csv`` and the "Tuning" section of its ``results.md``, rendered
from the record's ``tuning`` entry alone (so ``recbench tables`` rebuilds them)."""

from __future__ import annotations

import csv
import io
import json

from tabulate import tabulate

from recbench.tuning.settings import TUNED_SUFFIX
from recbench.tuning.space import EDGE_SHARE, at_edge

TRIAL_COLUMNS = ["fold", "algorithm", "trial", "params", "value", "seconds", "state", "error"]


def trials_csv(record: dict) -> str:
    """One row per trial: fold, algorithm, trial (0 = the defaults), params (JSON), the
    validation value (empty when the trial failed), seconds, state and error."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(TRIAL_COLUMNS)
    for job in record["tuning"].get("jobs", []):
        for t in job.get("trials", []):
            writer.writerow([job["fold"], job["algorithm"], t["trial"],
                             json.dumps(t["params"], sort_keys=True),
                             "" if t.get("value") is None else repr(float(t["value"])),
                             f"{t.get('seconds') or 0.0:.3f}", t.get("state", ""),
                             (t.get("error") or "").splitlines()[0] if t.get("error") else ""])
    return buf.getvalue()


def _params(params: dict, space: dict | None = None) -> tuple[str, bool]:
    """``k=v`` pairs, a value at an end of its range (see :func:`at_edge`) marked ``(low
    end)`` or ``(high end)``; and whether any value was marked."""
    space = space or {}
    out, marked = [], False
    for k, v in sorted(params.items()):
        text = f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
        edge = at_edge(space[k], v) if isinstance(space.get(k), dict) else None
        marked = marked or edge is not None
        out.append(text + (f" ({edge} end)" if edge else ""))
    return ", ".join(out), marked


def _value(v) -> str:
    return "-" if v is None else f"{v:.4f}"


def tuning_lines(record: dict) -> list[str]:
    """The markdown section: the budget and protocol, then per tuned job the validation value
    of the defaults (trial 0) and of the best trial, and the best parameters."""
    t = record.get("tuning")
    if not t:
        return []
    s = t["sampler"]
    lines = ["## Tuning", "",
             f"{t['trials']} trials per tuned algorithm and fold, objective {t['objective']} "
             f"({t['direction']}) on a validation part of each training fold (per user, a "
             f"random {t['validation_share']:g} share of the user's training ratings); Optuna "
             f"{t.get('optuna') or '?'} {s['name']} ({s['n_startup_trials']} random startup "
             f"trials, multivariate {str(s['multivariate']).lower()}), trial 0 = the defaults; "
             f"the best trial is refitted on the whole training fold and evaluated once on the "
             f"test fold. `seconds` (the table's tune_time_s): all trials of the fold, fits and "
             f"validation scoring. Every trial: [trials.csv](trials.csv); spaces, seeds and "
             f"trials: `tuning` in [run.json](run.json).", ""]
    lines += defaults_vs_tuned_lines(record)
    order = {label: n for n, label in enumerate(t.get("tuned", []))}
    rows, marked = [], False
    for job in sorted(t.get("jobs", []), key=lambda j: order.get(j["algorithm"], len(order))):
        trials = job.get("trials", [])
        first = trials[0]["value"] if trials else None
        best = job.get("best") or {}
        params, edge = _params(best.get("params") or {}, job.get("space"))
        marked = marked or edge
        rows.append([job["algorithm"], job["fold"], _value(first), _value(best.get("value")),
                     best.get("trial", "-"), params,
                     f"{job['completed'] + job['failed']}" + (f" ({job['failed']} failed)" if job["failed"] else ""),
                     f"{job['seconds']:.1f}"])
    lines += [f"Per fold, on the validation part: {t['objective']} of the defaults (trial 0) "
              f"and of the best trial, with its parameters:", ""]
    headers = ["algorithm", "fold", f"validation {t['objective']}: defaults", "best", "best trial",
               "best parameters", "trials", "seconds"]
    lines += [tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True), ""]
    if marked:
        lines += [f"(low end) / (high end): the best value lies within {EDGE_SHARE:.0%} of that "
                  f"end of its range (on the log scale for a log range; choices are not "
                  f"marked). Unless that end is the parameter's own limit (such as shrink >= 0 "
                  f"or min_df >= 1), the range may have stopped the search, and a wider one "
                  f"under `[tuning.space.<label>]` may find a better value.", ""]
    return lines


def defaults_vs_tuned_lines(record: dict) -> list[str]:
    """Per tuned algorithm, the test value of the objective at the defaults and tuned (means
    over the folds where both jobs succeeded), the change, and in how many folds tuning
    helped: the headline of a tuned run."""
    t = record["tuning"]
    objective, maximize = t["objective"], t["direction"] == "maximize"
    means = {(r["algorithm"], r["metric"]): r for r in record.get("results", [])}
    rows = []
    for tuned in t.get("tuned", []):
        label = tuned.removesuffix(TUNED_SUFFIX)
        a, b = means.get((label, objective)), means.get((tuned, objective))
        if a is None or b is None or a.get("mean") is None or b.get("mean") is None:
            continue
        # folds where both rows have a value (a failed job leaves None): the same folds
        pairs = [(x, y) for x, y in zip(a.get("folds") or [], b.get("folds") or [])
                 if x is not None and y is not None and x == x and y == y]
        if not pairs:
            continue
        mean_a = sum(x for x, _ in pairs) / len(pairs)
        mean_b = sum(y for _, y in pairs) / len(pairs)
        change = mean_b - mean_a
        better = sum((y > x) if maximize else (y < x) for x, y in pairs)
        rows.append([label, f"{mean_a:.4f}", f"{mean_b:.4f}", f"{change:+.4f}",
                     f"{100 * change / mean_a:+.1f}%" if mean_a else "-",
                     f"{better}/{len(pairs)}"])
    if not rows:
        return []
    return ([f"Defaults against tuned on the test folds ({objective}, mean over folds; "
             f"`better in folds`: folds where the tuned model's test value beat the defaults'):",
             ""] + [tabulate(rows, headers=["algorithm", f"{objective}: defaults", "tuned",
                                            "change", "relative", "better in folds"],
                             tablefmt="github", disable_numparse=True), ""])
