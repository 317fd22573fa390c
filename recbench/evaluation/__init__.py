"""Evaluation: protocol, per-fold jobs, aggregation, significance tests and comparisons."""

from recbench.evaluation.experiment import Experiment, Outcome, run_experiment

__all__ = ["Experiment", "Outcome", "run_experiment"]
