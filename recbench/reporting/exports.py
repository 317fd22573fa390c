"""A run's results as CSV (one row per algorithm and metric) and JSON, from its record."""

from __future__ import annotations

import csv
import io
import json
import math

from recbench.reporting.storage import clean


def _num(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return repr(float(v))


def results_csv(record: dict) -> str:
    """Long format: one row per (algorithm, metric), with the per-fold values."""
    published = (record.get("experiment") or {}).get("published") or {}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["algorithm", "metric", "mean", "std", "ci_low", "ci_high", "interval",
                "n_folds", "folds", "published"])
    for r in record["results"]:
        folds = " ".join(_num(v) for v in r.get("folds", []))
        w.writerow([r["algorithm"], r["metric"], _num(r.get("mean")), _num(r.get("std")),
                    _num(r.get("ci_low")), _num(r.get("ci_high")), r.get("interval", ""),
                    len(r.get("folds", [])), folds,
                    _num(published.get(r["algorithm"], {}).get(r["metric"]))])
    return buf.getvalue()


def results_json(record: dict) -> str:
    keep = {k: record.get(k) for k in ("experiment", "manifest", "protocol", "results",
                                        "significance", "failures")}
    return json.dumps(clean(keep), indent=2, sort_keys=True) + "\n"
