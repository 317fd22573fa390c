import numpy as np

from recbench.evaluation.ranking import rank_candidates
from recbench.metrics import dense_ranks


def test_dense_ranks():
    s = np.array([[0.3, 0.9, 0.3, -np.inf, 0.1]])
    assert dense_ranks(s).tolist() == [[1, 0, 1, 3, 2]]


def test_ties_are_broken_randomly_and_never_by_position():
    scores = np.zeros((2000, 4))
    scores[:, 3] = 1.0                       # item 3 always first, items 0-2 tie
    candidates = np.ones_like(scores, dtype=bool)
    order, _, _ = rank_candidates(scores, candidates, np.random.default_rng(0))
    assert (order[:, 0] == 3).all()
    second = np.bincount(order[:, 1], minlength=4)[:3] / 2000
    assert np.allclose(second, 1 / 3, atol=0.05)     # each tied item equally likely


def test_non_candidates_come_last():
    scores = np.array([[5.0, 1.0, 3.0]])
    order, _, _ = rank_candidates(scores, np.array([[False, True, True]]), np.random.default_rng(0))
    assert order.tolist() == [[2, 1, 0]]


def test_top_of_the_ranking_equals_the_head_of_the_full_sort():
    g = np.random.default_rng(3)
    scores = g.integers(0, 5, size=(50, 40)).astype(float)      # many ties
    candidates = g.random((50, 40)) < 0.8
    full, key, _ = rank_candidates(scores, candidates, np.random.default_rng(1))
    head, key2, _ = rank_candidates(scores, candidates, np.random.default_rng(1), top=7)
    assert np.array_equal(key, key2) and np.array_equal(head, full[:, :7])
