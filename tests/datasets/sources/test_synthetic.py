"""The seeded MovieLens-shaped generator (recbench.datasets.synthetic) and its files, read
back by the real loaders."""

import numpy as np
import pytest

from recbench.datasets import load_dataset
from recbench.datasets.sources import synthetic


@pytest.fixture(scope="module")
def small():
    return synthetic.shape("ml-10m", 60_000)


def test_exact_counts_distinct_pairs_and_movielens_floor(small):
    frame = synthetic.movielens_shaped(small, seed=3)
    assert len(frame) == small.ratings == 60_000
    assert frame["user"].nunique() == small.users and frame["item"].max() <= small.items
    assert not frame.duplicated(["user", "item"]).any()
    per_user = frame.groupby("user").size()
    assert per_user.min() >= synthetic.MIN_PER_USER          # MovieLens keeps users with >= 20
    assert per_user.max() <= 0.9 * small.items
    # half stars on 0.5-5, sorted by user then item as GroupLens' files are
    assert set(np.unique(frame["rating"] * 2)) <= set(range(1, 11))
    keys = frame["user"].to_numpy() * 10**6 + frame["item"].to_numpy()
    assert (np.diff(keys) > 0).all()


def test_skew_popularity_and_activity(small):
    frame = synthetic.movielens_shaped(small, seed=3)
    counts = np.sort(frame.groupby("item").size().to_numpy())[::-1]
    top = counts[: max(1, len(counts) // 10)].sum() / counts.sum()
    assert top > 0.2                    # the top 10% of items hold far more than 10%
    activity = frame.groupby("user").size()
    assert activity.max() > 4 * activity.median()      # a long tail of very active users


def test_same_seed_same_table_other_seed_other_table(small):
    a = synthetic.movielens_shaped(small, seed=1)
    assert a.equals(synthetic.movielens_shaped(small, seed=1))
    assert not a.equals(synthetic.movielens_shaped(small, seed=2))


@pytest.mark.parametrize("name", ["ml-1m", "ml-25m"])
def test_written_release_reads_back_through_the_real_loader(tmp_path, name):
    spec = synthetic.shape(name, 30_000)
    frame = synthetic.movielens_shaped(spec, seed=0)
    folder = synthetic.write_release(frame, tmp_path, spec)
    assert folder.name == synthetic.SHAPES[name].folder
    ds = load_dataset(name, data_dir=tmp_path, download=False)
    assert ds.provenance.n_ratings == len(frame)
    back = ds.ratings.sort_values(["user", "item"], key=lambda s: s.astype(int))
    assert (back["rating"].to_numpy() == frame["rating"].to_numpy()).all()
    assert (back["user"].astype(int).to_numpy() == frame["user"].to_numpy()).all()
    assert len(ds.items) == frame["item"].max() and ds.items["text"].str.len().gt(0).all()
