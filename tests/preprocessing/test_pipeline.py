"""Preprocessing (issue 23): binarisation, interaction-count filters and the k-core as
recorded steps, checked against a plain-pandas implementation written here, on ml-100k."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import recbench
from recbench.cli.main import main
from recbench.config import load_experiment
from recbench.datasets import from_frame, load_dataset
from recbench.errors import ConfigError, DataError
from recbench.experiments.jobstore import job_key
from recbench.preprocessing import preprocess
from tests.support import tiny_ratings

TOPN = ["popularity", "itemknn", "userknn", "ease", "rp3beta", "puresvd", "ials", "bpr"]


def plain_k_core(frame: pd.DataFrame, k: int) -> tuple[pd.DataFrame, int]:
    """The iterated k-core in plain pandas: each round counts users and items on the same
    rows and drops both at once; the round that drops nothing is counted."""
    rounds = 0
    while True:
        rounds += 1
        users = frame["user"].map(frame["user"].value_counts())
        items = frame["item"].map(frame["item"].value_counts())
        kept = frame[(users >= k) & (items >= k)]
        if len(kept) == len(frame):
            return frame, rounds
        frame = kept


def raw_ml100k(folder) -> pd.DataFrame:
    return pd.read_csv(folder / "u.data", sep="\t", names=["user", "item", "rating", "timestamp"])


def test_ml100k_binarised_and_k_cores_match_plain_pandas(ml100k, ml100k_dir):
    raw = raw_ml100k(ml100k_dir)
    positive = raw[raw["rating"] >= 4]
    binarised = preprocess(ml100k, {"positive_threshold": 4})
    assert len(positive) == len(binarised.ratings) == 55_375
    step = binarised.preprocessing[0]
    assert (step["kept"], step["dropped"]) == (55_375, 44_625)
    assert binarised.feedback == "interactions" and (binarised.ratings["rating"] == 1).all()
    for k, expected in ((10, (887, 822, 52_764, 4)), (5, (938, 1_008, 54_413, 2))):
        core, rounds = plain_k_core(positive, k)
        assert (core["user"].nunique(), core["item"].nunique(), len(core), rounds) == expected
        ds = preprocess(ml100k, {"positive_threshold": 4, "k_core": k})
        last = ds.preprocessing[-1]
        assert last["step"] == "k_core" and last["converged"]
        assert (last["after"]["users"], last["after"]["items"], last["after"]["interactions"],
                last["rounds"]) == expected
        assert (ds.provenance.n_users, ds.provenance.n_items, ds.provenance.n_ratings) == expected[:3]
        assert ds.provenance.sha256 == ml100k.provenance.sha256       # the raw file's
        got = set(zip(ds.ratings["user"].astype(int), ds.ratings["item"].astype(int)))
        assert got == set(zip(core["user"], core["item"]))


def test_min_user_and_item_filters_are_one_pass_each(ml100k, ml100k_dir):
    raw = raw_ml100k(ml100k_dir)
    positive = raw[raw["rating"] >= 4]
    users = positive[positive["user"].map(positive["user"].value_counts()) >= 20]
    both = users[users["item"].map(users["item"].value_counts()) >= 20]
    ds = preprocess(ml100k, {"positive_threshold": 4, "min_user_interactions": 20,
                             "min_item_interactions": 20})
    assert [s["step"] for s in ds.preprocessing] == ["positive_threshold", "min_user_interactions",
                                                     "min_item_interactions"]
    assert ds.preprocessing[1]["after"]["interactions"] == len(users)
    assert ds.preprocessing[2]["after"] == {"users": both["user"].nunique(),
                                            "items": both["item"].nunique(),
                                            "interactions": len(both)}


def test_predefined_folds_follow_the_kept_rows(ml100k):
    ds = preprocess(ml100k, {"positive_threshold": 4})
    train, test = ds.predefined_folds["u1"]
    assert len(train) + len(test) == 55_375
    assert len(set(train) | set(test)) == 55_375


def test_k_core_that_does_not_converge_is_a_warning(ml100k, tmp_path):
    run = recbench.run(ml100k, ["popularity"], split="holdout",
                       preprocess={"positive_threshold": 4, "k_core": 10, "k_core_rounds": 2})
    step = run.manifest["dataset"]["preprocessing"][-1]
    assert (step["rounds"], step["converged"]) == (2, False)
    assert any("did not converge in 2 rounds" in w for w in run.record["warnings"])
    run.save(tmp_path / "run")
    page = (tmp_path / "run" / "results.md").read_text()
    assert "## Preprocessing" in page and "2 rounds, not converged" in page


def equivalent_pair(tmp_path):
    """The same interactions as a file of (user, item, timestamp) and as ratings to binarise."""
    ratings = tiny_ratings(60, 80, 0.4, seed=3)
    positive = ratings[ratings["rating"] >= 4]
    log = tmp_path / "log.csv"
    positive[["user", "item", "timestamp"]].to_csv(log, index=False)
    return ratings, log


def test_interaction_file_equals_binarised_ratings_for_every_ranking_model(tmp_path):
    ratings, log = equivalent_pair(tmp_path)
    settings = {"folds": 2, "k": [5, 10], "seed": 1}
    a = recbench.run(log, TOPN, **settings)
    b = recbench.run(ratings, TOPN, preprocess={"positive_threshold": 4}, **settings)
    assert a.manifest["dataset"]["n_ratings"] == b.manifest["dataset"]["n_ratings"]
    left, right = (r.summary().query("~metric.str.endswith('_s')").reset_index(drop=True)
                   for r in (a, b))
    assert set(left["algorithm"]) == set(TOPN)
    pd.testing.assert_frame_equal(left, right)


def test_relevance_threshold_at_the_scale_minimum_makes_every_rating_relevant():
    run = recbench.run(tiny_ratings(), ["popularity"], split="holdout", relevance_threshold=1,
                       csv={"rating_scale": (1, 5)})
    assert run.record["protocol"]["relevance"].startswith("every held-out rating")
    with pytest.raises(ConfigError, match=r"outside the rating scale \[1, 5\]"):
        recbench.run(tiny_ratings(), ["popularity"], relevance_threshold=0.5,
                     csv={"rating_scale": (1, 5)})


def test_preprocessing_is_part_of_the_job_key():
    frame = tiny_ratings()
    plain = recbench.experiment(frame, ["popularity"], preprocess={"positive_threshold": 3})
    other = recbench.experiment(frame, ["popularity"], preprocess={"positive_threshold": 3,
                                                                    "min_user_interactions": 1})
    spec = plain.algorithms[0]
    assert job_key(plain, spec, "fold1") != job_key(other, spec, "fold1")


@pytest.mark.parametrize("options, message", [
    (["--k-core", "0"], "k_core (--k-core) 0 must be a whole number >= 1"),
    (["--min-user-interactions", "0"], "must be a whole number >= 1"),
    (["--k-core-rounds", "5"], "limits the k-core, which is not asked for"),
    (["--positive-threshold", "6"], "--positive-threshold 6 is above every rating"),
    (["--k-core", "100000"], "preprocessing step k_core (k 100000, max_rounds 100) leaves 0"),
    (["--min-item-interactions", "1000"], "preprocessing step min_item_interactions (min 1000)"),
    (["--positive-threshold", "4", "--algorithms", "popularity,svd"],
     "svd learns from ratings, and"),
])
def test_bad_preprocessing_exits_2_before_any_fold(tmp_path, capsys, options, message):
    path = tmp_path / "ratings.csv"
    tiny_ratings().to_csv(path, index=False)
    argv = ["run", "--dataset", str(path), "-q", "--output-dir", str(tmp_path / "out"), *options]
    if "--algorithms" not in options:
        argv += ["--algorithms", "popularity"]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_threshold_on_interactions_is_refused():
    ds = from_frame(pd.DataFrame({"user": ["a", "b", "a"], "item": ["x", "y", "y"]}))
    with pytest.raises(ConfigError, match="holds interactions already"):
        preprocess(ds, {"positive_threshold": 1})


def test_fewer_than_two_users_is_refused():
    ds = from_frame(pd.DataFrame({"user": ["a", "a", "b"], "item": ["x", "y", "x"],
                                  "rating": [5.0, 4.0, 1.0]}))
    with pytest.raises(DataError, match="leaves 2 interactions of 1 user"):
        preprocess(ds, {"positive_threshold": 4})


def test_experiment_file_preprocess_table_is_strict(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('dataset = "x.csv"\n[preprocess]\npositive_threshold = 4\nk_core = 5\n'
                    '[algorithms.popularity]\n')
    assert load_experiment(good).preprocess == {"positive_threshold": 4.0, "k_core": 5}
    bad = tmp_path / "bad.toml"
    bad.write_text('dataset = "x.csv"\n[preprocess]\nkcore = 5\n[algorithms.popularity]\n')
    with pytest.raises(ConfigError, match=r"bad.toml: \[preprocess\]: unknown key 'kcore'"):
        load_experiment(bad)


def test_registered_dataset_refuses_reading_options():
    with pytest.raises(ConfigError, match="--feedback describes a rating file"):
        recbench.experiment("ml-latest-small", ["popularity"], feedback="interactions")


def test_min_filters_drop_sparse_users(tmp_path):
    frame = pd.DataFrame({"user": list("aaabbc"), "item": list("xyzxyx")})
    ds = preprocess(from_frame(frame), {"min_user_interactions": 2})
    assert sorted(ds.ratings["user"].astype(str).unique()) == ["a", "b"]
    assert np.array_equal(ds.ratings["weight"].to_numpy(), np.ones(5))
    assert load_dataset(ds) is ds
