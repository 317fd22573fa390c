"""The compiled k-NN routes (a walk over each x's neighbours for blocks, a per-pair top-k
selection for pairs) give Surprise's estimates, ties at the k-th neighbour included."""

import numpy as np
import pandas as pd
import pytest

from recbench.algorithms.surprise import knn
from recbench.algorithms.surprise.knn_kernels import consistent_order, knn_sums


def test_consistent_order_follows_every_list_or_reports_a_cycle():
    # yr lists [2, 0, 3] and [0, 1, 3]: 2 before 0 before 1 and 3, 0 before 3
    x = np.array([2, 0, 3, 0, 1, 3])
    y = np.array([0, 0, 0, 1, 1, 1])
    order = consistent_order(4, x, y)
    place = np.empty(4, int)
    place[order] = np.arange(4)
    assert place[2] < place[0] < place[3] and place[0] < place[1]
    # [0, 1] and [1, 0] contradict each other
    assert consistent_order(2, np.array([0, 1, 1, 0]), np.array([0, 0, 1, 1])) is None


def _tie_frame(u2_first: bool) -> pd.DataFrame:
    """u1 and u2 agree with u0 on a and b (MSD similarity 1 each); both rated i9, u1 a 5
    (mean 4) and u2 a 1 (mean 8/3). With k=1 Surprise takes the one earlier in yr[i9]."""
    rows = [("u0", "a", 3), ("u0", "b", 4), ("u1", "a", 3), ("u1", "b", 4), ("u1", "i9", 5),
            ("u2", "a", 3), ("u2", "b", 4), ("u2", "i9", 1)]
    if u2_first:       # u2's rating of i9 read before u1's: no order of users fits every list
        rows = rows[:2] + [rows[7]] + rows[2:7]
    return pd.DataFrame(rows, columns=["user", "item", "rating"]).astype({"rating": float})


@pytest.mark.parametrize("u2_first,expected", [(False, 3.5 + (5 - 4)),
                                               (True, 3.5 + (1 - 8 / 3))])
def test_tie_at_the_kth_neighbour_takes_the_earlier_rater(u2_first, expected):
    algo = knn.KNNWithMeans(k=1).fit(_tie_frame(u2_first))
    assert (algo.ratings_.tie_order is None) == u2_first        # both walk paths are used
    reference = algo.model_.predict("u0", "i9", clip=False).est
    assert reference == pytest.approx(expected, abs=1e-12)
    assert algo.score(np.array(["u0"]), np.array(["i9"]))[0, 0] == pytest.approx(expected, abs=1e-12)
    assert algo.predict(np.array(["u0"]), np.array(["i9"]))[0] == pytest.approx(expected, abs=1e-12)


@pytest.fixture(scope="module")
def shuffled_u1(u1):
    """u1's training ratings in a random row order: Surprise's yr lists then follow no
    common order, so ties go through the grouped path."""
    return u1.train.sample(frac=1.0, random_state=3)


@pytest.mark.parametrize("params", [{}, {"user_based": False, "sim": "pearson", "k": 20}],
                         ids=["user-msd", "item-pearson"])
def test_shuffled_training_order_equals_surprise_and_both_routes_agree(u1, shuffled_u1, params):
    algo = knn.KNNWithMeans(**params).fit(shuffled_u1)
    assert algo.ratings_.tie_order is None
    users = u1.test["user"].unique()
    items = np.sort(u1.train["item"].unique())
    block = algo.score(users, items)                          # the walk
    pairs = algo.predict(np.repeat(users, len(items)), np.tile(items, len(users)))
    assert np.abs(block.ravel() - pairs).max() < 1e-9         # the per-pair selection
    g = np.random.default_rng(0)
    rows, cols = g.integers(0, len(users), 1500), g.integers(0, len(items), 1500)
    reference = [algo.model_.predict(users[r], items[c], clip=False).est for r, c in zip(rows, cols)]
    assert np.abs(block[rows, cols] - reference).max() < 1e-9


def test_both_walk_paths_agree_and_tie_order_matters(u1):
    algo = knn.KNNWithMeans().fit(u1.train)
    order = algo.ratings_.tie_order
    assert order is not None                                  # u1.base is sorted by user
    sim, ratings = algo.model_.sim, algo.ratings_
    xs, ys = np.arange(sim.shape[0]), np.arange(ratings.n_y)
    ordered = knn_sums(sim, xs, ys, ratings, algo.k)
    ratings.tie_order = None                                  # the grouped path
    grouped = knn_sums(sim, xs, ys, ratings, algo.k)
    for a, b in zip(ordered, grouped):
        assert np.abs(a - b).max() < 1e-9
    ratings.tie_order = order[::-1].copy()                   # a wrong tie order ...
    wrong = knn_sums(sim, xs, ys, ratings, algo.k)
    changed = np.abs(wrong[0] - ordered[0]) > 1e-9
    assert changed.sum() > 1000                               # ... changes many estimates


def test_thread_count_does_not_change_the_sums(u1, monkeypatch):
    algo = knn.KNNWithMeans().fit(u1.train)
    sim, ratings = algo.model_.sim, algo.ratings_
    xs, ys = np.arange(sim.shape[0]), np.arange(ratings.n_y)
    monkeypatch.setenv("RECBENCH_THREADS", "1")
    one = knn_sums(sim, xs, ys, ratings, algo.k)
    monkeypatch.setenv("RECBENCH_THREADS", "3")
    three = knn_sums(sim, xs, ys, ratings, algo.k)
    for a, b in zip(one, three):
        assert np.array_equal(a, b)
    assert one[2].max() == algo.k and (one[1] > 0).mean() > 0.9   # real sums, not empty ones
