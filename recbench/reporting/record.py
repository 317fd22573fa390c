"""The run record: every fact of a run in one dict (written as ``run.json``).

Keys: ``manifest`` (what ran, on what, with which versions), ``experiment`` (its file, table
columns, published reference numbers), ``protocol``, ``seeds``, ``algorithms``, ``folds``,
``results`` (``{algorithm, metric, mean, std, ci_low, ci_high, interval, folds}``),
``significance`` (paired tests, Holm-adjusted) and ``failures``; ``recommendations`` (what
``recommendations.parquet`` holds) when the run kept its lists; ``tuning`` (settings, and
per tuned job its space, seeds, best trial and every trial; see :mod:`recbench.tuning`)
when the run tuned; ``groups`` (the spec, per fold the bin edges and group sizes, and
``results`` per algorithm, group and per-user metric) when the run grouped its users.
"""

from __future__ import annotations

import pandas as pd

from recbench.reporting.manifest import build_manifest
from recbench.reporting.recommendations import describe
from recbench.reporting.storage import canonical_per_user
from recbench.statistics.significance import significance

RECORD_VERSION = 2


def build_record(exp, outcome, command: str, experiment: dict | None = None) -> tuple[dict, pd.DataFrame]:
    """The record of a finished experiment and its canonical per-user values."""
    per_user = canonical_per_user(outcome.per_user)
    record = {
        "record_version": RECORD_VERSION,
        "manifest": build_manifest(exp.dataset, exp, command, len(outcome.folds)),
        "experiment": experiment,
        "protocol": outcome.protocol,
        "seeds": outcome.seeds,
        "algorithms": outcome.algorithms,
        "folds": outcome.folds,
        "results": outcome.results,
        "significance": significance(per_user),
        "failures": outcome.failures,
        "warnings": outcome.warnings,
    }
    if getattr(outcome, "tuning", None) is not None:     # settings, best trials, every trial
        record["tuning"] = outcome.tuning
    if getattr(outcome, "groups", None) is not None:    # spec, bin edges, values by group
        record["groups"] = outcome.groups
    if getattr(outcome, "recommendations", None) is not None:
        record["recommendations"] = describe(outcome.recommendations, exp.save_recommendations)
    return record, per_user
