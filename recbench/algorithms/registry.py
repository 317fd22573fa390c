"""Finding algorithms: entry points of the group ``recbench.algorithms`` (the built-ins
register the same way), classes registered in this process with :func:`register`
(``recbench.register_algorithm``), and ``package.module:Class`` specs for classes not
installed."""

from __future__ import annotations

import importlib
import json
from importlib.metadata import entry_points

from recbench.algorithms.base import Algorithm
from recbench.errors import ConfigError

GROUP = "recbench.algorithms"


class AlgorithmUnavailable(Exception):
    """An algorithm that is registered or named but cannot be imported."""


_IN_PROCESS: dict[str, type] = {}


def registered() -> dict:
    """Name -> entry point (installed algorithms) or class (registered in this process; it
    wins over an entry point of the same name)."""
    return {ep.name.lower(): ep for ep in entry_points(group=GROUP)} | dict(_IN_PROCESS)


def register(cls: type, name: str | None = None, replace: bool = False) -> type:
    """Make ``cls`` available under ``name`` (default: its ``name`` attribute) in this
    process, like an installed plugin: ``recbench.run(data, ["mine"])``, experiment files and
    ``recbench list algorithms`` find it. Runs with ``n_jobs`` > 1 hand the class itself to
    their worker processes. Returns ``cls`` (usable as a class decorator)."""
    if not _is_algorithm_class(cls):
        raise ConfigError(f"register_algorithm takes an Algorithm class (with fit, score and "
                          f"get_params), not {cls!r}.")
    key = (name or getattr(cls, "name", "") or "").strip().lower()
    if not key or ":" in key or "," in key or key != key.strip():
        raise ConfigError(f"register_algorithm: {cls.__name__} needs a name without ':' or "
                          f"',' (give name=..., or set the class's name attribute).")
    if key in registered() and not replace and _IN_PROCESS.get(key) is not cls:
        raise ConfigError(f"an algorithm named {key!r} is registered already; pass "
                          f"replace=True to replace it, or choose another name.")
    _IN_PROCESS[key] = cls
    return cls


def registered_class(name: str) -> type | None:
    """The class registered in this process under ``name``, or None."""
    return _IN_PROCESS.get(str(name).strip().lower())


def unregister(name: str) -> None:
    """Forget an algorithm registered in this process (entry points stay)."""
    _IN_PROCESS.pop(name.strip().lower(), None)


def load_class(name: str) -> type:
    """The class for a registered name or a ``module:Class`` spec."""
    try:
        if ":" in name:
            cls = _from_spec(name)
        else:
            eps = registered()
            if name.lower() not in eps:
                known = ", ".join(sorted(eps))
                raise ConfigError(f"unknown algorithm {name!r}; installed: {known} "
                                  f"(or give package.module:Class).")
            entry = eps[name.lower()]
            cls = entry if isinstance(entry, type) else entry.load()
    except ConfigError:
        raise
    except Exception as exc:  # a broken plugin must not take the run down
        raise AlgorithmUnavailable(f"{name}: {type(exc).__name__}: {exc}") from exc
    if not _is_algorithm_class(cls):
        raise AlgorithmUnavailable(f"{name}: {cls!r} is not a recbench Algorithm "
                                   f"(it needs fit, score and get_params).")
    return cls


def _from_spec(name: str):
    """The object a ``module:Class`` spec names. A spec that cannot name anything - an empty
    part, a module that does not exist, a missing attribute, an object that is no algorithm -
    is the user's error (ConfigError); a module that exists but fails on import (e.g. a
    dependency of the plugin is missing) makes the algorithm unavailable, as an entry point."""
    module, _, attr = name.partition(":")
    module, attr = module.strip(), attr.strip()
    if not module or not attr or ":" in attr:
        raise ConfigError(f"algorithm {name!r} is malformed; write package.module:Class, e.g. "
                          f"my_algorithms:MyRecommender.")
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise ConfigError(f"algorithm {name!r}: no module named {exc.name!r} can be "
                              f"imported; check the spelling, or put its folder on PYTHONPATH "
                              f"(run from the folder that holds it).") from None
        raise
    if not hasattr(mod, attr):
        raise ConfigError(f"algorithm {name!r}: module {module!r} has no {attr!r}; check the "
                          f"class name.")
    cls = getattr(mod, attr)
    if not _is_algorithm_class(cls):
        raise ConfigError(f"algorithm {name!r}: {attr} is not a recbench Algorithm (it needs "
                          f"fit, score and get_params; subclass recbench.Algorithm).")
    return cls


def _is_algorithm_class(cls) -> bool:
    """A recbench Algorithm subclass, or a class with fit, score and get_params."""
    return isinstance(cls, type) and (issubclass(cls, Algorithm) or all(
        hasattr(cls, m) for m in ("fit", "score", "get_params")))


def create(name: str, params: dict | None = None):
    """Instantiate ``name`` with ``params``, rejecting unknown parameter names."""
    cls = load_class(name)
    params = dict(params or {})
    valid = cls.param_names() if hasattr(cls, "param_names") else list(params)
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ConfigError(f"{name} has no parameter {unknown[0]!r}; its parameters are: "
                          f"{', '.join(valid) or 'none'}.")
    return cls(**params)


def parse_param(text: str) -> tuple[str, str, object]:
    """``svd.n_factors=50`` -> ("svd", "n_factors", 50). Values are JSON literals or strings;
    nothing is evaluated as code."""
    key, sep, raw = text.partition("=")
    algo, dot, param = key.partition(".")
    if not sep or not dot or not algo or not param:
        raise ConfigError(f"--param {text!r} is malformed; write ALGORITHM.PARAMETER=VALUE, "
                          f"e.g. --param svd.n_factors=50.")
    return algo.strip().lower(), param.strip(), parse_value(raw.strip())


def parse_value(raw: str):
    lowered = raw.lower()
    if lowered in {"true", "false"}:
        return lowered == "true"
    if lowered in {"none", "null"}:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw
