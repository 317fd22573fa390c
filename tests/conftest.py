"""Shared fixtures: a seeded rng, tiny rating frames and the ml-100k folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
ML100K = SHARED / "ml-100k"


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def ml100k_dir() -> Path:
    if not (ML100K / "u.data").is_file():
        pytest.skip(f"ml-100k is not at {ML100K} (its license forbids shipping it with recbench)")
    return ML100K


@pytest.fixture(scope="session")
def ml100k(ml100k_dir):
    from recbench.datasets import load_dataset
    return load_dataset("ml-100k", data_dir=ml100k_dir.parent)


@pytest.fixture(scope="session")
def u1(ml100k):
    from recbench.splitting import make_folds
    return make_folds(ml100k, "u1")[0]


def tiny_ratings(n_users=30, n_items=40, density=0.4, seed=0) -> pd.DataFrame:
    """A small random rating frame on the 1-5 scale with string ids."""
    g = np.random.default_rng(seed)
    mask = g.random((n_users, n_items)) < density
    u, i = np.nonzero(mask)
    taste = g.normal(size=(n_users, 3)) @ g.normal(size=(3, n_items))
    ratings = np.clip(np.round(3 + taste[u, i]), 1, 5)
    return pd.DataFrame({"user": [f"u{x}" for x in u], "item": [f"i{x}" for x in i],
                         "rating": ratings.astype(float), "timestamp": g.integers(1e9, 2e9, len(u))})


@pytest.fixture
def tiny():
    return tiny_ratings()
