"""One experiment: a dataset, a split, some algorithms -> result records and per-user values.

``validate`` checks every setting before any work starts; ``run_experiment`` then makes the
folds once and runs every (algorithm, fold) job through the execution seam."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from recbench.algorithms.spec import AlgorithmSpec
from recbench.algorithms.spec import validate as validate_algorithm
from recbench.datasets import Dataset
from recbench.errors import ConfigError
from recbench.evaluation import protocol as protocol_mod
from recbench.evaluation.recommendations import check_list_length
from recbench.metrics import resolve
from recbench.random import check_seed
from recbench.runtime.execution import Execution
from recbench.splitting import check_split


@dataclass
class Experiment:
    dataset: Dataset
    algorithms: list[AlgorithmSpec]
    split: str = "kfold"
    n_folds: int | None = None
    test_size: float | None = None
    leave_out: int | None = None
    ks: tuple[int, ...] = (10,)
    threshold: float | None = None
    seed: int = 0
    metrics: list[str] | None = None          # None: every registered metric
    execution: Execution = field(default_factory=Execution)
    save_recommendations: int | None = None   # keep each user's top K list (None: none)
    tuning: object = None                     # a recbench.tuning.Tuning (None: no tuning)

    @property
    def relevance_threshold(self) -> float:
        return self.threshold if self.threshold is not None else \
            protocol_mod.default_threshold(self.dataset.rating_scale)

    def metric_specs(self):
        return resolve(self.metrics, self.ks)

    @property
    def cutoffs(self) -> tuple[int, ...]:
        """The cutoffs of the run: ``ks`` plus any cutoff named in ``metrics``."""
        return tuple(sorted(set(self.ks) | {s.k for s in self.metric_specs() if s.k}))


def validate(exp: Experiment) -> dict[str, str]:
    """Raise ConfigError for the first invalid setting; returns unavailable algorithms
    (label -> reason), which the run reports instead of running."""
    check_seed(exp.seed)
    if len(exp.dataset.ratings) < 2:
        raise ConfigError(f"{exp.dataset.name} holds {len(exp.dataset.ratings)} rating; a split "
                          f"into training and test parts needs at least 2.")
    if not exp.ks or any(isinstance(k, bool) or not isinstance(k, int) or k < 1 for k in exp.ks):
        raise ConfigError(f"k {list(exp.ks)!r} is invalid; cutoffs are positive whole numbers.")
    check_list_length(exp.save_recommendations)
    check_split(exp.dataset, exp.split, exp.n_folds, exp.test_size, exp.leave_out)
    if exp.n_folds is not None and (isinstance(exp.n_folds, bool) or not isinstance(exp.n_folds, int)
                                    or not 2 <= exp.n_folds <= len(exp.dataset.ratings)):
        raise ConfigError(f"--folds {exp.n_folds!r} is invalid; use a whole number from 2 to "
                          f"the number of ratings ({len(exp.dataset.ratings)}).")
    if exp.leave_out is not None and (isinstance(exp.leave_out, bool) or
                                      not isinstance(exp.leave_out, int) or exp.leave_out < 1):
        raise ConfigError(f"--leave-out {exp.leave_out!r} is invalid; give a whole number of "
                          f"ratings per user, at least 1.")
    if exp.test_size is not None and (isinstance(exp.test_size, bool) or
                                      not isinstance(exp.test_size, (int, float)) or
                                      not 0 < exp.test_size < 1):
        raise ConfigError(f"--test-size {exp.test_size!r} is invalid; give a share between 0 "
                          f"and 1, e.g. 0.2.")
    lo, hi = exp.dataset.rating_scale
    if exp.threshold is not None and not (isinstance(exp.threshold, (int, float)) and
                                          math.isfinite(exp.threshold) and lo < exp.threshold <= hi):
        raise ConfigError(f"--relevance-threshold {exp.threshold!r} is outside the rating scale "
                          f"({lo:g}, {hi:g}]; give a value inside it, e.g. {hi - (hi - lo) / 4:g}.")
    exp.metric_specs()                          # unknown metric names fail here
    if exp.tuning is not None:                  # objective, budget, search spaces
        from recbench.tuning.settings import check_tuning
        check_tuning(exp)
    unavailable = {}
    for spec in exp.algorithms:
        reason = validate_algorithm(spec)
        if reason is not None:
            unavailable[spec.label] = reason
    check_memory(exp)
    return unavailable


def check_memory(exp: Experiment) -> None:
    """Refuse, before any fold, an algorithm whose predictable memory (users x users or
    items x items state, estimated on the whole dataset) exceeds the memory budget."""
    from recbench.algorithms.spec import spec_class
    from recbench.runtime.memory import require_memory
    n_users = exp.dataset.ratings["user"].nunique()
    n_items = exp.dataset.ratings["item"].nunique()
    for spec in exp.algorithms:
        cls = spec_class(spec)
        if cls is None:
            continue
        estimate = getattr(cls, "memory_needed", None)
        need = estimate(spec.params, n_users, n_items) if estimate else None
        if need is not None:
            require_memory(spec.label, *need)
