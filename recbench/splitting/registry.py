"""The split registry: every random split (``--split NAME``) and every option a split takes.

A split is a :class:`Splitter` - a name, a description, the options it uses and a function
``make(ratings, rng, **options) -> list[Fold]`` - registered with :func:`register`; an option
is a :class:`SplitOption` - its name (``leave_out``: the API keyword, the experiment-file key
and, as ``--leave-out``, the command-line flag), its type, its default and its check -
registered with :func:`register_option`. The command line, ``recbench.run`` and experiment
files offer every registered option, and the split spec (:mod:`recbench.splitting.spec`)
validates them, so a new split touches its module, its registration and its test.
A dataset's own folds (ml-100k's ``u1`` ...) are not splitters: they belong to the dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from recbench.errors import ConfigError


@dataclass(frozen=True)
class SplitOption:
    """``check(value, n_ratings)`` returns a complaint (the end of a sentence that starts
    with the option and its value) or None."""

    name: str
    kind: type                      # int or float
    help: str
    check: Callable[[object, int], str | None]

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def validate(self, value, n_ratings: int) -> None:
        number = (isinstance(value, int) if self.kind is int else isinstance(value, (int, float)))
        problem = ("is not a whole number" if self.kind is int else "is not a number") \
            if isinstance(value, bool) or not number else self.check(value, n_ratings)
        if problem:
            raise ConfigError(f"{self.flag} {value!r} {problem}.")


@dataclass(frozen=True)
class Splitter:
    name: str
    description: str
    make: Callable                  # make(ratings, rng, **options) -> list[Fold]
    options: tuple[str, ...] = ()   # names of registered options
    defaults: dict = field(default_factory=dict)
    needs_timestamps: bool = False


_SPLITTERS: dict[str, Splitter] = {}
_OPTIONS: dict[str, SplitOption] = {}


def register_option(option: SplitOption) -> SplitOption:
    """Add a split option (the same definition may be registered again)."""
    known = _OPTIONS.get(option.name)
    if known is not None and known != option:
        raise ValueError(f"split option {option.name!r} is registered already, differently")
    _OPTIONS[option.name] = option
    return option


def register(splitter: Splitter) -> Splitter:
    """Add a split; each of its options must be registered."""
    missing = [o for o in splitter.options if o not in _OPTIONS]
    if missing:
        raise ValueError(f"split {splitter.name!r} uses unregistered options {missing}")
    _SPLITTERS[splitter.name] = splitter
    return splitter


def splitters() -> dict[str, Splitter]:
    return dict(_SPLITTERS)


def options() -> dict[str, SplitOption]:
    return dict(_OPTIONS)


def users_of(option: str) -> list[str]:
    """The splits that take ``option``."""
    return [s.name for s in _SPLITTERS.values() if option in s.options]
