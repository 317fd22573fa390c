import numpy as np
import pandas as pd
import pytest

from recbench.datasets.dataset import make_dataset
from recbench.errors import ConfigError
from recbench.splitting import make_folds
from tests.support import tiny_ratings


@pytest.fixture
def ds():
    return make_dataset("tiny", tiny_ratings(), None, (1, 5), "memory", "0" * 64)


def key(frame):
    return set(zip(frame["user"], frame["item"]))


def test_kfold_partitions_ratings_and_is_seeded(ds):
    folds = make_folds(ds, "kfold", np.random.default_rng(0), n_folds=4)
    tests = [key(f.test) for f in folds]
    assert sum(len(t) for t in tests) == len(ds.ratings)
    assert set().union(*tests) == key(ds.ratings)
    for f in folds:
        assert not key(f.train) & key(f.test)
        assert len(f.train) + len(f.test) == len(ds.ratings)
    again = make_folds(ds, "kfold", np.random.default_rng(0), n_folds=4)
    other = make_folds(ds, "kfold", np.random.default_rng(1), n_folds=4)
    assert [key(f.test) for f in again] == tests
    assert [key(f.test) for f in other] != tests


def test_training_rows_keep_file_order(ds):
    fold = make_folds(ds, "kfold", np.random.default_rng(0))[0]
    pos = {k: n for n, k in enumerate(zip(ds.ratings["user"], ds.ratings["item"]))}
    order = [pos[k] for k in zip(fold.train["user"], fold.train["item"])]
    assert order == sorted(order)


def test_holdout_share(ds):
    fold = make_folds(ds, "holdout", np.random.default_rng(0), test_size=0.25)[0]
    assert len(fold.test) == round(0.25 * len(ds.ratings))


def test_per_user_leave_one_out_and_share(ds):
    fold = make_folds(ds, "user", np.random.default_rng(0), leave_out=1)[0]
    counts = ds.ratings.groupby("user").size()
    assert (fold.test.groupby("user").size() == 1).all()
    assert fold.test["user"].nunique() == (counts > 1).sum()
    share = make_folds(ds, "user", np.random.default_rng(0), test_size=0.3)[0]
    per = share.test.groupby("user").size() / counts.reindex(share.test.groupby("user").size().index)
    assert ((per - 0.3).abs() < 0.5 / counts.min() + 1e-9).all()
    assert set(share.train["user"]) == set(ds.ratings["user"])


def test_temporal_split_puts_latest_ratings_in_test(ds):
    fold = make_folds(ds, "temporal", test_size=0.2)[0]
    assert fold.train["timestamp"].max() <= fold.test["timestamp"].min()


def test_fold_stats_count_cold_start():
    r = pd.DataFrame({"user": ["a", "a", "b", "c"], "item": ["x", "y", "x", "z"],
                      "rating": [1.0, 2, 3, 4]})
    from recbench.splitting.folds import Fold
    stats = Fold("f", r.iloc[:2], r.iloc[2:]).stats()
    assert stats["test_only_users"] == 2 and stats["test_only_items"] == 1
    assert stats["test_ratings_with_unknown_user_or_item"] == 2


def test_bad_split_options(ds):
    with pytest.raises(ConfigError, match="--folds 1"):
        make_folds(ds, "kfold", n_folds=1)
    with pytest.raises(ConfigError, match="unknown --split .u1. for tiny"):
        make_folds(ds, "u1")
    with pytest.raises(ConfigError, match="unknown --split"):
        make_folds(ds, "bogus")
