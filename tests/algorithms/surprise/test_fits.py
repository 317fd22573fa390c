"""The compiled fits (engine="compiled") equal Surprise's own (engine="surprise") on ml-100k u1:
fitted parameters, predictions on every test pair and scores on a block of user x item cells."""

import pickle

import numpy as np
import pytest

from recbench.algorithms.surprise import baseline_only, knn, svd
from recbench.algorithms.surprise.adapter import build_trainset
from recbench.algorithms.surprise.codes import CodedRatings

TOL = 1e-9
CASES = [
    (svd.SVD, {"random_state": 0}, ("bu", "bi", "pu", "qi")),
    (svd.SVD, {"random_state": 1, "biased": False}, ("bu", "bi", "pu", "qi")),
    (baseline_only.BaselineOnly, {}, ("bu", "bi")),
    (baseline_only.BaselineOnly, {"method": "sgd"}, ("bu", "bi")),
    (baseline_only.BaselineOnly, {"method": "als", "n_epochs": 3, "reg_u": 5, "reg_i": 2.5}, ("bu", "bi")),
    (svd.SVDpp, {"random_state": 0, "n_epochs": 3}, ("bu", "bi", "pu", "qi", "yj")),
]
IDS = ["svd", "svd-unbiased", "baseline-als", "baseline-sgd", "baseline-als-params", "svdpp"]


def fitted_pair(cls, params, train):
    return (cls(**params, engine="compiled").fit(train),
            cls(**params, engine="surprise").fit(train))


def assert_equal_fits(ours, theirs, attributes, test, pairs):
    assert list(ours.users_) == list(theirs.users_) and list(ours.items_) == list(theirs.items_)
    assert ours.global_mean_ == theirs.global_mean_
    for name in attributes:
        a, b = np.asarray(getattr(ours.model_, name)), np.asarray(getattr(theirs.model_, name))
        assert a.shape == b.shape and np.abs(a - b).max(initial=0.0) < TOL, name
    users, items = test["user"].to_numpy(), test["item"].to_numpy()
    diff = np.abs(ours.predict(users, items) - theirs.predict(users, items)).max()
    assert diff < TOL, "predictions on the test pairs"
    block_users, block_items = pairs
    diff = np.abs(ours.score(block_users, block_items) - theirs.score(block_users, block_items)).max()
    assert diff < TOL, "scores on the user x item block"


@pytest.fixture(scope="module")
def pairs(u1):
    g = np.random.default_rng(11)
    users = np.r_[g.choice(u1.train["user"].unique(), 60, replace=False), ["no-such-user"]]
    items = np.r_[g.choice(u1.train["item"].unique(), 200, replace=False), ["no-such-item"]]
    return users, items


@pytest.fixture(scope="module")
def shuffled(u1):
    train = u1.train.sample(frac=1.0, random_state=5).reset_index(drop=True)
    assert not train["user"].is_monotonic_increasing
    return train


@pytest.mark.parametrize("cls,params,attributes", CASES, ids=IDS)
def test_compiled_fit_equals_surprise_on_u1(u1, pairs, cls, params, attributes):
    ours, theirs = fitted_pair(cls, params, u1.train)
    assert type(ours.model_) is type(theirs.model_)
    assert_equal_fits(ours, theirs, attributes, u1.test, pairs)


@pytest.mark.parametrize("cls,params,attributes", [CASES[0], CASES[2], CASES[3], CASES[5]],
                         ids=["svd", "baseline-als", "baseline-sgd", "svdpp"])
def test_compiled_fit_equals_surprise_on_shuffled_rows(u1, pairs, shuffled, cls, params, attributes):
    ours, theirs = fitted_pair(cls, params, shuffled)
    # inner ids follow first appearance in the shuffled rows, not the sorted ids
    assert ours.users_[0] == shuffled["user"].iloc[0] and ours.items_[0] == shuffled["item"].iloc[0]
    assert list(ours.users_) != list(u1.train["user"].unique())
    assert_equal_fits(ours, theirs, attributes, u1.test, pairs)


def test_coded_trainset_equals_surprises(shuffled):
    mine, theirs = CodedRatings(shuffled).trainset(), build_trainset(shuffled)
    assert (mine.n_users, mine.n_items, mine.n_ratings) == (theirs.n_users, theirs.n_items,
                                                            theirs.n_ratings)
    assert mine.rating_scale == theirs.rating_scale and mine.global_mean == theirs.global_mean
    assert list(mine.all_ratings()) == list(theirs.all_ratings())
    assert dict(mine.ur) == dict(theirs.ur) and dict(mine.ir) == dict(theirs.ir)
    raw = shuffled["user"].iloc[123]
    assert mine.to_inner_uid(raw) == theirs.to_inner_uid(raw)
    assert mine.to_raw_iid(7) == theirs.to_raw_iid(7)


def test_compiled_is_the_default_where_proven():
    for cls in (svd.SVD, baseline_only.BaselineOnly, svd.SVDpp):
        assert cls().engine == "compiled" and "engine" in cls.param_constraints
    assert "engine" not in svd.NMF().get_params()          # NMF (an SVD subclass) keeps Surprise's
    assert "bsl_engine" not in knn.KNNBaseline.param_constraints


def test_compiled_model_predicts_through_surprise_and_pickles(u1):
    algo = svd.SVD(random_state=0, n_epochs=2).fit(u1.train)
    user, item = u1.test["user"].iloc[0], u1.test["item"].iloc[0]
    est = algo.model_.predict(user, item, clip=False).est          # Surprise's own estimate()
    assert est == pytest.approx(algo.predict(np.array([user]), np.array([item]))[0], abs=TOL)
    again = pickle.loads(pickle.dumps(algo))
    assert np.array_equal(again.score(np.array([user]), np.array([item])),
                          algo.score(np.array([user]), np.array([item])))
