"""Metric names: ``precision@10`` -> :class:`MetricSpec` (the registered metric and k)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recbench.errors import ConfigError
from recbench.metrics.registry import Metric, get, registered


@dataclass(frozen=True)
class MetricSpec:
    name: str
    metric: Metric
    k: int | None

    @property
    def family(self) -> str:
        return self.metric.family

    @property
    def higher_is_better(self) -> bool:
        return self.metric.higher_is_better

    @property
    def is_timing(self) -> bool:
        return self.metric.is_timing


def check_cutoffs(k, option: str = "k") -> tuple[int, ...]:
    """The one owner of ranking cutoffs: ``k`` as a positive whole number, a list of them or
    the text ``"5,10,20"`` (the command line's); sorted, without repeats. ``option`` names the
    setting in the error (``--k`` on the command line)."""
    if isinstance(k, str):
        try:
            k = [int(x) for x in k.split(",") if x.strip()]
        except ValueError:
            raise ConfigError(f"{option} {k!r} is malformed; give cutoffs such as 10 or "
                              f"5,10,20.") from None
    ks = (k,) if isinstance(k, (int, np.integer)) and not isinstance(k, bool) else \
        tuple(k) if isinstance(k, (list, tuple)) else None
    if not ks or any(isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < 1
                     for x in ks):
        raise ConfigError(f"{option} {k!r} is invalid; cutoffs must be positive whole "
                          f"numbers, e.g. 10 or 5,10,20.")
    return tuple(sorted({int(x) for x in ks}))


def parse_metric(name: str) -> MetricSpec:
    """``"ndcg@10"`` -> MetricSpec; a one-sentence ConfigError for an unknown or ill-formed name."""
    if not isinstance(name, str):
        raise ConfigError(f"metric {name!r} must be a name such as 'ndcg@10'.")
    if "," in name:
        raise ConfigError(f"metric {name!r} names several metrics; give one here, e.g. "
                          f"{name.split(',')[0].strip()!r}.")
    family, at, k = name.strip().lower().partition("@")
    metric = get(family)
    if metric.takes_k and not k:
        raise ConfigError(f"metric {name!r} needs a cutoff; write {family}@K, e.g. {family}@10.")
    if not metric.takes_k and at:
        raise ConfigError(f"metric {name!r} takes no cutoff; write {family}.")
    if k and (not (k.isascii() and k.isdigit()) or int(k) < 1):
        raise ConfigError(f"metric {name!r}: the cutoff must be a positive whole number.")
    return MetricSpec(f"{family}@{int(k)}" if k else family, metric, int(k) if k else None)


def higher_is_better(name: str) -> bool:
    return parse_metric(name).higher_is_better


def is_timing(name: str) -> bool:
    """Whether ``name`` is a timing (seconds); False for names no metric declares."""
    family = name.partition("@")[0]
    metric = registered().get(family)
    return metric is not None and metric.is_timing


def resolve(names, ks) -> list[MetricSpec]:
    """The metrics to compute. ``names`` None: every registered metric but those declared
    ``in_default=False`` (the beyond-accuracy ones, computed when named), families with a
    cutoff at every k of ``ks``. A family name without a cutoff (``"ndcg"``) also expands to
    every k. Timings are always included."""
    if names is None:
        names = [family for family, m in registered().items() if m.in_default]
    out: dict[str, MetricSpec] = {}
    for name in names:
        family = str(name).strip().lower()
        if "@" not in family and family in registered() and registered()[family].takes_k:
            for k in ks:
                spec = parse_metric(f"{family}@{k}")
                out[spec.name] = spec
        else:
            spec = parse_metric(str(name))
            out[spec.name] = spec
    for family, metric in registered().items():
        if metric.is_timing:
            out.setdefault(family, MetricSpec(family, metric, None))
    return list(out.values())
