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


# -- user-temporal: per-user leave-last-out ---------------------------------------------------
def _frame(rows):
    return make_dataset("t", pd.DataFrame(rows, columns=["user", "item", "rating", "timestamp"]),
                        None, (1, 5), "memory", "0" * 64)


def test_user_temporal_holds_out_each_users_latest_ratings_by_hand():
    # a: t = 5, 1, 9, 3 -> latest two are i3 (9) and i1 (5); b: t = 2, 7 -> latest is j2 (7),
    # and one of b's two stays in training; c has one rating: it stays in training.
    ds = _frame([("a", "i1", 4, 5), ("a", "i2", 3, 1), ("a", "i3", 5, 9), ("a", "i4", 2, 3),
                 ("b", "j1", 1, 2), ("b", "j2", 2, 7), ("c", "k1", 3, 4)])
    fold = make_folds(ds, "user-temporal", np.random.default_rng(0), leave_out=2)[0]
    assert key(fold.test) == {("a", "i3"), ("a", "i1"), ("b", "j2")}
    assert key(fold.train) == {("a", "i2"), ("a", "i4"), ("b", "j1"), ("c", "k1")}
    assert fold.name == "user-temporal-leave2out"
    share = make_folds(ds, "user-temporal", np.random.default_rng(0), test_size=0.25)[0]
    assert key(share.test) == {("a", "i3"), ("b", "j2")}       # round(0.25 * 4) = 1, and >= 1


def test_user_temporal_equals_a_pandas_leave_last_out_and_breaks_ties_by_seed(ds):
    r = ds.ratings.copy()
    fold = make_folds(ds, "user-temporal", np.random.default_rng(3), leave_out=2)[0]
    expected = set()                          # pandas: sort each user's ratings latest first
    for user, g in r.groupby("user", observed=True):
        g = g.sort_values("timestamp", ascending=False, kind="stable")
        expected |= set(zip(g["user"].iloc[:min(2, len(g) - 1)], g["item"].iloc[:min(2, len(g) - 1)]))
    assert key(fold.test) == expected        # tiny_ratings' timestamps have no ties
    # equal timestamps: the cut falls inside a tie; the seed decides which side, reproducibly
    ds2 = _frame([("a", f"i{n}", 3, 10) for n in range(6)] + [("a", "old", 3, 1)])
    picks = {frozenset(key(make_folds(ds2, "user-temporal", np.random.default_rng(s),
                                      leave_out=2)[0].test)) for s in range(12)}
    assert len(picks) > 1 and all(("a", "old") not in p and len(p) == 2 for p in picks)
    again = make_folds(ds2, "user-temporal", np.random.default_rng(5), leave_out=2)[0]
    assert key(again.test) == key(make_folds(ds2, "user-temporal", np.random.default_rng(5),
                                             leave_out=2)[0].test)


def test_user_temporal_needs_timestamps_and_one_amount(ds):
    with pytest.raises(ConfigError, match="not both"):
        make_folds(ds, "user-temporal", leave_out=1, test_size=0.2)
    no_time = make_dataset("n", tiny_ratings().drop(columns="timestamp"), None, (1, 5),
                           "memory", "0" * 64)
    with pytest.raises(ConfigError, match="timestamp"):
        make_folds(no_time, "user-temporal", leave_out=1)
