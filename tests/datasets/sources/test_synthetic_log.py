"""Seeded synthetic interaction logs with weights, and the scale benchmark's interaction
case on a small log (the benchmark runs it at 10M interactions; not here)."""

from __future__ import annotations

import importlib.util

from recbench.datasets import CsvOptions, load_dataset
from recbench.datasets.sources import synthetic
from recbench.datasets.sources.synthetic_log import interaction_log, write_log
from tests.support import ROOT


def test_log_is_seeded_weighted_and_reads_back_as_interactions(tmp_path):
    spec = synthetic.shape("ml-10m", 20_000)
    log = interaction_log(spec, seed=0)
    assert len(log) == 20_000 and not log.duplicated(["user", "item"]).any()
    assert (log["weight"] >= 1).all() and log["weight"].max() > 1
    assert log.equals(interaction_log(spec, seed=0))
    assert not log.equals(interaction_log(spec, seed=1))
    ds = load_dataset(write_log(log, tmp_path / "log.csv"), csv_options=CsvOptions(weight_col="weight"))
    assert ds.feedback == "interactions" and ds.weight == "weight"
    assert ds.ratings["weight"].sum() == log["weight"].sum()


def test_scale_benchmark_interaction_case_smoke(tmp_path):
    spec = importlib.util.spec_from_file_location("scale", ROOT / "benchmarks" / "scale.py")
    scale = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scale)
    config = scale.interaction_config(20_000, tmp_path, 0)
    result = scale.child(config)
    assert result["ratings"] == 20_000 and result["failures"] == 0
    assert set(result["fit_s"]) == {"popularity-weighted", "ials"}
    assert result["metrics"]["ials"]["ndcg@10"] > 0
