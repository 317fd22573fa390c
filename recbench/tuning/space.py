"""Search spaces: what the tuner may try for each parameter of an algorithm.

An algorithm declares its default space next to its parameters and their constraints::

    search_space = {"k": IntRange(5, 1000, log=True), "shrink": FloatRange(0, 1000),
                    "normalize": Choice([False, True])}

``IntRange`` and ``FloatRange`` are closed ranges (``log=True``: log-uniform, so ``low`` must
be > 0); ``Choice`` is one of a few plain values (None, booleans, numbers, strings). Every
space lies inside the algorithm's ``param_constraints`` (:func:`check_space`). Experiment
files and the API write a range as a table or dict - ``{low = 5, high = 1000, log = true}``
(an ``IntRange`` when both bounds are whole numbers, unless ``type = "float"``) - and a
choice as a list (:func:`parse_range`). Optuna is imported only when a run tunes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from recbench.errors import ConfigError


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{what} {value!r} is not a finite number.")
    return value


@dataclass(frozen=True)
class IntRange:
    """Whole numbers from ``low`` to ``high`` (both included)."""

    low: int
    high: int
    log: bool = False

    def __post_init__(self):
        for v in (self.low, self.high):
            if isinstance(v, bool) or not isinstance(v, int):
                raise ConfigError(f"IntRange bounds must be whole numbers, not {v!r}.")
        _check_bounds(self)

    def suggest(self, trial, name: str):
        return trial.suggest_int(name, self.low, self.high, log=self.log)

    def value(self, v):
        return int(v)

    def start(self, v):
        """``v`` as this range holds it; ValueError when it lies outside."""
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not float(v).is_integer() \
                or not self.low <= v <= self.high:
            raise ValueError(v)
        return int(v)

    def contains(self, v) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and self.low <= v <= self.high

    def endpoints(self) -> list:
        return [self.low, self.high]

    def describe(self) -> dict:
        return {"type": "int", "low": self.low, "high": self.high, "log": self.log}


@dataclass(frozen=True)
class FloatRange:
    """Numbers from ``low`` to ``high`` (both included)."""

    low: float
    high: float
    log: bool = False

    def __post_init__(self):
        object.__setattr__(self, "low", float(_number(self.low, "FloatRange low")))
        object.__setattr__(self, "high", float(_number(self.high, "FloatRange high")))
        _check_bounds(self)

    def suggest(self, trial, name: str):
        return trial.suggest_float(name, self.low, self.high, log=self.log)

    def value(self, v):
        return float(v)

    def start(self, v):
        """``v`` as this range holds it; ValueError when it lies outside."""
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not self.low <= v <= self.high:
            raise ValueError(v)
        return float(v)

    def contains(self, v) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool) and self.low <= v <= self.high

    def endpoints(self) -> list:
        return [self.low, self.high]

    def describe(self) -> dict:
        return {"type": "float", "low": self.low, "high": self.high, "log": self.log}


@dataclass(frozen=True)
class Choice:
    """One of ``values`` (None, booleans, numbers or strings: what Optuna can store)."""

    values: tuple

    def __init__(self, values):
        values = tuple(values) if isinstance(values, (list, tuple)) else values
        if not isinstance(values, tuple) or not values:
            raise ConfigError(f"a Choice needs a non-empty list of values, not {values!r}.")
        for v in values:
            if not (v is None or isinstance(v, (bool, int, float, str))):
                raise ConfigError(f"Choice value {v!r} is not None, a boolean, a number or a "
                                  f"string; those are the values a search space can hold.")
        if len(set(map(repr, values))) != len(values):
            raise ConfigError(f"Choice values {list(values)!r} repeat a value.")
        object.__setattr__(self, "values", values)

    def suggest(self, trial, name: str):
        return trial.suggest_categorical(name, list(self.values))

    def value(self, v):
        return v

    def start(self, v):
        """``v`` when it is one of the values; ValueError otherwise."""
        if not self.contains(v):
            raise ValueError(v)
        return v

    def contains(self, v) -> bool:
        return any(type(v) is type(c) and v == c for c in self.values)

    def endpoints(self) -> list:
        return list(self.values)

    def describe(self) -> dict:
        return {"type": "choice", "values": list(self.values)}


RANGES = (IntRange, FloatRange, Choice)


def _check_bounds(r) -> None:
    if r.low > r.high:
        raise ConfigError(f"{type(r).__name__}({r.low!r}, {r.high!r}): low is above high.")
    if r.log and r.low <= 0:
        raise ConfigError(f"{type(r).__name__}({r.low!r}, {r.high!r}, log=True): a log scale "
                          f"needs low > 0.")
    if not isinstance(r.log, bool):
        raise ConfigError(f"{type(r).__name__}: log must be true or false, not {r.log!r}.")


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


def check_space(label: str, cls, space: dict) -> None:
    """Raise ConfigError unless every entry names a parameter of ``cls`` and lies inside its
    declared constraints (both ends of a range, every value of a choice, in one entry)."""
    from recbench.algorithms.constraints import _accepts, allowed
    names = cls.param_names() if hasattr(cls, "param_names") else list(space)
    constraints = getattr(cls, "param_constraints", None) or {}
    for name, r in space.items():
        if name not in names:
            raise ConfigError(f"{label}: the search space names {name!r}, which is not a "
                              f"parameter; " + (f"its parameters are: {', '.join(names)}."
                                                if names else "it has no parameters."))
        if not isinstance(r, RANGES):
            raise ConfigError(f"{label}: search space entry {name} = {r!r} is not an IntRange, "
                              f"FloatRange or Choice.")
        entries = constraints.get(name)
        if entries is None:
            continue
        ends = r.endpoints()
        ok = any(all(_accepts(e, v) for v in ends) for e in entries) if not isinstance(r, Choice) \
            else all(any(_accepts(e, v) for e in entries) for v in ends)
        if not ok:
            whole = isinstance(r, FloatRange) and all(float(v).is_integer() for v in ends) \
                and any(all(_accepts(e, int(v)) for v in ends) for e in entries)
            hint = " (write whole-number bounds, 10 not 10.0, or type = \"int\")" if whole else ""
            raise ConfigError(f"{label}: search space {name} = {range_text(r)} leaves the "
                              f"parameter's constraints; it must be {allowed(entries)}{hint}.")


def range_text(r) -> str:
    """A range as a reader wrote it: ``choices [...]``, ``int range [5, 1000] (log)`` or
    ``float range [10.0, 200.0]`` (a float range says so: a whole-number parameter refuses it)."""
    d = r.describe()
    if d["type"] == "choice":
        return f"choices {d['values']!r}"
    if d["type"] == "int":
        return f"int range [{d['low']}, {d['high']}]" + (" (log)" if d["log"] else "")
    return f"float range [{d['low']!r}, {d['high']!r}]" + (" (log)" if d["log"] else "")


def describe_space(space: dict) -> dict:
    return {name: r.describe() for name, r in space.items()}


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
