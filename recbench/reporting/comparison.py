"""The result of ``recbench.compare`` (:class:`Comparison`) and its text.

The rows are computed by :mod:`recbench.statistics.comparison`; this module holds them and
renders them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from tabulate import tabulate

from recbench.reporting.tables import FORMATS, significance_table


def _ci(lo, hi) -> str:
    return "-" if lo is None or math.isnan(lo) else f"[{lo:+.4f}, {hi:+.4f}]"


def _p(p) -> str:
    return "-" if p is None or math.isnan(p) else f"{p:.3g}"


def _f(v, missing: str = "-", sign: str = "") -> str:
    return missing if v is None or math.isnan(v) else f"{v:{sign}.4f}"


def _gate(r, gate: str) -> str:
    if not (r.regressed and r.metric == gate):
        return ""
    return "REGRESSED (missing in B)" if math.isnan(r.mean_b) else "REGRESSED"


def comparison_text(c, fmt: str = "github") -> str:
    """The table, its notes and (for two runs) the gate's verdict."""
    if c.kind == "within":
        return significance_table(c.rows.to_dict("records"), fmt) + "\n\n" + "\n".join(c.notes)
    rows = [[r.metric, r.algorithm_a if r.algorithm_a == r.algorithm_b
             else f"{r.algorithm_a} -> {r.algorithm_b}",
             _f(r.mean_a), _f(r.mean_b, "missing"), _f(r.delta, "-", "+"), _ci(r.ci_low, r.ci_high),
             _p(r.wilcoxon_p_holm), _gate(r, c.gate_metric)]
            for r in c.rows.itertuples()]
    text = tabulate(rows, headers=["metric", "algorithm", "A", "B", "B - A", "95% CI",
                                   "Wilcoxon p (Holm)", f"gate ({c.gate_metric})"],
                    tablefmt=FORMATS.get(fmt, fmt), disable_numparse=True)
    for note in c.notes:
        text += f"\n\nnote: {note}"
    reg = c.regressions
    text += (f"\n\nGate: {c.gate_metric} may worsen by at most {c.tolerance:g}; "
             + (f"{len(reg)} regression(s): " + ", ".join(reg["algorithm_b"]) if len(reg)
                else "no regression."))
    return text


@dataclass
class Comparison:
    """The result of ``recbench.compare``: ``rows`` (one per metric and algorithm pair),
    the gate (``gate_metric``, ``tolerance``, ``regressions``) and ``notes``. ``kind`` is
    ``"runs"`` (B against A) or ``"within"`` (paired tests between one run's algorithms)."""

    kind: str
    rows: pd.DataFrame
    gate_metric: str | None = None
    tolerance: float | None = None
    notes: list = field(default_factory=list)

    @property
    def regressions(self) -> pd.DataFrame:
        if self.kind != "runs":
            return self.rows.iloc[0:0]
        return self.rows[(self.rows["metric"] == self.gate_metric) & self.rows["regressed"]]

    @property
    def passed(self) -> bool:
        return self.regressions.empty

    def table(self, fmt: str = "github") -> str:
        return comparison_text(self, fmt)
