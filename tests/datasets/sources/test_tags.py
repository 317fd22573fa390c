"""ml-latest-small's tags as a registered interaction dataset, and runs on ml-100k as
interaction data (binarised at >= 4, with and without the 10-core) (issue 23)."""

from __future__ import annotations

import pandas as pd
import pytest

import recbench
from recbench.datasets import load_dataset, registered
from recbench.datasets.registry import register
from recbench.datasets.sources.loaders import ml_latest_small_tags
from tests.support import ROOT

TAGS = ROOT / "datasets" / "ml-latest-small" / "tags.csv"


@pytest.fixture(scope="module", autouse=True)
def tags_registered():
    # registered by its entry point in pyproject.toml; an editable install made before the
    # entry point was added does not list it until reinstalled, so register it here then
    if "ml-latest-small-tags" not in registered():
        register(ml_latest_small_tags)


def test_tags_are_weighted_interactions():
    ds = load_dataset("ml-latest-small-tags")
    raw = pd.read_csv(TAGS)
    assert (len(raw), raw["userId"].nunique(), raw["movieId"].nunique()) == (3_683, 58, 1_572)
    assert raw.duplicated(["userId", "movieId"]).sum() == 1_908
    assert ds.feedback == "interactions" and ds.weight == "count"
    assert (ds.provenance.n_users, ds.provenance.n_items, len(ds.ratings)) == (58, 1_572, 1_775)
    assert ds.ratings["weight"].sum() == 3_683
    assert ds.provenance.integrity == "verified"
    assert ds.items.loc["1", "title"].startswith("Toy Story")


def test_tags_run_with_interaction_models_and_refuse_rating_models():
    run = recbench.run("ml-latest-small-tags", ["popularity", "itemknn", "ials"],
                       split="temporal", test_size=0.2, k=[10])
    ndcg = run.summary().query("metric == 'ndcg@10'")
    assert len(ndcg) == 3 and ndcg["mean"].notna().all()
    with pytest.raises(recbench.ConfigError, match="svd learns from ratings"):
        recbench.run("ml-latest-small-tags", ["svd"])


@pytest.mark.parametrize("preprocess, n", [({"positive_threshold": 4}, 55_375),
                                           ({"positive_threshold": 4, "k_core": 10}, 52_764)])
def test_ml100k_as_interactions(ml100k_dir, preprocess, n):
    run = recbench.run("ml-100k", ["popularity", "ease"], split="holdout", k=[10],
                       data_dir=ml100k_dir.parent, preprocess=preprocess)
    d = run.manifest["dataset"]
    assert d["feedback"] == "interactions" and d["n_ratings"] == n
    assert d["preprocessing"][0]["step"] == "positive_threshold"
    means = run.summary().query("metric == 'ndcg@10'").set_index("algorithm")["mean"]
    assert means["ease"] > means["popularity"] > 0
    assert "rmse" not in set(run.summary()["metric"])
