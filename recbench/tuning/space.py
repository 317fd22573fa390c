"""Search spaces as the tuner reads them: written ranges, an algorithm's default space and
whether a best value lies at an end of its range.

The range types (``IntRange``, ``FloatRange``, ``Choice``) and the check that a space lies
inside an algorithm's constraints belong to the algorithm's parameter vocabulary
(:mod:`recbench.algorithms.params`); they are re-exported here. Experiment files and the API
write a range as a table or dict - ``{low = 5, high = 1000, log = true}`` (an ``IntRange`` when
both bounds are whole numbers, unless ``type = "float"``) - and a choice as a list
(:func:`parse_range`). Optuna is imported only when a run tunes.
"""

from __future__ import annotations

import math

from recbench.algorithms.params import (
    RANGES,
    Choice,
    FloatRange,
    IntRange,
    check_space,
    describe_space,
    range_text,
)
from recbench.errors import ConfigError

__all__ = ["IntRange", "FloatRange", "Choice", "RANGES", "check_space", "describe_space",
           "range_text", "parse_range", "default_space", "at_edge", "EDGE_SHARE"]


RANGE_KEYS = {"low", "high", "log", "type"}


def parse_range(value, where: str):
    """A range from its written form: a range value, a list (a Choice) or a table/dict with
    ``low``, ``high`` and optional ``log`` and ``type`` ("int" or "float")."""
    if isinstance(value, RANGES):
        return value
    if isinstance(value, (list, tuple)):
        try:
            return Choice(value)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    if not isinstance(value, dict):
        raise ConfigError(f"{where} = {value!r} is not a range; write {{low = 1, high = 100}} "
                          f"(optionally log = true, type = \"float\") or a list of choices; "
                          f"fix a value under [tuning.fixed.<label>] instead.")
    unknown = sorted(set(value) - RANGE_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; a range has "
                          f"{', '.join(sorted(RANGE_KEYS))}.")
    if "low" not in value or "high" not in value:
        raise ConfigError(f"{where}: a range needs both low and high.")
    kind = value.get("type")
    low, high = value["low"], value["high"]
    if kind is None:
        kind = "int" if all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)) \
            else "float"
    if kind not in ("int", "float"):
        raise ConfigError(f"{where}: type {kind!r} is unknown; use \"int\" or \"float\".")
    try:
        cls = IntRange if kind == "int" else FloatRange
        return cls(low, high, log=value.get("log", False))
    except (ConfigError, TypeError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def default_space(cls) -> dict:
    """The class's declared ``search_space`` ({} when it declares none)."""
    return dict(getattr(cls, "search_space", None) or {})


EDGE_SHARE = 0.05   # a best value this close to a range's end (share of its width) is flagged


def at_edge(described: dict, value) -> str | None:
    """``"low"`` or ``"high"`` when ``value`` lies within ``EDGE_SHARE`` of that end of the
    described range (measured on its log scale for a log range), else None; None for a choice,
    a degenerate range or a value that is not a number. A best trial at an edge means the
    range, not the data, may have stopped the search: a wider range may find a better value."""
    ends = (described.get("low"), described.get("high"), value)
    if described.get("type") not in ("int", "float") or any(
            isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x)
            for x in ends):
        return None
    low, high, v = map(float, ends)
    if not low <= v <= high:
        return None            # outside the range: not this range's value
    if described.get("log"):
        if low <= 0 or v <= 0:
            return None
        low, high, v = math.log(low), math.log(high), math.log(v)
    if not high > low:
        return None
    share = (v - low) / (high - low)
    tol = 1e-9                 # the 5% points themselves count, whatever the rounding
    return "low" if share <= EDGE_SHARE + tol else "high" if share >= 1 - EDGE_SHARE - tol \
        else None
