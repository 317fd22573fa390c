"""Shared fixtures: a seeded rng, tiny rating frames and the ml-100k folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support import ML100K, tiny_ratings


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


@pytest.fixture
def tiny():
    return tiny_ratings()
