"""Algorithms: the contract (:class:`Algorithm`), adapters, baselines and the registry."""

from recbench.algorithms.base import Algorithm
from recbench.algorithms.registry import AlgorithmUnavailable, create, load_class, registered

__all__ = ["Algorithm", "AlgorithmUnavailable", "create", "load_class", "registered"]
