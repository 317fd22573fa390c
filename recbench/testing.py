"""A conformance kit that every algorithm, built-in or plugin, can run in its own tests,
one pytest test per check (scikit-learn's ``parametrize_with_checks`` style), so the first
failure does not hide the rest::

    from recbench.testing import parametrize_with_checks

    @parametrize_with_checks([MyAlgorithm])
    def test_conforms(cls, check):
        check(cls)

or all at once, raising at the first failure: ``check_algorithm(MyAlgorithm)``.

The checks (:data:`CHECKS`): construction with defaults and ``get_params``; the declarations
(``needs_ratings``, ``predicts_ratings``, ``ranks_items``, ``uses_item_features``,
``folds_in``) are booleans; the defaults meet the declared parameter constraints and the
search space lies inside them; ``fit`` returns self and leaves its training frame as it was;
``score`` has the right shape and is finite, unknown users and items included; the same
``random_state`` gives identical scores; the fitted model pickles and scores the same after a
round trip; rating predictions (for ``predicts_ratings``) are finite and their RMSE on a small
fixture lies in ``rmse_range`` (default: better than predicting uniformly at random).
"""

from __future__ import annotations

import functools
import pickle

import numpy as np
import pandas as pd

from recbench.algorithms.params import accepts, allowed, check_space
from recbench.datasets.dataset import compact
from recbench.errors import ConfigError
from recbench.splitting.folds import part

GENRES = ["Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi"]


def fixture(n_users: int = 40, n_items: int = 50, seed: int = 0):
    """A small rating set with low-rank structure on 1-5, and item text tied to the taste
    factors; returns (train, test, items)."""
    g = np.random.default_rng(seed)
    item_genre = g.random((n_items, len(GENRES))) < 0.3
    taste = g.normal(size=(n_users, len(GENRES)))
    signal = taste @ item_genre.T / 1.5 + g.normal(0, 0.3, (n_users, n_items))
    mask = g.random((n_users, n_items)) < 0.5
    u, i = np.nonzero(mask)
    ratings = np.clip(np.round(3 + signal[u, i]), 1, 5)
    frame = pd.DataFrame({"user": [f"u{x}" for x in u], "item": [f"i{x}" for x in i],
                          "rating": ratings, "timestamp": pd.array(np.arange(len(u)), dtype="Int64")})
    test_mask = g.random(len(frame)) < 0.2
    items = pd.DataFrame({"title": [f"Movie {x}" for x in range(n_items)],
                          "genres": ["|".join(np.array(GENRES)[row]) for row in item_genre]},
                         index=pd.Index([f"i{x}" for x in range(n_items)], name="item"))
    items["text"] = items["title"] + " " + items["genres"].str.replace("|", " ")
    whole = compact(frame)          # stored and split as a run stores and splits a dataset
    return part(whole, ~test_mask), part(whole, test_mask), items


DECLARATIONS = ("needs_ratings", "predicts_ratings", "ranks_items", "uses_item_features",
                "folds_in")


def _fitted(cls, params):
    """A model fitted on the fixture with ``params`` (seeded when it takes a seed)."""
    params = _seeded(cls, params)
    train, test, items = fixture()
    return cls(**params).fit(train, items), params, (train, test, items)


def _seeded(cls, params):
    params = dict(params or {})
    if "random_state" in cls.param_names() and params.get("random_state") is None:
        params["random_state"] = 0
    return params


def _probe(train):
    users = np.r_[train["user"].unique()[:10], ["unknown-user"]]
    items = np.r_[train["item"].unique()[:20], ["unknown-item"]]
    return users, items


def check_get_params(cls, params=None, **_):
    """Construction with ``params`` (defaults otherwise) and ``get_params`` returning them."""
    params = dict(params or {})
    got = cls(**params).get_params()
    assert isinstance(got, dict), "get_params must return a dict"
    for key, value in params.items():
        assert got[key] == value, f"get_params()[{key!r}] does not return the given value"


def check_declarations(cls, params=None, **_):
    """What a model needs and can do is declared as booleans (validation reads them)."""
    for name in DECLARATIONS:
        assert isinstance(getattr(cls, name, None), bool), f"{cls.__name__}.{name} must be " \
            f"True or False (see recbench.algorithms.base)"


def check_constraints(cls, params=None, **_):
    """The defaults meet the declared constraints; the search space lies inside them."""
    constraints = getattr(cls, "param_constraints", None) or {}
    defaults = cls.default_params()
    for name, entries in constraints.items():
        assert name in defaults, f"param_constraints names {name!r}, which is not a parameter"
        assert any(accepts(e, defaults[name]) for e in entries), \
            f"the default {name}={defaults[name]!r} is not {allowed(entries)}"
    try:
        check_space(cls.__name__, cls, dict(getattr(cls, "search_space", None) or {}))
    except ConfigError as exc:
        raise AssertionError(str(exc)) from None


def check_fit_returns_self(cls, params=None, **_):
    params = _seeded(cls, params)
    train, _, items = fixture()
    algo = cls(**params)
    assert algo.fit(train, items) is algo, "fit must return self"


def check_fit_leaves_its_input(cls, params=None, **_):
    """``fit`` does not write into the frames it is given (other jobs may share them)."""
    params = _seeded(cls, params)
    train, _, items = fixture()
    before, items_before = train.copy(), items.copy()
    cls(**params).fit(train, items)
    assert train.equals(before), "fit changed the training frame it was given"
    assert items.equals(items_before), "fit changed the item frame it was given"


def check_scores(cls, params=None, **_):
    """``score`` has the right shape and is finite, unknown users and items included."""
    algo, _, (train, _, _) = _fitted(cls, params)
    users, items = _probe(train)
    scores = np.asarray(algo.score(users, items))
    assert scores.shape == (len(users), len(items)), f"score returned shape {scores.shape}"
    assert np.isfinite(scores).all(), "score must be finite, unknown users and items included"


def check_same_seed_same_scores(cls, params=None, **_):
    algo, params, data = _fitted(cls, params)
    twin = cls(**params).fit(data[0], data[2])
    users, items = _probe(data[0])
    assert np.array_equal(np.asarray(twin.score(users, items)), np.asarray(algo.score(users, items))), \
        "the same parameters and random_state must give identical scores"


def check_pickles(cls, params=None, **_):
    algo, _, (train, _, _) = _fitted(cls, params)
    users, items = _probe(train)
    copy = pickle.loads(pickle.dumps(algo))
    assert np.array_equal(np.asarray(copy.score(users, items)), np.asarray(algo.score(users, items))), \
        "a pickled and unpickled model must score the same"


def check_rating_predictions(cls, params=None, rmse_range=(0.0, 1.7), **_):
    """Finite predictions whose RMSE on the fixture lies in ``rmse_range`` (rating models)."""
    if not getattr(cls, "predicts_ratings", True):
        return
    algo, _, (_, test, _) = _fitted(cls, params)
    pred = np.clip(np.asarray(algo.predict(test["user"].to_numpy(), test["item"].to_numpy())), 1, 5)
    assert pred.shape == (len(test),) and np.isfinite(pred).all(), "predict must be finite"
    rmse = float(np.sqrt(np.mean((pred - test["rating"].to_numpy()) ** 2)))
    assert rmse_range[0] <= rmse <= rmse_range[1], \
        f"RMSE {rmse:.3f} on the fixture is outside {rmse_range}"


#: name -> check(cls, params=None, rmse_range=...)
CHECKS = {f.__name__.removeprefix("check_"): f for f in (
    check_get_params, check_declarations, check_constraints, check_fit_returns_self,
    check_fit_leaves_its_input, check_scores, check_same_seed_same_scores, check_pickles,
    check_rating_predictions)}


def check_algorithm(cls, params: dict | None = None, rmse_range: tuple[float, float] = (0.0, 1.7)):
    """Run every check on ``cls``; raises AssertionError naming the first failing check."""
    for name, check in CHECKS.items():
        try:
            check(cls, params, rmse_range=rmse_range)
        except AssertionError as exc:
            raise AssertionError(f"{cls.__name__} fails {name}: {exc}") from None
    return True


def parametrize_with_checks(classes, params: dict | None = None, rmse_range: dict | None = None):
    """A ``pytest.mark.parametrize`` over (class, check): one test id per algorithm and check,
    e.g. ``SVD-scores``. ``params`` and ``rmse_range`` map a class name to its own."""
    import pytest
    params, rmse_range = params or {}, rmse_range or {}
    cases = []
    for cls in classes:
        for name, check in CHECKS.items():
            bound = functools.partial(check, params=params.get(cls.__name__),
                                      **({"rmse_range": rmse_range[cls.__name__]}
                                         if cls.__name__ in rmse_range else {}))
            cases.append(pytest.param(cls, bound, id=f"{cls.__name__}-{name}"))
    return pytest.mark.parametrize("cls, check", cases)
