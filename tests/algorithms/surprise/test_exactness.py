"""recbench's vectorised scoring equals Surprise's own estimate(), and its RMSE equals
Surprise's on ml-100k u1."""

import json

import numpy as np
import pytest
import surprise
from surprise import accuracy

from recbench.algorithms.surprise import (
    baseline_only,
    co_clustering,
    knn,
    slope_one,
    svd,
)
from recbench.cli.main import main

CASES = [
    (svd.SVD, {"random_state": 0}),
    (knn.KNNWithMeans, {}),
    (knn.KNNWithMeans, {"user_based": False, "sim": "pearson"}),
    (baseline_only.BaselineOnly, {}),
    (knn.KNNBaseline, {}),
    (knn.KNNBaseline, {"sim": "pearson_baseline", "bsl_method": "sgd"}),
    (knn.KNNBasic, {"k": 20, "min_k": 5}),     # min_k: too few neighbours -> the fallback
    (svd.SVDpp, {"random_state": 0, "n_epochs": 5}),
    (svd.NMF, {"random_state": 0}),
    (svd.NMF, {"random_state": 0, "biased": True}),
    (slope_one.SlopeOne, {}),
    (co_clustering.CoClustering, {"random_state": 0}),
]


@pytest.fixture(scope="module")
def pairs(u1):
    g = np.random.default_rng(7)
    users = np.r_[g.choice(u1.train["user"].unique(), 80, replace=False), ["no-such-user"]]
    cold_items = np.setdiff1d(u1.test["item"].unique(), u1.train["item"].unique())[:4]
    items = np.r_[g.choice(u1.train["item"].unique(), 130, replace=False), ["no-such-item"], cold_items]
    return users, items          # 81 x 135 = 10,935 pairs, unknown users and items included


@pytest.mark.parametrize("cls,params", CASES, ids=lambda v: getattr(v, "__name__", str(v)))
def test_vectorised_scores_equal_surprise_estimate(u1, pairs, cls, params):
    users, items = pairs
    algo = cls(**params).fit(u1.train)
    block = algo.score(users, items)
    reference = np.array([[algo.model_.predict(u, i, clip=False).est for i in items] for u in users])
    assert block.shape == (len(users), len(items)) and block.size >= 10_000
    assert np.abs(block - reference).max() < 1e-9
    flat = algo.predict(np.repeat(users, len(items)), np.tile(items, len(users)))
    assert np.abs(flat - reference.ravel()).max() < 1e-9


def test_cli_knnwithmeans_rmse_equals_surprise_on_u1(ml100k_dir, tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["run", "--dataset", "ml-100k", "--data-dir", str(ml100k_dir.parent),
                 "--split", "u1", "--algorithms", "svd,knnwithmeans", "--seed", "0",
                 "--output-dir", str(out), "-q"])
    assert code == 0
    table = capsys.readouterr().out
    assert "knnwithmeans" in table and "svd" in table
    record = json.loads((out / "run.json").read_text())
    knn_rmse = next(r for r in record["results"]
                    if r["algorithm"] == "knnwithmeans" and r["metric"] == "rmse")
    ours = knn_rmse["mean"]
    # a single split gets a bootstrap interval over users around the pooled RMSE
    assert knn_rmse["interval"] == "bootstrap over users"
    assert knn_rmse["ci_low"] < ours < knn_rmse["ci_high"] and knn_rmse["ci_high"] - knn_rmse["ci_low"] < 0.1
    assert record["protocol"]["counts"]["ranked_users"] > 400

    reader = surprise.Reader("ml-100k")
    folds = [(str(ml100k_dir / "u1.base"), str(ml100k_dir / "u1.test"))]
    data = surprise.Dataset.load_from_folds(folds, reader=reader)
    trainset, testset = next(iter(surprise.model_selection.PredefinedKFold().split(data)))
    algo = surprise.KNNWithMeans(verbose=False).fit(trainset)
    theirs = accuracy.rmse(algo.test(testset), verbose=False)
    assert ours == pytest.approx(theirs, abs=1e-4)
    assert 0.9 < ours < 1.0
