"""Evaluation: protocol, per-fold jobs, aggregation and significance tests."""

from recbench.evaluation.experiment import Experiment, Outcome, run_experiment
from recbench.evaluation.runner import AlgorithmSpec

__all__ = ["AlgorithmSpec", "Experiment", "Outcome", "run_experiment"]
