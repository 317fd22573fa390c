"""One experiment: a dataset, a split, some algorithms -> result records and per-user values.

``validate`` checks every setting before any work starts; ``run_experiment`` then makes the
folds once and runs every (algorithm, fold) job through the execution seam."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from recbench.algorithms.registry import AlgorithmUnavailable, load_class, registered
from recbench.algorithms.spec import AlgorithmSpec, spec_class
from recbench.algorithms.spec import validate as validate_algorithm
from recbench.datasets import Dataset
from recbench.errors import ConfigError
from recbench.evaluation.beyond import check_item_features
from recbench.evaluation.protocol import Protocol, Relevance, default_threshold
from recbench.evaluation.recommendations import check_list_length
from recbench.metrics import check_cutoffs, resolve
from recbench.metrics.exposure import HEAD_SHARE
from recbench.random import check_seed
from recbench.runtime.execution import Execution
from recbench.runtime.memory import require_memory
from recbench.splitting import SplitSpec
from recbench.statistics.groups import check_groups, parse_groups
from recbench.tuning.settings import check_tuning


@dataclass
class Experiment:
    dataset: Dataset
    algorithms: list[AlgorithmSpec]
    splitting: SplitSpec = field(default_factory=SplitSpec)
    ks: tuple[int, ...] = (10,)
    threshold: float | None = None
    seed: int = 0
    metrics: list[str] | None = None          # None: every registered metric
    execution: Execution = field(default_factory=Execution)
    save_recommendations: int | None = None   # keep each user's top K list (None: none)
    tuning: object = None                     # a recbench.tuning.Tuning (None: no tuning)
    groups: object = None                     # a recbench.statistics.groups spec ("activity:3")
    head_share: float = HEAD_SHARE            # the long tail's head: this share of interactions
    _specs: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def split(self) -> str:
        """The split's name (its options: ``splitting.options``)."""
        return self.splitting.name

    @property
    def relevance_threshold(self) -> float:
        """On interaction data 1 (every ``rating`` is 1: every held-out interaction is
        relevant); on ratings the threshold given, else the scale's default."""
        if self.dataset.interactions:
            return 1.0
        return self.threshold if self.threshold is not None else \
            default_threshold(self.dataset.rating_scale)

    @property
    def protocol(self) -> Protocol:
        """The rules every job of this experiment evaluates under."""
        feedback = "interactions" if self.dataset.interactions else "ratings"
        return Protocol(Relevance(self.relevance_threshold, feedback,
                                  float(self.dataset.rating_scale[0])),
                        rating_scale=tuple(self.dataset.rating_scale),
                        head_share=float(self.head_share))

    def metric_specs(self) -> tuple:
        """The metrics to compute, parsed once (again only when ``metrics`` or ``ks`` change);
        on interaction data no rating metric (RMSE, MAE: there are no ratings to predict)."""
        key = (None if self.metrics is None else tuple(self.metrics), tuple(self.ks),
               self.dataset.interactions)
        if self._specs is None or self._specs[0] != key:
            specs = resolve(self.metrics, self.ks)
            if self.dataset.interactions:
                specs = [s for s in specs if s.metric.kind != "rating"]
            self._specs = (key, tuple(specs))
        return self._specs[1]

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
    exp.ks = check_cutoffs(exp.ks)
    check_list_length(exp.save_recommendations)
    exp.splitting.check(exp.dataset)
    lo, hi = exp.dataset.rating_scale
    if exp.dataset.interactions:
        check_interaction_run(exp)
    elif exp.threshold is not None and not (isinstance(exp.threshold, (int, float)) and
                                            math.isfinite(exp.threshold) and
                                            lo <= exp.threshold <= hi):
        raise ConfigError(f"--relevance-threshold {exp.threshold!r} is outside the rating scale "
                          f"[{lo:g}, {hi:g}]; give a value inside it, e.g. {hi - (hi - lo) / 4:g} "
                          f"({lo:g}, the scale's minimum, makes every held-out rating relevant).")
    check_item_features(exp.metric_specs(), exp.dataset.items,   # unknown names fail here
                        exp.dataset.name)
    h = exp.head_share
    if isinstance(h, bool) or not isinstance(h, (int, float)) or not (0 < h < 1):
        raise ConfigError(f"--head-share {h!r} is invalid; give the long tail's head as a share "
                          f"of the training interactions strictly between 0 and 1, e.g. 0.2.")
    exp.groups = parse_groups(exp.groups, exp.dataset)
    check_groups(exp.groups, exp.dataset.ratings)
    if exp.tuning is not None:                  # objective, budget, search spaces
        check_tuning(exp)
    unavailable = {}
    for spec in exp.algorithms:
        reason = validate_algorithm(spec)
        if reason is not None:
            unavailable[spec.label] = reason
    check_memory(exp)
    return unavailable


def check_interaction_run(exp: Experiment) -> None:
    """On interaction data: no relevance threshold (every held-out interaction is relevant),
    no rating metric asked for by name, and no model that learns from rating values
    (``needs_ratings``), all refused before any fold is fitted."""
    name = exp.dataset.name
    if exp.threshold is not None:
        raise ConfigError(f"--relevance-threshold {exp.threshold!r} means nothing on {name}, "
                          f"which holds interactions (every held-out interaction is relevant); "
                          f"leave it out.")
    rating = [m for m in resolve(exp.metrics, exp.ks) if m.metric.kind == "rating"]
    if exp.metrics is not None and rating:
        raise ConfigError(f"{rating[0].name} cannot be computed on {name}, which holds "
                          f"interactions, not ratings; ask for ranking metrics only (e.g. "
                          f"--metrics precision,ndcg).")
    refused, fit = [], []
    for spec in exp.algorithms:
        cls = spec_class(spec)
        (refused if cls is not None and getattr(cls, "needs_ratings", True) else fit).append(
            spec.label)
    if refused:
        models = interaction_models()
        binarised = any(st.get("step") == "positive_threshold" for st in exp.dataset.preprocessing)
        how = "binarised by --positive-threshold" if binarised else "no ratings"
        raise ConfigError(f"{', '.join(refused)} learn{'s' if len(refused) == 1 else ''} from "
                          f"ratings, and {name} holds interactions ({how}); drop "
                          f"{'it' if len(refused) == 1 else 'them'}: the models that fit "
                          f"interaction data are: {', '.join(models)}.")


def interaction_models() -> list[str]:
    """The registered algorithms that do not need ratings (they fit interaction data)."""
    out = []
    for name in sorted(registered()):
        try:
            cls = load_class(name)
        except (AlgorithmUnavailable, ConfigError):
            continue
        if not getattr(cls, "needs_ratings", True):
            out.append(name)
    return out


def check_memory(exp: Experiment) -> None:
    """Refuse, before any fold, an algorithm whose predictable memory (users x users or
    items x items state, estimated on the whole dataset) exceeds the memory budget."""
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
