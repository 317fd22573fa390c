"""What a run is asked to evaluate: :class:`AlgorithmSpec`, from any of the forms users give.

``resolve_algorithms`` accepts, in one list: registered names (``"svd"``), ``module:Class``
specs, ``(label, name, params)`` tuples, ``AlgorithmSpec`` values and ``Algorithm``
instances (cloned for every fold). ``validate`` checks each before any work starts: the class
can be found, the parameter names exist, the values meet the declared constraints.
``build`` makes the fresh instance a job fits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from recbench.algorithms.base import _is_algorithm, clone
from recbench.algorithms.params import check_params
from recbench.algorithms.registry import (
    AlgorithmUnavailable,
    create,
    load_class,
    registered_class,
)
from recbench.errors import ConfigError


@dataclass(frozen=True)
class AlgorithmSpec:
    label: str                       # lower-case name used in results, e.g. "svd"
    name: str                        # registry name or module:Class
    params: dict = field(default_factory=dict)
    instance: object = None          # an Algorithm given as a value, cloned per job
    cls: type | None = None          # the class, when it was registered in this process


def label_of(algo) -> str:
    return (getattr(algo, "name", "") or type(algo).__name__).lower()


def _spec_of(item) -> AlgorithmSpec:
    if isinstance(item, AlgorithmSpec):
        return item
    if isinstance(item, str):
        if not item.strip():
            raise ConfigError("an algorithm name is empty; name one such as 'svd'.")
        name = item.strip()
        label = name.rsplit(":", 1)[-1].lower() if ":" in name else name.lower()
        return AlgorithmSpec(label, name if ":" in name else name.lower(), {},
                             cls=registered_class(name))
    if isinstance(item, tuple) and len(item) == 3:
        label, name, params = item
        if not isinstance(label, str) or not isinstance(name, str) or not isinstance(params, dict):
            raise ConfigError(f"algorithm {item!r}: a spec tuple is (label, name, params dict).")
        return AlgorithmSpec(label.lower(), name if ":" in name else name.lower(), dict(params),
                             cls=registered_class(name))
    if _is_algorithm(item) and not isinstance(item, type):
        cls = type(item)
        return AlgorithmSpec(label_of(item), f"{cls.__module__}:{cls.__qualname__}",
                             item.get_params(), instance=item)
    raise ConfigError(f"algorithm {item!r} is not a name, a (label, name, params) tuple or an "
                      f"Algorithm instance.")


def resolve_algorithms(items) -> list[AlgorithmSpec]:
    """Specs for ``items`` (see the module docstring); labels must be unique."""
    if isinstance(items, (str, AlgorithmSpec)) or _is_algorithm(items):
        items = [items]
    specs = [_spec_of(item) for item in items]
    if not specs:
        raise ConfigError("no algorithms given; name at least one, e.g. 'svd'.")
    seen = set()
    for s in specs:
        if s.label in seen:
            raise ConfigError(f"two algorithms share the label {s.label!r}; give one a label of "
                              f"its own, e.g. ('{s.label}-2', '{s.name}', {{...}}).")
        seen.add(s.label)
    return specs


def spec_class(spec: AlgorithmSpec) -> type | None:
    """The class a spec runs: its instance's type, else its registered or ``module:Class``
    class; None when that cannot be imported (an unavailable algorithm)."""
    if spec.instance is not None:
        return type(spec.instance)
    if spec.cls is not None:
        return spec.cls
    try:
        return load_class(spec.name)
    except AlgorithmUnavailable:
        return None


def validate(spec: AlgorithmSpec) -> str | None:
    """Raise ConfigError for an unknown algorithm, parameter or bad value; return a reason
    when the algorithm cannot be imported (the run reports it as unavailable)."""
    if spec.instance is not None:
        cls = type(spec.instance)
    else:
        try:
            cls = spec.cls or load_class(spec.name)
        except AlgorithmUnavailable as exc:
            return str(exc)
        valid = cls.param_names() if hasattr(cls, "param_names") else list(spec.params)
        unknown = sorted(set(spec.params) - set(valid))
        if unknown:
            raise ConfigError(f"{spec.label}: {spec.name} has no parameter {unknown[0]!r}; its "
                              f"parameters are: {', '.join(valid) or 'none'}.")
    check_params(spec.label, cls, spec.params)
    return None


def build(spec: AlgorithmSpec):
    """A fresh, unfitted instance for one job."""
    if spec.instance is not None:
        return clone(spec.instance)
    if spec.cls is not None:
        return spec.cls(**spec.params)
    return create(spec.name, spec.params)


def describe_params(params: dict) -> dict:
    """Parameters as the run record stores them: algorithm values become
    ``{"algorithm": name, "params": {...}}``."""
    def one(v):
        if _is_algorithm(v):
            return {"algorithm": label_of(v), "class": f"{type(v).__module__}:{type(v).__qualname__}",
                    "params": describe_params(v.get_params())}
        if isinstance(v, (list, tuple)):
            return [one(x) for x in v]
        if isinstance(v, dict):
            return {str(k): one(x) for k, x in v.items()}
        return v
    return {k: one(v) for k, v in params.items()}
