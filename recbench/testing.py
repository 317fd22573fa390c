"""A conformance kit that every algorithm, built-in or plugin, can run in its own tests:

    from recbench.testing import check_algorithm
    check_algorithm(MyAlgorithm)

It checks: construction with defaults and ``get_params``; ``fit`` returns self; ``score``
has the right shape and is finite, unknown users and items included; the same
``random_state`` gives identical scores; the fitted model pickles and scores the same after
a round trip; rating predictions (for ``predicts_ratings``) are finite and their RMSE on a
small fixture lies in ``rmse_range`` (default: better than predicting uniformly at random).
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd

from recbench.datasets.dataset import compact
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


def check_algorithm(cls, params: dict | None = None, rmse_range: tuple[float, float] = (0.0, 1.7)):
    """Run every check on ``cls``; raises AssertionError naming the first failing check."""
    params = dict(params or {})
    train, test, items = fixture()
    algo = cls(**params)
    got = algo.get_params()
    assert isinstance(got, dict), "get_params must return a dict"
    for key, value in params.items():
        assert got[key] == value, f"get_params()[{key!r}] does not return the given value"
    if "random_state" in got and got["random_state"] is None:
        params["random_state"] = 0
        algo = cls(**params)
    assert algo.fit(train, items) is algo, "fit must return self"

    users = np.r_[train["user"].unique()[:10], ["unknown-user"]]
    cand = np.r_[train["item"].unique()[:20], ["unknown-item"]]
    scores = np.asarray(algo.score(users, cand))
    assert scores.shape == (len(users), len(cand)), f"score returned shape {scores.shape}"
    assert np.isfinite(scores).all(), "score must be finite, unknown users and items included"

    twin = cls(**params).fit(train, items)
    assert np.array_equal(np.asarray(twin.score(users, cand)), scores), \
        "the same parameters and random_state must give identical scores"

    copy = pickle.loads(pickle.dumps(algo))
    assert np.array_equal(np.asarray(copy.score(users, cand)), np.asarray(algo.score(users, cand))), \
        "a pickled and unpickled model must score the same"

    if getattr(algo, "predicts_ratings", True):
        pred = np.clip(np.asarray(algo.predict(test["user"].to_numpy(), test["item"].to_numpy())), 1, 5)
        assert pred.shape == (len(test),) and np.isfinite(pred).all(), "predict must be finite"
        rmse = float(np.sqrt(np.mean((pred - test["rating"].to_numpy()) ** 2)))
        assert rmse_range[0] <= rmse <= rmse_range[1], \
            f"RMSE {rmse:.3f} on the fixture is outside {rmse_range}"
    return True
