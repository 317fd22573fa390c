"""The seven top-N baselines against independent references, the min_rating rule, the memory
budget, and each beating popularity on ml-100k u1 (the conformance kit runs separately)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from recbench.algorithms.topn.bpr import BPR
from recbench.algorithms.topn.ease import EASE
from recbench.algorithms.topn.ials import IALS
from recbench.algorithms.topn.interactions import build_interactions
from recbench.algorithms.topn.knn import ItemKNN, UserKNN
from recbench.algorithms.topn.puresvd import PureSVD
from recbench.algorithms.topn.rp3beta import RP3beta
from recbench.errors import ConfigError, ResourceError
from recbench.runtime.env import parse_size
from recbench.runtime.memory import memory_budget, physical_memory
from tests.support import tiny_ratings

ALL = [ItemKNN, UserKNN, EASE, RP3beta, PureSVD, IALS, BPR]


@pytest.fixture(scope="module")
def train():
    return tiny_ratings(n_users=30, n_items=40, density=0.35, seed=7)


def sets(frame, key, value):
    return {k: set(g[value]) for k, g in frame.groupby(key)}


def dense_x(frame):
    users, items = sorted(frame["user"].unique()), sorted(frame["item"].unique())
    x = np.zeros((len(users), len(items)))
    x[[users.index(u) for u in frame["user"]], [items.index(i) for i in frame["item"]]] = 1.0
    return x, users, items


def neighbours(sim_row: dict, k: int) -> list:
    """The k largest positive similarities, ties to the smaller (sorted) id position."""
    ranked = sorted((key for key in sim_row if sim_row[key] > 0), key=lambda key: (-sim_row[key], key[0]))
    return ranked[:k]


@pytest.mark.parametrize("normalize", [False, True])
def test_itemknn_equals_brute_force(train, normalize):
    shrink, k = 3.0, 5
    users_of = sets(train, "item", "user")
    items = sorted(users_of)
    pos = {i: n for n, i in enumerate(items)}
    sim = {i: {(pos[j], j): len(users_of[i] & users_of[j]) /
               (math.sqrt(len(users_of[i])) * math.sqrt(len(users_of[j])) + shrink)
               for j in items if j != i} for i in items}
    weight = {}                                   # weight[(j, i)]: j is among i's neighbours
    for i in items:
        for _, j in neighbours(sim[i], k):
            weight[(j, i)] = sim[i][(pos[j], j)]
    if normalize:
        for j in items:
            total = sum(w for (a, _), w in weight.items() if a == j)
            for key in [key for key in weight if key[0] == j]:
                weight[key] /= total
    items_of = sets(train, "user", "item")
    users = sorted(items_of)
    expected = np.array([[sum(weight.get((j, i), 0.0) for j in items_of[u]) for i in items]
                         for u in users])
    got = ItemKNN(k=k, shrink=shrink, normalize=normalize).fit(train).score(users, items)
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-12)
    assert (expected > 0).sum() > len(users) * 5           # the comparison is not vacuous


def test_userknn_equals_brute_force(train):
    shrink, k = 2.0, 4
    items_of = sets(train, "user", "item")
    users = sorted(items_of)
    pos = {u: n for n, u in enumerate(users)}
    items = sorted(train["item"].unique())
    expected = np.zeros((len(users), len(items)))
    for a, u in enumerate(users):
        sim = {(pos[v], v): len(items_of[u] & items_of[v]) /
               (math.sqrt(len(items_of[u])) * math.sqrt(len(items_of[v])) + shrink)
               for v in users if v != u}
        for key in neighbours(sim, k):
            for b, i in enumerate(items):
                if i in items_of[key[1]]:
                    expected[a, b] += sim[key]
    got = UserKNN(k=k, shrink=shrink).fit(train).score(users, items)
    assert np.allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_rp3beta_equals_brute_force(train):
    alpha, beta, k = 0.8, 0.4, 6
    items_of, users_of = sets(train, "user", "item"), sets(train, "item", "user")
    users, items = sorted(items_of), sorted(users_of)
    w = np.zeros((len(items), len(items)))
    for a, i in enumerate(items):
        for b, j in enumerate(items):
            if a != b:
                walk = sum((1 / len(users_of[i])) ** alpha * (1 / len(items_of[u])) ** alpha
                           for u in users_of[i] & users_of[j])
                w[a, b] = walk / len(users_of[j]) ** beta
    kept = np.zeros_like(w)
    for a in range(len(items)):
        order = np.argsort(-w[a], kind="stable")
        assert w[a, order[k - 1]] - w[a, order[k]] > 1e-9   # no near-tie at the cut: well posed
        kept[a, order[:k]] = w[a, order[:k]]
    kept /= kept.sum(axis=1, keepdims=True)
    x, _, _ = dense_x(train)
    expected = x @ kept
    got = RP3beta(alpha=alpha, beta=beta, k=k).fit(train).score(users, items)
    assert np.allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_ease_equals_dense_formula_and_per_item_ridge(train):
    lam = 7.0
    x, users, items = dense_x(train)
    p = np.linalg.inv(x.T @ x + lam * np.eye(len(items)))
    b = np.eye(len(items)) - p @ np.diag(1 / np.diag(p))
    np.fill_diagonal(b, 0.0)
    model = EASE(l2=lam).fit(train)
    assert np.allclose(model.score(users, items), x @ b, atol=1e-10)
    # independently: column j of B is the ridge regression of item j on the other items
    for j in (0, 7, len(items) - 1):
        others = np.delete(np.arange(len(items)), j)
        xo = x[:, others]
        coef = np.linalg.solve(xo.T @ xo + lam * np.eye(len(others)), xo.T @ x[:, j])
        assert np.allclose(model.weights_[others, j], coef, atol=1e-10)
        assert model.weights_[j, j] == 0.0


def test_puresvd_equals_dense_svd(train):
    x, users, items = dense_x(train)
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    assert s[4] - s[5] > 1e-6                             # the rank-5 subspace is well defined
    v = vt[:5].T
    got = PureSVD(factors=5, random_state=3).fit(train).score(users, items)
    assert np.allclose(got, x @ v @ v.T, atol=1e-9)
    # with every factor kept the projection returns the interactions themselves
    full = PureSVD(factors=100).fit(train).score(users, items)
    assert np.allclose(full, x, atol=1e-9)


def test_min_rating_keeps_only_ratings_at_or_above_it(train):
    every = build_interactions(train)
    liked = build_interactions(train, min_rating=4)
    assert every.matrix.nnz == len(train)
    assert liked.matrix.nnz == int((train["rating"] >= 4).sum()) < len(train)
    assert liked.users.equals(every.users) and liked.items.equals(every.items)
    rows, cols = liked.matrix.nonzero()
    pairs = set(zip(liked.users[rows], liked.items[cols]))
    assert pairs == set(map(tuple, train.loc[train["rating"] >= 4, ["user", "item"]].to_numpy()))
    # a user whose ratings are all low is known, with no interactions: zero scores
    low = pd.DataFrame({"user": ["low", "low"], "item": ["i1", "i2"], "rating": [1.0, 2.0]})
    model = ItemKNN(min_rating=4).fit(pd.concat([train, low], ignore_index=True))
    assert np.array_equal(model.score(["low"], liked.items), np.zeros((1, len(liked.items))))
    assert not np.array_equal(ItemKNN(min_rating=4).fit(train).score(every.users, every.items),
                              ItemKNN().fit(train).score(every.users, every.items))


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.name)
def test_unknown_users_score_zero_and_unknown_items_the_row_minimum(train, cls):
    model = cls(random_state=0) if "random_state" in cls.param_names() else cls()
    model.fit(train)
    items = np.array(["i3", "nobody-rated-this", "i5", "i8"])
    got = model.score(np.array(["u1", "new-user"]), items)
    assert np.array_equal(got[1], np.zeros(4))
    assert got[0, 1] == got[0, [0, 2, 3]].min()
    assert cls.predicts_ratings is False


def test_memory_refusal_names_the_estimate_the_budget_and_an_alternative(train, monkeypatch):
    monkeypatch.setenv("RECBENCH_MEMORY_BUDGET", "16K")
    assert memory_budget() == 16 * 1024
    with pytest.raises(ResourceError) as info:
        EASE().fit(train)
    message = str(info.value)
    n = train["item"].nunique()
    assert message.startswith(f"ease: the {n:,} x {n:,} item matrices would need")
    assert f"about {3 * n * n * 8 / 1024:.1f} KiB" in message and "16.0 KiB" in message
    assert "RECBENCH_MEMORY_BUDGET" in message and "itemknn" in message
    assert message.count(".") <= 3                        # one sentence (decimals included)
    with pytest.raises(ResourceError, match="userknn: the 50 neighbours of 30 users"):
        UserKNN().fit(train)
    monkeypatch.setenv("RECBENCH_MEMORY_BUDGET", "1G")
    assert EASE().fit(train).weights_.shape == (n, n)


def test_memory_budget_parsing_and_default(monkeypatch):
    assert parse_size("8G") == 8 * 2**30 and parse_size("500M") == 500 * 2**20
    assert parse_size("1.5k") == 1536 and parse_size("123") == 123 and parse_size("2GiB") == 2**31
    with pytest.raises(ConfigError, match="RECBENCH_MEMORY_BUDGET='lots' is invalid"):
        parse_size("lots")
    monkeypatch.delenv("RECBENCH_MEMORY_BUDGET", raising=False)
    assert memory_budget() == physical_memory() // 2 > 2**20


def test_parameter_constraints_accept_defaults_and_reject_bad_values():
    from recbench.algorithms.params import check_params
    for cls in ALL:
        check_params(cls.name, cls, cls.default_params())
        assert cls.description and "min_rating" in cls.param_names()
    with pytest.raises(ConfigError, match="itemknn: parameter k=0 is invalid"):
        check_params("itemknn", ItemKNN, {"k": 0})
    with pytest.raises(ConfigError, match="random_state"):
        check_params("bpr", BPR, {"random_state": -1})


def test_implicit_models_print_nothing_and_leave_blas_threads_alone(train, capfd):
    import warnings

    from threadpoolctl import threadpool_info
    before = [(p["internal_api"], p["num_threads"]) for p in threadpool_info()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        IALS(random_state=0, iterations=3).fit(train)
        BPR(random_state=0, iterations=3).fit(train)
    assert [str(w.message) for w in caught] == []
    after = [(p["internal_api"], p["num_threads"]) for p in threadpool_info()]
    assert after == before
    out, err = capfd.readouterr()
    assert out == "" and err == ""


@pytest.fixture(scope="module")
def u1_precision(u1):
    from recbench.algorithms.baselines import Popularity
    from recbench.evaluation.ranking import evaluate_ranking

    def precision(algo):
        outcome = evaluate_ranking(algo.fit(u1.train), u1.train, u1.test, [10], 4.0,
                                   np.random.default_rng(0))
        return float(outcome.per_user["precision@10"].mean())
    return precision, precision(Popularity())


@pytest.mark.slow
@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.name)
def test_beats_popularity_on_ml100k_u1(u1_precision, cls):
    precision, popularity = u1_precision
    model = cls(random_state=0) if "random_state" in cls.param_names() else cls()
    assert precision(model) > popularity + 0.03         # popularity: 0.213
