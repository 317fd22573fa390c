"""``--algorithms`` and ``--param`` of `recbench run`: the algorithm specs they name."""

from __future__ import annotations

import dataclasses

from recbench.algorithms.registry import parse_param
from recbench.algorithms.spec import AlgorithmSpec, resolve_algorithms
from recbench.errors import ConfigError


def algorithm_list(args, from_file):
    """The command line's --algorithms (default svd,knnwithmeans unless an experiment file
    names them), with every --param applied."""
    if args.algorithms or not from_file:
        names = [n.strip() for n in (args.algorithms or "svd,knnwithmeans").split(",") if n.strip()]
        if not names:
            raise ConfigError("--algorithms is empty; name at least one, e.g. --algorithms svd.")
        specs = [resolve_algorithms([n])[0] for n in names]
        _each_once(specs, names)
    else:
        specs = from_file
    return with_params(specs, args.param)


def _each_once(specs: list[AlgorithmSpec], names: list[str]) -> None:
    """Two names of --algorithms with one label (names ignore case; module:Class is
    labelled by its class) cannot both be in the table."""
    seen: dict[str, str] = {}
    for spec, name in zip(specs, names):
        if spec.label in seen:
            raise ConfigError(f"--algorithms names {spec.label} twice ({seen[spec.label]}, "
                              f"{name}; names ignore case); give each algorithm once, and to run "
                              f"a copy with other parameters use an experiment file with "
                              f"[algorithms.{spec.label}-2] and algorithm = \"{spec.name}\".")
        seen[spec.label] = name


def with_params(specs: list[AlgorithmSpec], params: list[str]) -> list[AlgorithmSpec]:
    """``--param ALGO.NAME=VALUE`` on top of the parameters of an experiment file."""
    by_label = {s.label: dict(s.params) for s in specs}
    for text in params or []:
        algo, key, value = parse_param(text)
        if algo not in by_label:
            raise ConfigError(f"--param {text!r} names {algo!r}, which is not among the "
                              f"algorithms of this run ({', '.join(by_label)}).")
        by_label[algo][key] = value
    return [dataclasses.replace(s, params=by_label[s.label]) for s in specs]

