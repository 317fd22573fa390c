"""Every metric against hand-computed values and, where definitions agree, scikit-learn."""

import math

import numpy as np
import pytest
from sklearn.metrics import ndcg_score, roc_auc_score

from recbench import metrics
from recbench.metrics import parse_metric

# one user, ranking: rel, non, rel, non, non (2 relevant candidates; a third exists lower down)
RANKED = np.array([[True, False, True, False, False]])
N_REL = np.array([3])


def test_precision_divides_by_k():
    assert metrics.precision_at_k(RANKED, 3)[0] == pytest.approx(2 / 3)
    assert metrics.precision_at_k(RANKED, 5)[0] == pytest.approx(2 / 5)


def test_recall_divides_by_relevant():
    assert metrics.recall_at_k(RANKED, N_REL, 3)[0] == pytest.approx(2 / 3)
    assert metrics.recall_at_k(RANKED, N_REL, 1)[0] == pytest.approx(1 / 3)


def test_hit():
    assert metrics.hit_rate_at_k(RANKED, 1)[0] == 1
    assert metrics.hit_rate_at_k(np.array([[False, False, True]]), 2)[0] == 0


def test_ndcg_hand_computed():
    dcg = 1 / math.log2(2) + 1 / math.log2(4)
    idcg = 1 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert metrics.ndcg_at_k(RANKED, N_REL, 3)[0] == pytest.approx(dcg / idcg)
    # only 2 relevant items exist: the ideal list has 2 hits at the top
    assert metrics.ndcg_at_k(RANKED, np.array([2]), 3)[0] == pytest.approx(dcg / (1 + 1 / math.log2(3)))


def test_ndcg_matches_sklearn_on_full_lists(rng):
    for _ in range(20):
        n = 30
        rel = (rng.random(n) < 0.2).astype(float)
        rel[rng.integers(n)] = 1
        scores = rng.normal(size=n)
        order = np.argsort(-scores)
        ranked = rel[order][None, :].astype(bool)
        ours = metrics.ndcg_at_k(ranked, np.array([int(rel.sum())]), 10)[0]
        assert ours == pytest.approx(ndcg_score(rel[None, :], scores[None, :], k=10))


def test_average_precision_hand_computed():
    # hits at ranks 1 and 3: (1/1 + 2/3) / min(5, 3)
    assert metrics.average_precision_at_k(RANKED, N_REL, 5)[0] == pytest.approx((1 + 2 / 3) / 3)
    perfect = np.array([[True, True, False]])
    assert metrics.average_precision_at_k(perfect, np.array([2]), 3)[0] == pytest.approx(1.0)


def test_reciprocal_rank():
    assert metrics.reciprocal_rank([1, 4]).tolist() == [1.0, 0.25]


def test_auc_hand_computed_with_ties():
    scores = np.array([[0.9, 0.5, 0.5, 0.1, 0.7]])
    relevant = np.array([[True, True, False, False, False]])
    candidates = np.array([[True, True, True, True, False]])  # last item: a training item
    # relevant 0.9 beats 0.5 and 0.1 (2); relevant 0.5 ties 0.5 (1/2) and beats 0.1 (1)
    assert metrics.auc_score(scores, relevant, candidates)[0] == pytest.approx(3.5 / 4)


def test_auc_matches_sklearn_per_user(rng):
    scores = np.round(rng.normal(size=(25, 60)), 1)   # rounding makes ties
    candidates = rng.random((25, 60)) < 0.8
    relevant = (rng.random((25, 60)) < 0.2) & candidates
    relevant[:, 0] = candidates[:, 0] = True
    candidates[:, 1], relevant[:, 1] = True, False
    ours = metrics.auc_score(scores, relevant, candidates)
    for u in range(25):
        c = candidates[u]
        assert ours[u] == pytest.approx(roc_auc_score(relevant[u][c], scores[u][c]))


def test_auc_undefined_without_negatives():
    out = metrics.auc_score(np.ones((1, 3)), np.array([[True, True, True]]), np.ones((1, 3), bool))
    assert np.isnan(out[0])


def test_rating_errors_hand_computed():
    assert metrics.root_mean_squared_error([1, 2, 3], [2, 2, 5]) == pytest.approx(math.sqrt(5 / 3))
    assert metrics.mean_absolute_error([1, 2, 3], [2, 2, 5]) == pytest.approx(1.0)


def test_coverage_and_novelty():
    recommended = np.array([[0, 1], [1, 2], [2, -1]])
    assert metrics.catalog_coverage(recommended, 10) == pytest.approx(0.3)
    pop = np.array([0.5, 0.25, 0.125])
    assert metrics.novelty(recommended, pop).tolist() == pytest.approx([1.5, 2.5, 3.0])


def test_metric_names_parse():
    spec = parse_metric("precision@10")
    assert (spec.family, spec.k, spec.higher_is_better) == ("precision", 10, True)
    assert not parse_metric("rmse").higher_is_better
    with pytest.raises(Exception, match="unknown metric"):
        parse_metric("accuracy")
    with pytest.raises(Exception, match="ndcg@K"):
        parse_metric("ndcg")
