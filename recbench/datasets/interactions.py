"""Interaction data: which (user, item) pairs occurred (a click, a play, a purchase, a tag),
optionally with a non-negative weight (plays, clicks, counts), instead of ratings on a scale.

A :class:`~recbench.datasets.Dataset` of interactions has ``feedback = "interactions"``; its
``rating`` column is 1 for every interaction (scale (0, 1)) and, when the interactions are
weighted, a ``weight`` column holds the weights. Repeated (user, item) pairs follow the
``duplicates`` policy: ``count`` (the default: one interaction whose weight is the number of
rows, or the sum of their weights when a weight column is given, timestamp the latest),
``first``, ``last`` or ``error`` (naming the first repeated pair's line).
"""

from __future__ import annotations

import pandas as pd

from recbench.datasets.checks import (
    Origin,
    clean_ids,
    first_line,
    parse_numbers,
    parse_timestamps,
    shown,
)
from recbench.errors import ConfigError, DataError

FEEDBACK = ("explicit", "interactions")
INTERACTION_DUPLICATES = ("count", "first", "last", "error")
#: the rating scale an interaction dataset carries (every ``rating`` is 1)
INTERACTION_SCALE = (0.0, 1.0)


def check_feedback(value, option: str = "--feedback") -> str | None:
    """``value`` (None: decided by the data) as one of :data:`FEEDBACK`."""
    if value is None or value in FEEDBACK:
        return value
    raise ConfigError(f"{option} {shown(value)} is unknown; use {option} explicit or "
                      f"{option} interactions.")


def interaction_duplicates(policy, option: str = "--duplicates") -> str:
    """The duplicates policy of interaction data (None: count)."""
    if policy is None:
        return "count"
    if policy not in INTERACTION_DUPLICATES:
        raise ConfigError(f"{option} {shown(policy)} does not apply to interaction data; use "
                          f"{option} {'|'.join(INTERACTION_DUPLICATES)} (count is the default).")
    return policy


def check_interactions(frame: pd.DataFrame, where: Origin, duplicates: str = "count",
                       weight_name: str | None = None, option: str = "--duplicates"):
    """``frame``'s ``user``, ``item`` (and ``weight``, ``timestamp`` when it has them),
    indexed by line (or row), checked like ratings (ids present, timestamps whole seconds or
    ISO dates) with weights finite numbers >= 0, then the duplicates policy applied.
    Returns ``(interactions, weight)``: a frame of ``user``, ``item``, ``rating`` (1.0),
    ``timestamp`` and ``weight`` when weighted, and what the weights are (``weight_name``,
    "count", or None)."""
    policy = interaction_duplicates(duplicates, option)
    out = pd.DataFrame({"user": clean_ids(frame["user"], where, "user"),
                        "item": clean_ids(frame["item"], where, "item")}, index=frame.index)
    if "weight" in frame:
        w = parse_numbers(frame["weight"], where, "weight",
                          f"every {where.unit} needs a weight >= 0 (check the weight column)")
        negative = w < 0
        if negative.any():
            line = first_line(negative)
            raise DataError(f"{where.at(line)}: the weight {w.loc[line]:g} is negative; "
                            f"weights count plays, clicks or purchases and must be >= 0: fix the "
                            f"{where.unit}.")
        out["weight"] = w
    if "timestamp" in frame:
        out["timestamp"] = parse_timestamps(frame["timestamp"], where,
                                            f"every {where.unit} needs a numeric timestamp")
    out.insert(2, "rating", 1.0)
    weight = weight_name if "weight" in out else None
    dup = out.duplicated(["user", "item"], keep="first")
    if policy == "count":
        return _counted(out), weight or "count"
    if not dup.any():
        return out, weight
    if policy == "error":
        line = first_line(dup)
        raise DataError(f"{where.at(line)}: user {shown(out.at[line, 'user'])} and item "
                        f"{shown(out.at[line, 'item'])} occur again ({int(dup.sum())} repeated "
                        f"(user, item) rows in all); pass {option} count, first or last to "
                        f"say what a repeated pair is.")
    return out[~out.duplicated(["user", "item"], keep=policy)], weight


def _counted(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (user, item), at its first row's position: weight = the number of rows (or
    the sum of their weights), timestamp = the latest."""
    if "weight" not in frame:
        frame = frame.assign(weight=1.0)
    if not frame.duplicated(["user", "item"]).any():
        return frame
    agg = {"rating": "first", "weight": "sum"}
    if "timestamp" in frame:
        agg["timestamp"] = "max"
    out = frame.groupby(["user", "item"], sort=False, as_index=False).agg(agg)
    return out[["user", "item", "rating", "weight"] + (["timestamp"] if "timestamp" in out else [])]

