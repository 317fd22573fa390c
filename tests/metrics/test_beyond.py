"""The beyond-accuracy metrics (recbench.metrics.exposure, recbench.metrics.diversity):
hand-computed values on small arrays, and an independent plain-Python/pandas
reimplementation on random lists."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from recbench.metrics import parse_metric, registered, resolve
from recbench.metrics.diversity import (
    genre_distribution,
    genre_matrix,
    intra_list_diversity,
    miscalibration,
)
from recbench.metrics.exposure import (
    average_recommendation_popularity,
    exposure,
    exposure_entropy,
    gini_index,
    long_tail,
    tail_coverage,
    tail_share,
)

BEYOND = ("gini", "entropy", "tail_coverage", "arp", "tail", "ild", "miscalibration")


def test_gini_and_entropy_by_hand():
    # three lists over a catalog of 3 items: item 2 three times, item 1 once, item 0 never
    recommended = np.array([[2, 1], [2, -1], [2, -1]])
    c = exposure(recommended, 3)
    assert c.tolist() == [0, 1, 3]
    # sorted ascending (0, 1, 3), n = 3, Σc = 4:
    # (2·1−3−1)·0 + (2·2−3−1)·1 + (2·3−3−1)·3 = 0 + 0 + 6;  G = 6 / (3·4) = 0.5
    assert gini_index(c) == pytest.approx(0.5, abs=1e-15)
    # p = (1/4, 3/4): H = −(¼ ln ¼ + ¾ ln ¾) = 0.3465736 + 0.2157616 = 0.5623351
    assert exposure_entropy(c) == pytest.approx(0.5623351446, abs=1e-9)
    # even exposure: G = 0, H = ln n; one item in every slot: G = (n−1)/n, H = 0
    assert gini_index([2, 2, 2, 2]) == 0 and exposure_entropy([2, 2, 2, 2]) == pytest.approx(math.log(4))
    assert gini_index([0, 0, 0, 5]) == pytest.approx(0.75) and exposure_entropy([0, 0, 0, 5]) == 0
    assert math.isnan(gini_index([0, 0])) and math.isnan(exposure_entropy([0, 0]))


def test_long_tail_by_hand_ties_at_the_boundary_join_the_head():
    interactions = np.array([10, 5, 5, 3, 1, 1])        # Σ = 25
    # 20%: 5 interactions; the running total (10, 15, ...) reaches 5 at the first item: c* = 10
    assert long_tail(interactions, 0.2).tolist() == [False, True, True, True, True, True]
    # 50%: 12.5; reached at the second item (10 + 5 = 15), c* = 5: the third item (5, tied)
    # joins the head
    assert long_tail(interactions, 0.5).tolist() == [False, False, False, True, True, True]
    # the split does not depend on item order
    perm = np.array([3, 0, 5, 2, 4, 1])
    assert long_tail(interactions[perm], 0.5).tolist() == long_tail(interactions, 0.5)[perm].tolist()


def test_arp_tail_share_and_tail_coverage_by_hand():
    interactions = np.array([10, 5, 5, 3, 1, 1])
    tail = long_tail(interactions, 0.5)                   # tail = items 3, 4, 5
    top = np.array([[0, 3], [1, -1]])
    # user 0: (10 + 3) / 2 = 6.5; user 1: one listed item, 5 / 1 = 5
    assert average_recommendation_popularity(top, interactions).tolist() == [6.5, 5.0]
    # user 0: item 3 is in the tail, 1 of 2; user 1: 0 of 1
    assert tail_share(top, tail).tolist() == [0.5, 0.0]
    # tail items shown to anyone: {3} of {3, 4, 5}
    assert tail_coverage(top, tail) == pytest.approx(1 / 3)
    assert np.isnan(tail_share(np.array([[-1, -1]]), tail)[0])


def _genres():
    # columns A, B, C; item 0 "A|B" -> (½, ½, 0), item 1 "A", item 2 "C", item 3 no genres
    return genre_matrix(["A|B", "A", "C", ""])


def test_genre_matrix_spreads_each_item_uniformly():
    assert _genres().tolist() == [[0.5, 0.5, 0], [1, 0, 0], [0, 0, 1], [0, 0, 0]]


def test_ild_by_hand():
    # cos(0, 1) = ½ / (√½ · 1) = 1/√2; cos(0, 2) = cos(1, 2) = 0
    top = np.array([[0, 1, 2], [0, 3, -1], [1, 2, 3]])
    ild = intra_list_diversity(top, _genres())
    # user 0: ((1 − 1/√2) + 1 + 1) / 3 = 2.2928932 / 3 = 0.7642977
    assert ild[0] == pytest.approx((3 - 1 / math.sqrt(2)) / 3, abs=1e-12)
    # user 1: only item 0 has genres (item 3 has none): no pair
    assert np.isnan(ild[1])
    # user 2: items 1 and 2, one pair at distance 1 (item 3 left out)
    assert ild[2] == pytest.approx(1.0)


def test_miscalibration_by_hand():
    genres = _genres()
    train = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 1]])
    p = genre_distribution(train, genres)
    # users 0, 1: items 0, 1: ((½ + 1), ½, 0) / 2 = (0.75, 0.25, 0); user 2: no genres
    assert p[0].tolist() == [0.75, 0.25, 0.0] and np.isnan(p[2]).all()
    top = np.array([[1, 2], [3, -1], [0, 1]])
    kl = miscalibration(top, genres, p)
    # user 0: q = ((1, 0, 0) + (0, 0, 1)) / 2 = (0.5, 0, 0.5)
    # q̃ = 0.99 q + 0.01 p = (0.495 + 0.0075, 0.0025, 0.495) = (0.5025, 0.0025, 0.495)
    # KL = 0.75 ln(0.75 / 0.5025) + 0.25 ln(0.25 / 0.0025) = 0.75 · 0.4004776 + 0.25 · 4.6051702
    #    = 0.3003582 + 1.1512925 = 1.4516507
    assert kl[0] == pytest.approx(0.75 * math.log(0.75 / 0.5025) + 0.25 * math.log(100), abs=1e-12)
    assert kl[0] == pytest.approx(1.4516507, abs=1e-7)
    # user 1: no listed item has genres, q = 0, q̃ = 0.01 p: KL = Σ p ln 100 = ln 100
    assert kl[1] == pytest.approx(math.log(100), abs=1e-12)
    assert np.isnan(kl[2])                               # training items without genres
    # a list with exactly the user's distribution scores 0
    assert miscalibration(np.array([[0, 1]]), genres, p[:1])[0] == pytest.approx(0, abs=1e-12)


def _random_case(seed=7, n_users=40, n_items=30, k=6):
    rng = np.random.default_rng(seed)
    top = np.array([rng.choice(n_items, k, replace=False) for _ in range(n_users)])
    top[rng.random(top.shape) < 0.1] = -1
    interactions = rng.integers(1, 50, n_items)
    names = list("ABCDEFG")
    genres = ["|".join(rng.choice(names, rng.integers(0, 4), replace=False)) for _ in range(n_items)]
    train = rng.random((n_users, n_items)) < 0.3
    return top, interactions, genres, train


def test_against_an_independent_reimplementation():
    top, interactions, genres, train = _random_case()
    n_items = len(interactions)
    lists = pd.DataFrame({"user": np.repeat(np.arange(len(top)), top.shape[1]),
                          "item": top.ravel()}).query("item >= 0")
    counts = lists["item"].value_counts().reindex(range(n_items), fill_value=0).to_numpy()
    # Gini as the mean absolute difference over all pairs / (2 · mean)
    gini = np.abs(counts[:, None] - counts[None, :]).sum() / (2 * n_items ** 2 * counts.mean())
    assert gini_index(exposure(top, n_items)) == pytest.approx(gini, abs=1e-12)
    share = counts[counts > 0] / counts.sum()
    assert exposure_entropy(exposure(top, n_items)) == pytest.approx(-(share * np.log(share)).sum(), abs=1e-12)
    arp = lists.assign(pop=interactions[lists["item"]]).groupby("user")["pop"].mean()
    assert np.allclose(average_recommendation_popularity(top, interactions)[arp.index], arp, atol=1e-12)
    # head: walk the items from the most popular until 20% of the interactions are held
    order = sorted(range(n_items), key=lambda i: -interactions[i])
    held, head = 0, set()
    for i in order:
        if held >= 0.2 * interactions.sum():
            break
        held += interactions[i]
        head.add(i)
    boundary = min(interactions[i] for i in head)
    head |= {i for i in range(n_items) if interactions[i] == boundary}
    tail = np.array([i not in head for i in range(n_items)])
    assert long_tail(interactions).tolist() == tail.tolist()
    aplt = lists.assign(t=tail[lists["item"]]).groupby("user")["t"].mean()
    assert np.allclose(tail_share(top, tail)[aplt.index], aplt, atol=1e-12)
    assert tail_coverage(top, tail) == pytest.approx(
        len(set(lists["item"]) & set(np.flatnonzero(tail))) / tail.sum())
    # ILD and miscalibration with sets of genres and Python loops
    sets = [set(g.split("|")) - {""} for g in genres]
    names = sorted(set().union(*sets))
    vec = {i: np.array([g in sets[i] for g in names], float) for i in range(n_items) if sets[i]}
    w = {i: {g: 1 / len(sets[i]) for g in sets[i]} for i in vec}
    ild, kl = intra_list_diversity(top, genre_matrix(genres)), miscalibration(
        top, genre_matrix(genres), genre_distribution(train, genre_matrix(genres)))
    for u, row in enumerate(top):
        items = [i for i in row if i >= 0 and i in vec]
        d = [1 - vec[a] @ vec[b] / np.sqrt(vec[a] @ vec[a] * (vec[b] @ vec[b]))
             for x, a in enumerate(items) for b in items[x + 1:]]
        assert (np.isnan(ild[u]) and not d) or ild[u] == pytest.approx(np.mean(d), abs=1e-12)
        p = pd.Series([(g, x) for i in np.flatnonzero(train[u]) if i in w for g, x in w[i].items()],
                      dtype=object)
        if p.empty:
            assert np.isnan(kl[u])
            continue
        p = pd.DataFrame(p.tolist()).groupby(0)[1].sum()
        p /= p.sum()
        q = pd.Series(0.0, index=p.index)
        for i in items:
            for g, x in w[i].items():
                q[g] = q.get(g, 0.0) + x / len(items)
        expected = sum(p[g] * math.log(p[g] / (0.99 * q.get(g, 0.0) + 0.01 * p[g])) for g in p.index)
        assert kl[u] == pytest.approx(expected, abs=1e-12)


def test_registered_opt_in_with_their_direction():
    metrics = registered()
    for family in BEYOND:
        assert metrics[family].takes_k and not metrics[family].in_default
    lower = {f for f in BEYOND if not metrics[f].higher_is_better}
    assert lower == {"gini", "arp", "miscalibration"}
    assert {s.family for s in resolve(None, [10])}.isdisjoint(BEYOND)    # not in the default set
    assert parse_metric("gini@10").metric.kind == "list"
    assert [s.name for s in resolve(["tail"], [5, 10])] [:2] == ["tail@5", "tail@10"]
    assert {f for f in BEYOND if metrics[f].needs_item_features} == {"ild", "miscalibration"}
