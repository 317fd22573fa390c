"""An algorithm's parameter vocabulary: what each parameter accepts and what a tuner may try.

**Constraints**, checked before any fold is fitted. An algorithm lists, next to its
parameters, what each one accepts (after scikit-learn's ``_parameter_constraints``)::

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

**Search ranges**, the default space the tuner searches (:mod:`recbench.tuning`)::

    search_space = {"k": IntRange(5, 1000, log=True), "shrink": FloatRange(0, 1000),
                    "normalize": Choice([False, True])}

``IntRange`` and ``FloatRange`` are closed ranges (``log=True``: log-uniform, so ``low`` must
be > 0); ``Choice`` is one of a few plain values (None, booleans, numbers, strings). Every
space lies inside the algorithm's ``param_constraints`` (:func:`check_space`).
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


#: the constraint of a ``random_state`` parameter: None, or what ``numpy.random.RandomState(seed)``
#: and ``default_rng`` both accept
SEED = [None, Interval(int, 0, 2**32 - 1)]


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


def accepts(entry, value) -> bool:
    """Whether ``value`` satisfies one constraint entry (None, a type, an Interval or Options)."""
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
        if not any(accepts(e, value) for e in entries):
            raise ConfigError(f"{name}: parameter {key}={value!r} is invalid; it must be "
                              f"{allowed(entries)}.")

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


def check_space(label: str, cls, space: dict) -> None:
    """Raise ConfigError unless every entry names a parameter of ``cls`` and lies inside its
    declared constraints (both ends of a range, every value of a choice, in one entry)."""
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
        ok = any(all(accepts(e, v) for v in ends) for e in entries) if not isinstance(r, Choice) \
            else all(any(accepts(e, v) for e in entries) for v in ends)
        if not ok:
            whole = isinstance(r, FloatRange) and all(float(v).is_integer() for v in ends) \
                and any(all(accepts(e, int(v)) for v in ends) for e in entries)
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
