"""The algorithm contract.

An algorithm follows scikit-learn's parameter rules: ``__init__`` only stores its keyword
arguments, ``get_params`` returns them, ``fit`` returns ``self`` and learned state ends in
``_``. It never reads files and never prints.

* ``fit(train, items)``: ``train`` is a ratings frame (``user``, ``item``, ``rating``,
  ``timestamp``; ids are strings); ``items`` is the item metadata frame (index = item id,
  ``title``, ``genres``, ``text``) or None.
* ``score(users, items)``: a ``(len(users), len(items))`` float array of raw, unclipped
  scores; higher means more recommended. Unknown users and items get a finite score.
* ``predict(users, items)``: pairwise rating predictions (``len(users) == len(items)``),
  unclipped; the evaluator clips them to the rating scale.

Declarations (class attributes, scikit-learn's estimator tags) say what a model needs and
can do; validation and the evaluator read them, never a list of names:

* ``needs_ratings``: it learns from rating values (the Surprise family, the MLPs, the rating
  hybrids); False for models of interaction data (popularity, the top-N models), which
  read only which (user, item) pairs occurred;
* ``predicts_ratings``: it predicts ratings (RMSE/MAE are computed);
* ``ranks_items``: its scores rank items (the ranking metrics are computed);
* ``uses_item_features``: it reads ``items`` (titles, genres, text);
* ``folds_in``: it can score users unseen in training from a history it is given, without
  refitting (the held-out-users scenario).
"""

from __future__ import annotations

import copy
import inspect
from typing import ClassVar

import numpy as np
import pandas as pd


class Algorithm:
    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    needs_ratings: ClassVar[bool] = True
    predicts_ratings: ClassVar[bool] = True
    ranks_items: ClassVar[bool] = True
    uses_item_features: ClassVar[bool] = False
    folds_in: ClassVar[bool] = False
    #: rows of the user x item block scored at once by the default ``predict``
    block_size: ClassVar[int] = 2_000_000

    @classmethod
    def param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        return [p.name for p in sig.parameters.values() if p.name != "self" and p.kind in kinds]

    @classmethod
    def default_params(cls) -> dict:
        sig = inspect.signature(cls.__init__)
        return {n: sig.parameters[n].default for n in cls.param_names()}

    @classmethod
    def memory_needed(cls, params: dict, n_users: int, n_items: int):
        """``(bytes, what, alternative)`` when the model's memory is predictable from the
        data's size (users x users or items x items state), else None. recbench checks it
        against the memory budget before the first fold is fitted."""
        return None

    def get_params(self, deep: bool = False) -> dict:
        """Parameters by name. ``deep``: also those of parameters that are algorithms
        (``name__param``) or lists of algorithms (``name__<position>__param``)."""
        out = {n: getattr(self, n) for n in self.param_names()}
        if deep:
            for name, value in list(out.items()):
                for prefix, sub in _nested(name, value):
                    out.update({f"{prefix}__{k}": v for k, v in sub.get_params(deep=True).items()})
        return out

    def set_params(self, **params) -> "Algorithm":
        nested: dict = {}
        for key, value in params.items():
            head, sep, rest = key.partition("__")
            if head not in self.param_names():
                raise ValueError(f"{type(self).__name__} has no parameter {head!r}")
            if sep:
                nested.setdefault(head, {})[rest] = value
            else:
                setattr(self, key, value)
        for head, sub in nested.items():
            value = getattr(self, head)
            for key, v in sub.items():
                if isinstance(value, (list, tuple)):
                    pos, _, rest = key.partition("__")
                    value[int(pos)].set_params(**{rest: v})
                else:
                    value.set_params(**{key: v})
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def fit(self, train: pd.DataFrame, items: pd.DataFrame | None = None) -> "Algorithm":
        raise NotImplementedError

    def score(self, users, items) -> np.ndarray:
        raise NotImplementedError

    def predict(self, users, items) -> np.ndarray:
        """Pairwise predictions, by default gathered from ``score`` over user blocks."""
        return pair_scores(self, users, items)


def _nested(name, value):
    if _is_algorithm(value):
        yield name, value
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            if _is_algorithm(v):
                yield f"{name}__{i}", v


def _is_algorithm(value) -> bool:
    return not isinstance(value, type) and all(hasattr(value, m) for m in ("fit", "score", "get_params"))


def clone(algo):
    """A new, unfitted algorithm with the same parameters (scikit-learn's ``clone`` rules:
    parameters that are algorithms are cloned in turn, others deep-copied)."""
    return type(algo)(**{k: _clone_value(v) for k, v in algo.get_params(deep=False).items()})


def _clone_value(value):
    if _is_algorithm(value):
        return clone(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_clone_value(v) for v in value)
    return copy.deepcopy(value)


def fit_on(algo, train: pd.DataFrame, items: pd.DataFrame | None = None):
    """``algo.fit`` on private copies of ``train`` and ``items``: whatever a fit writes into
    the frames it is given (``train["rating"] = 5.0``) stays with that fit, so one algorithm
    can never change the data of the next job, trial or fold. Returns what ``fit`` returns."""
    return algo.fit(train.copy(deep=True), None if items is None else items.copy(deep=True))


def pair_scores(algo, users, items, block_size: int = Algorithm.block_size, score=None) -> np.ndarray:
    """``algo.score`` (or the given ``score`` function) at the pairs (users[n], items[n]),
    computed over blocks of unique users against the unique items."""
    score = score or algo.score
    users, items = np.asarray(users), np.asarray(items)
    uu, uinv = np.unique(users, return_inverse=True)
    ii, iinv = np.unique(items, return_inverse=True)
    out = np.empty(len(users), dtype=float)
    step = max(1, block_size // max(1, len(ii)))
    for start in range(0, len(uu), step):
        block = score(uu[start:start + step], ii)
        sel = (uinv >= start) & (uinv < start + step)
        out[sel] = block[uinv[sel] - start, iinv[sel]]
    return out


def positions(index: pd.Index, ids) -> np.ndarray:
    """Positions of ``ids`` in ``index``; -1 for ids the index does not hold."""
    return index.get_indexer(pd.Index(np.asarray(ids, dtype=object)))
