"""Declared parameter constraints, checked before any fold is fitted.

An algorithm lists, next to its parameters, what each one accepts (after scikit-learn's
``_parameter_constraints``)::

    param_constraints = {
        "n_factors": [Interval(int, 1, None)],
        "lr_all": [Interval(float, 0, None, closed="neither")],
        "sim": [Options({"cosine", "msd", "pearson", "pearson_baseline"})],
        "random_state": [None, Interval(int, 0, 2**32 - 1)],
        "biased": [bool],
    }

A value is valid when it satisfies any one entry of its list. An entry is ``None`` (the
value None), a Python type (``bool``, ``str``, ``dict``, ``list``...; ``int`` rejects
booleans, ``float`` accepts ints), an :class:`Interval` or an :class:`Options`.
Parameters without a declaration are not checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from recbench.errors import ConfigError


@dataclass(frozen=True)
class Interval:
    """A number of ``kind`` (int or float) between ``low`` and ``high`` (None: unbounded)."""

    kind: type
    low: float | None = None
    high: float | None = None
    closed: str = "both"          # both, left, right, neither

    def accepts(self, value) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.kind is int and not isinstance(value, int):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        if self.low is not None:
            if value < self.low or (value == self.low and self.closed in ("right", "neither")):
                return False
        if self.high is not None:
            if value > self.high or (value == self.high and self.closed in ("left", "neither")):
                return False
        return True

    def __str__(self) -> str:
        what = "a whole number" if self.kind is int else "a number"
        lo_op = ">=" if self.closed in ("both", "left") else ">"
        hi_op = "<=" if self.closed in ("both", "right") else "<"
        bounds = [f"{lo_op} {_num(self.low)}" if self.low is not None else "",
                  f"{hi_op} {_num(self.high)}" if self.high is not None else ""]
        bounds = [b for b in bounds if b]
        return what + (" " + " and ".join(bounds) if bounds else "")


def _num(x) -> str:
    """A bound as written: whole numbers exactly (4294967295, not 4.29497e+09)."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


@dataclass(frozen=True)
class Options:
    """One of a fixed set of values."""

    values: frozenset

    def __init__(self, values):
        object.__setattr__(self, "values", frozenset(values))

    def accepts(self, value) -> bool:
        try:
            return value in self.values
        except TypeError:          # unhashable
            return False

    def __str__(self) -> str:
        return "one of " + ", ".join(repr(v) for v in sorted(self.values, key=str))


def _accepts(entry, value) -> bool:
    if entry is None:
        return value is None
    if isinstance(entry, type):
        if entry is int:
            return isinstance(value, int) and not isinstance(value, bool)
        if entry is float:
            return (isinstance(value, (int, float)) and not isinstance(value, bool)
                    and math.isfinite(value))
        if entry in (list, tuple):
            return isinstance(value, (list, tuple))
        return isinstance(value, entry)
    return entry.accepts(value)


def _describe(entry) -> str:
    if entry is None:
        return "None"
    if isinstance(entry, type):
        return {bool: "true or false", str: "a string", dict: "a table (dict)",
                list: "a list", tuple: "a list", int: "a whole number",
                float: "a number"}.get(entry, entry.__name__)
    return str(entry)


def allowed(entries) -> str:
    """``entries`` in words, e.g. "a whole number >= 1, or None"."""
    return ", or ".join(_describe(e) for e in entries)


def check_params(name: str, cls, params: dict) -> None:
    """Raise :class:`ConfigError` naming the algorithm, parameter, value and what is allowed
    for the first value in ``params`` that breaks ``cls.param_constraints``."""
    constraints = getattr(cls, "param_constraints", None) or {}
    for key, value in params.items():
        entries = constraints.get(key)
        if entries is None:
            continue
        if not any(_accepts(e, value) for e in entries):
            raise ConfigError(f"{name}: parameter {key}={value!r} is invalid; it must be "
                              f"{allowed(entries)}.")
