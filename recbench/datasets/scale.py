"""The rating scale: the one parser of every way a user writes it (``--rating-scale 1,5`` on
the command line, ``rating_scale = [1, 5]`` in a ``[csv]`` table, ``(1, 5)`` from Python)."""

from __future__ import annotations

import math
from numbers import Real

from recbench.errors import ConfigError


def parse_scale(value, option: str = "--rating-scale") -> tuple[float, float] | None:
    """``value`` as ``(low, high)`` floats with low < high, both finite; None stays None.
    A ConfigError naming ``option`` otherwise."""
    if value is None:
        return None
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
        try:
            value = tuple(float(p) for p in parts)
        except ValueError:
            raise ConfigError(f"{option} {value!r} is malformed; write LOW,HIGH, e.g. "
                              f"{option} 1,5.") from None
    if (isinstance(value, bytes) or not hasattr(value, "__len__") or len(value) != 2
            or not all(isinstance(v, Real) and not isinstance(v, bool) for v in value)):
        raise ConfigError(f"{option} {value!r} is malformed; give LOW,HIGH, e.g. {option} 1,5.")
    low, high = float(value[0]), float(value[1])
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ConfigError(f"{option} {low:g},{high:g} is not a pair of finite numbers; give "
                          f"LOW,HIGH, e.g. {option} 1,5.")
    if low >= high:
        raise ConfigError(f"{option} {low:g},{high:g} is empty; give LOW,HIGH with LOW < HIGH.")
    return (low, high)
