"""The split spec: the one owner of a run's split and its options.

``SplitSpec("user", {"leave_out": 1})`` is validated once, against the dataset, before any
work (:meth:`SplitSpec.check`): the split exists (a registered split or the dataset's own
folds), every option is one that split takes, every value passes its option's check, and a
split by time has timestamps. The command line, ``recbench.run`` and experiment files all
hand their raw values here; the manifest, the job key and run comparisons read
:meth:`SplitSpec.describe`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import recbench.splitting.predefined as predefined_mod
from recbench.datasets import Dataset
from recbench.errors import ConfigError
from recbench.splitting.folds import Fold, check_timestamps
from recbench.splitting.registry import options, splitters, users_of


@dataclass(frozen=True)
class SplitSpec:
    """A split by name with the options given for it (None values are left out)."""

    name: str = "kfold"
    options: dict = field(default_factory=dict)

    @classmethod
    def of(cls, name=None, **given) -> "SplitSpec":
        unknown = sorted(set(given) - set(options()))
        if unknown:
            raise ConfigError(f"split option {unknown[0]!r} is unknown; the split options are: "
                              f"{', '.join(options())}.")
        return cls(name or "kfold", {k: v for k, v in given.items() if v is not None})

    def check(self, dataset: Dataset) -> None:
        """Raise a ConfigError for an unknown split, an option it does not take, a bad value
        or missing timestamps; before any work."""
        if not isinstance(self.name, str):
            raise ConfigError(f"--split {self.name!r} must be a split name.")
        own = predefined_mod.folds_of(dataset, self.name)
        registered = splitters()
        if own is None and self.name not in registered:
            raise ConfigError(f"unknown --split {self.name!r} for {dataset.name}; use one of "
                              f"{', '.join(names(dataset))}.")
        uses = () if own is not None else registered[self.name].options
        for key, value in self.options.items():
            if key not in uses:
                where = ", ".join(users_of(key)) or "no split"
                raise ConfigError(f"{options()[key].flag} does not apply to --split "
                                  f"{self.name}; leave it out (it applies to: {where}).")
            options()[key].validate(value, len(dataset.ratings))
        if own is None and registered[self.name].needs_timestamps:
            check_timestamps(dataset.ratings, self.name)

    def folds(self, dataset: Dataset, rng: np.random.Generator) -> list[Fold]:
        """The folds, from the run's split generator ``rng``."""
        self.check(dataset)
        own = predefined_mod.folds_of(dataset, self.name)
        if own is not None:
            return predefined_mod.predefined(dataset, own)
        splitter = splitters()[self.name]
        return splitter.make(dataset.ratings, rng, **(splitter.defaults | self.options))

    def describe(self) -> dict:
        """What the record and the job key say about the split."""
        return {"split": self.name, "split_options": dict(sorted(self.options.items()))}


def names(dataset: Dataset) -> list[str]:
    """Every split ``dataset`` can be run with."""
    return [*splitters(), *predefined_mod.names(dataset)]


def descriptions() -> dict[str, str]:
    """Split name -> description (``recbench list``, ``--help``)."""
    return {name: s.description for name, s in splitters().items()} | {
        "<predefined>": "a dataset's own folds, e.g. ml-100k's u1..u5, ua, ub, or u1-u5 for all five"}
