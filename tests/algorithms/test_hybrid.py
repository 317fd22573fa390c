"""Hybrids are configuration over their components and behave as documented."""

import numpy as np

from recbench.algorithms.content.tfidf import TfidfContent
from recbench.algorithms.hybrid import StackedHybrid, SwitchingHybrid, WeightedHybrid
from recbench.algorithms.surprise.svd import SVD
from recbench.testing import fixture


def rmse(pred, test):
    return float(np.sqrt(np.mean((np.clip(pred, 1, 5) - test["rating"].to_numpy()) ** 2)))


def test_weighted_hybrid_with_one_hot_weights_is_its_component():
    train, test, items = fixture()
    hybrid = WeightedHybrid(components=("svd", "tfidf"), weights=(1, 0), random_state=3).fit(train, items)
    svd = hybrid.models_[0]
    u, i = test["user"].to_numpy(), test["item"].to_numpy()
    assert np.allclose(hybrid.predict(u, i), svd.predict(u, i))
    assert hybrid.models_[0].get_params()["n_factors"] == 100


def test_tuned_weights_favour_the_component_that_fits_the_data():
    train, test, items = fixture()
    hybrid = WeightedHybrid(components=("svd", "tfidf"), random_state=0).fit(train, items)
    assert hybrid.weights_.sum() == 1 and hybrid.weights_[1] > 0.5   # genres drive the fixture
    svd = SVD(random_state=0).fit(train)
    u, i = test["user"].to_numpy(), test["item"].to_numpy()
    assert rmse(hybrid.predict(u, i), test) < rmse(svd.predict(u, i), test)


def test_switching_hybrid_uses_content_for_users_with_few_ratings():
    train, test, items = fixture()
    counts = train["user"].value_counts()
    hybrid = SwitchingHybrid(min_ratings=int(counts.median()), random_state=0).fit(train, items)
    content = TfidfContent().fit(train, items)
    few = counts.index[counts < int(counts.median())].to_numpy()
    many = counts.index[counts >= int(counts.median())].to_numpy()
    cand = train["item"].unique()
    assert np.allclose(hybrid.score(few, cand), content.score(few, cand))
    assert np.allclose(hybrid.score(many, cand), hybrid.cf_.score(many, cand))


def test_stacked_hybrid_learns_a_blend():
    train, test, items = fixture()
    stacked = StackedHybrid(random_state=0).fit(train, items)
    u, i = test["user"].to_numpy(), test["item"].to_numpy()
    assert len(stacked.blender_.coef_) == 3
    flat = stacked.predict(u, i)
    block = stacked.score(np.unique(u), np.unique(i))
    assert np.isfinite(block).all()
    assert rmse(flat, test) < rmse(np.full(len(test), train["rating"].mean()), test)
