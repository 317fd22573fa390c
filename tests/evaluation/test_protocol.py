"""The ranking protocol on real data (ml-100k u1): chance, oracle and an independent loop."""

import numpy as np
import pytest

from recbench.algorithms import Algorithm
from recbench.algorithms.baselines import GlobalMean, Random
from recbench.algorithms.surprise.knn import KNNWithMeans
from recbench.algorithms.surprise.svd import SVD
from recbench.evaluation.ranking import evaluate_ranking

K = 10


class Oracle(Algorithm):
    """Scores a user's relevant test items 2, their training items 3 (which the protocol
    must exclude), everything else 0."""

    def __init__(self, test=None, threshold=4.0):
        self.test, self.threshold = test, threshold

    def fit(self, train, items=None):
        rel = self.test[self.test["rating"] >= self.threshold]
        self.relevant_ = set(zip(rel["user"], rel["item"]))
        self.train_ = set(zip(train["user"], train["item"]))
        return self

    def score(self, users, items):
        return np.array([[3.0 if (u, i) in self.train_ else 2.0 if (u, i) in self.relevant_ else 0.0
                          for i in items] for u in users])


def run(algo, fold, seed=0):
    return evaluate_ranking(algo.fit(fold.train), fold.train, fold.test, [K], 4.0,
                            np.random.default_rng(seed))


def chance_precision(per_user):
    return (per_user["n_relevant"] / per_user["n_candidates"]).to_numpy()


@pytest.mark.slow
def test_random_scorer_is_at_chance(u1):
    pu = run(Random(random_state=1), u1).per_user
    p = chance_precision(pu)
    noise = np.sqrt((p * (1 - p) / K).sum()) / len(p)
    assert abs(pu[f"precision@{K}"].mean() - p.mean()) < 4 * noise
    assert abs(pu["auc"].mean() - 0.5) < 0.02


@pytest.mark.slow
def test_constant_scorer_gets_chance_through_ties(u1):
    pu = run(GlobalMean(), u1).per_user
    assert np.allclose(pu["auc"], 0.5)             # every pair is a tie: counts 1/2
    p = chance_precision(pu)
    noise = np.sqrt((p * (1 - p) / K).sum()) / len(p)
    assert abs(pu[f"precision@{K}"].mean() - p.mean()) < 4 * noise
    # the tie-break is seeded: same seed, same ranking; another seed, another one
    again = run(GlobalMean(), u1).per_user
    other = run(GlobalMean(), u1, seed=1).per_user
    assert pu[f"precision@{K}"].equals(again[f"precision@{K}"])
    assert not pu[f"precision@{K}"].equals(other[f"precision@{K}"])


@pytest.mark.slow
def test_oracle_is_perfect_and_training_items_are_never_candidates(u1):
    out = run(Oracle(test=u1.test), u1)
    pu = out.per_user
    expected = np.minimum(K, pu["n_relevant"]) / K
    assert np.allclose(pu[f"precision@{K}"], expected)
    assert np.allclose(pu["auc"].dropna(), 1.0)
    assert np.allclose(pu["mrr"], 1.0) and np.allclose(pu[f"ndcg@{K}"], 1.0)
    n_train = u1.train.groupby("user").size()
    assert (pu["n_candidates"].to_numpy() ==
            out.counts["catalog_items"] - n_train.reindex(pu["user"]).to_numpy()).all()
    assert out.counts["skipped_users_no_relevant"] == u1.test["user"].nunique() - len(pu)


@pytest.mark.slow
def test_every_ranking_metric_lies_in_unit_interval(u1):
    pu = run(SVD(random_state=0), u1).per_user
    for col in [f"precision@{K}", f"recall@{K}", f"ndcg@{K}", f"map@{K}", f"hit@{K}", "mrr", "auc"]:
        values = pu[col].dropna()
        assert ((values >= 0) & (values <= 1)).all(), col
    assert pu["auc"].mean() > 0.7                 # SVD ranks far better than chance


@pytest.mark.slow
def test_knnwithmeans_matches_an_independent_per_user_loop(u1):
    """AUC and precision@10 recomputed per user with plain Python over Surprise's estimate()."""
    algo = KNNWithMeans().fit(u1.train)
    pu = evaluate_ranking(algo, u1.train, u1.test, [K], 4.0, np.random.default_rng(0)).per_user
    pu = pu.set_index("user")
    model = algo.model_
    ts = model.trainset
    catalog = sorted(set(u1.train["item"]))
    sample = np.random.default_rng(3).choice(pu.index.to_numpy(), 25, replace=False)
    checked_precision = 0
    for user in sample:
        seen = set(u1.train.loc[u1.train["user"] == user, "item"])
        mine = u1.test[(u1.test["user"] == user) & (u1.test["rating"] >= 4)]
        relevant = set(mine["item"]) & set(catalog)
        candidates = [i for i in catalog if i not in seen]
        inner_u = ts.to_inner_uid(user)
        scores = {}
        for item in candidates:
            try:
                est = model.estimate(inner_u, ts.to_inner_iid(item))
                scores[item] = est[0] if isinstance(est, tuple) else est
            except Exception:
                scores[item] = ts.global_mean
        pos = [scores[i] for i in candidates if i in relevant]
        neg = [scores[i] for i in candidates if i not in relevant]
        correct = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
        assert pu.loc[user, "auc"] == pytest.approx(correct / (len(pos) * len(neg)), abs=1e-12)
        # precision@10 under any tie order lies between these bounds; they meet when the
        # top 10 does not cut through a group of tied scores
        kth = sorted(scores.values(), reverse=True)[K - 1]
        above = [i for i in candidates if scores[i] > kth]
        tied = [i for i in candidates if scores[i] == kth]
        slots = K - len(above)
        strict_hits = sum(i in relevant for i in above)
        tied_rel = sum(i in relevant for i in tied)
        low = strict_hits + max(0, slots - (len(tied) - tied_rel))
        high = strict_hits + min(slots, tied_rel)
        assert low / K - 1e-12 <= pu.loc[user, f"precision@{K}"] <= high / K + 1e-12
        checked_precision += low == high
    assert checked_precision >= 10
