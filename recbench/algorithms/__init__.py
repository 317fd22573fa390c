"""Algorithms: the contract (:class:`Algorithm`), adapters, baselines and the registry."""

from recbench.algorithms.base import Algorithm, clone
from recbench.algorithms.registry import (
                                         AlgorithmUnavailable,
                                         create,
                                         load_class,
                                         register,
                                         registered,
                                         unregister,
)
from recbench.algorithms.spec import AlgorithmSpec, resolve_algorithms

__all__ = ["Algorithm", "AlgorithmSpec", "AlgorithmUnavailable", "clone", "create", "load_class",
           "register", "registered", "resolve_algorithms", "unregister"]
