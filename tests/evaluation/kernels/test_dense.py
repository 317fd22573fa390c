import numpy as np

from recbench.evaluation.kernels.dense import rank_candidates
from recbench.evaluation.kernels.ties import tie_matrix
from recbench.metrics import first_relevant_rank


def keys(shape, seed=0):
    return tie_matrix(int(np.random.default_rng(seed).integers(0, 2**63)), 0, *shape)


def test_ties_are_broken_randomly_and_never_by_position():
    scores = np.zeros((2000, 4))
    scores[:, 3] = 1.0                       # item 3 always first, items 0-2 tie
    candidates = np.ones_like(scores, dtype=bool)
    order = rank_candidates(scores, candidates, keys(scores.shape))
    assert (order[:, 0] == 3).all()
    second = np.bincount(order[:, 1], minlength=4)[:3] / 2000
    assert np.allclose(second, 1 / 3, atol=0.05)     # each tied item equally likely


def test_non_candidates_come_last():
    scores = np.array([[5.0, 1.0, 3.0]])
    order = rank_candidates(scores, np.array([[False, True, True]]), keys(scores.shape))
    assert order.tolist() == [[2, 1, 0]]


def test_top_of_the_ranking_equals_the_head_of_the_full_sort():
    g = np.random.default_rng(3)
    scores = g.integers(0, 5, size=(50, 40)).astype(float)      # many ties
    candidates = g.random((50, 40)) < 0.8
    candidates[0, 5:] = False                                    # fewer candidates than the top
    key = keys(scores.shape, 1)
    full = rank_candidates(scores, candidates, key)
    head = rank_candidates(scores, candidates, key, top=7)
    assert np.array_equal(head, full[:, :7])
    # the full order is score descending, then key ascending
    s = np.where(candidates, scores, -np.inf)
    for u in range(50):
        pairs = list(zip(-s[u, full[u]], key[u, full[u]]))
        assert pairs == sorted(pairs)


def test_first_relevant_rank_hand_computed_and_equal_to_the_full_sort():
    scores = np.array([[0.2, 0.9, 0.5, 0.5, 0.1]])
    candidates = np.array([[True, False, True, True, True]])     # 0.9 is a training item
    relevant = np.array([[False, False, False, True, True]])
    tiebreak = np.array([[0.5, 0.5, 0.3, 0.7, 0.1]])
    # ranking: 0.5 (key .3), 0.5 (key .7, relevant) -> rank 2
    assert first_relevant_rank(scores, candidates, relevant, tiebreak).tolist() == [2]
    # the same with integer keys near the top of uint64, which floats could not tell apart
    big = np.array([[2, 2, 2**64 - 9, 2**64 - 8, 1]], dtype=np.uint64)
    assert first_relevant_rank(scores, candidates, relevant, big).tolist() == [2]
    big[0, 3] = 2**64 - 10                                      # now the relevant one is first
    assert first_relevant_rank(scores, candidates, relevant, big).tolist() == [1]
    g = np.random.default_rng(4)
    scores = g.integers(0, 4, size=(60, 30)).astype(float)
    candidates = g.random((60, 30)) < 0.9
    relevant = candidates & (g.random((60, 30)) < 0.15)
    relevant[np.arange(60), np.argmax(candidates, axis=1)] = True
    tiebreak = keys(scores.shape, 5)
    full = rank_candidates(scores, candidates, tiebreak)
    expected = np.argmax(np.take_along_axis(relevant, full, axis=1), axis=1) + 1
    assert np.array_equal(first_relevant_rank(scores, candidates, relevant, tiebreak), expected)
