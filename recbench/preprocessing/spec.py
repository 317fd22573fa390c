"""The preprocessing settings, validated once for every way they are given: the command
line (``--positive-threshold 4 --k-core 10``), an experiment file's ``[preprocess]`` table
and ``recbench.run(..., preprocess={...})``."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from numbers import Real

from recbench.errors import ConfigError

#: key -> what it does (the keys of ``[preprocess]`` and ``preprocess={...}``)
PREPROCESS_KEYS = {
    "positive_threshold": "keep ratings >= T as interactions, drop the rest (explicit data)",
    "min_user_interactions": "drop users with fewer than N interactions (one pass)",
    "min_item_interactions": "drop items with fewer than N interactions (one pass)",
    "k_core": "drop users and items with fewer than N interactions until none is left",
    "k_core_rounds": "at most this many k-core rounds (default 100)",
}


def flag(key: str) -> str:
    """The command-line option of a key (``k_core`` -> ``--k-core``)."""
    return "--" + key.replace("_", "-")


@dataclass(frozen=True)
class Preprocess:
    """The steps to apply, in this order: binarise, min users, min items, k-core."""

    positive_threshold: float | None = None
    min_user_interactions: int | None = None
    min_item_interactions: int | None = None
    k_core: int | None = None
    k_core_rounds: int = 100

    @property
    def empty(self) -> bool:
        return (self.positive_threshold is None and self.min_user_interactions is None
                and self.min_item_interactions is None and self.k_core is None)

    def describe(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def of(cls, value, where: str = "preprocess") -> "Preprocess":
        """``value`` (None, a Preprocess, or a dict of its keys) checked: an unknown key, a
        threshold that is not a finite number, a count that is not a whole number >= 1 is a
        ConfigError naming the key (and its command-line option)."""
        if value is None:
            return cls()
        if isinstance(value, Preprocess):
            return value
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a table (dict) of {', '.join(PREPROCESS_KEYS)}, "
                              f"not {type(value).__name__}.")
        unknown = sorted(set(value) - set(PREPROCESS_KEYS))
        if unknown:
            raise ConfigError(f"{where}: unknown key {unknown[0]!r}; known: "
                              f"{', '.join(PREPROCESS_KEYS)}.")
        out = {}
        for key, v in value.items():
            if v is None:
                continue
            name = f"{where} {key} ({flag(key)})"
            if key == "positive_threshold":
                if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(v):
                    raise ConfigError(f"{name} {v!r} is not a finite number; give the lowest "
                                      f"rating that counts as an interaction, e.g. 4.")
                out[key] = float(v)
            else:
                if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                    raise ConfigError(f"{name} {v!r} must be a whole number >= 1 (e.g. "
                                      f"{flag(key)} {100 if key == 'k_core_rounds' else 5}).")
                out[key] = int(v)
        if "k_core_rounds" in out and "k_core" not in out:
            raise ConfigError(f"{where} k_core_rounds ({flag('k_core_rounds')}) limits the "
                              f"k-core, which is not asked for; give {flag('k_core')} N too, or "
                              f"leave it out.")
        return cls(**out)
