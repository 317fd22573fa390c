"""MLflow logging (recbench[mlflow]) against a local file store in tmp_path."""

from __future__ import annotations

import os
import sys

import pytest

import recbench
from recbench.cli.main import main
from recbench.integrations.mlflow import log_run, metric_name, tracking_uri
from tests.support import tiny_ratings


@pytest.fixture(scope="module")
def small_run():
    frame = tiny_ratings(n_users=40, n_items=30, density=0.5, seed=3)
    return recbench.run(frame, ["svd", "popularity"], folds=2, k=[5], seed=0,
                        save_recommendations=3)


def _client(store):
    pytest.importorskip("mlflow", reason="mlflow-skinny is in the test extra: pip install -e '.[test]'")
    from mlflow.tracking import MlflowClient
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"       # reading back, in this test only
    try:
        return MlflowClient(tracking_uri=tracking_uri(store))
    finally:
        del os.environ["MLFLOW_ALLOW_FILE_STORE"]


def test_metric_names():
    assert metric_name("ndcg@10") == "ndcg_at_10"
    assert metric_name("fit_time_s") == "fit_time_s"
    assert metric_name("a:b") == "a_b"


def test_parent_and_children_with_params_metrics_tags_artifacts(tmp_path, small_run):
    pytest.importorskip("mlflow", reason="mlflow-skinny is in the test extra: pip install -e '.[test]'")
    before = os.environ.get("MLFLOW_ALLOW_FILE_STORE")
    parent_id = log_run(small_run, tmp_path / "mlruns", experiment_name="bench")
    assert os.environ.get("MLFLOW_ALLOW_FILE_STORE") == before, "the environment is restored"
    client = _client(tmp_path / "mlruns")
    exp = client.get_experiment_by_name("bench")
    runs = {r.info.run_name: r for r in client.search_runs([exp.experiment_id])}
    assert set(runs) == {"dataframe-kfold", "svd", "popularity"}
    parent = runs.pop("dataframe-kfold")
    assert parent.info.run_id == parent_id and parent.info.status == "FINISHED"
    tags = parent.data.tags
    assert tags["recbench.dataset_sha256"] == small_run.manifest["dataset"]["sha256"]
    assert tags["recbench.split"] == "kfold"
    assert tags["recbench.version"] == recbench.__version__
    assert '"ties"' in tags["recbench.protocol"]
    assert parent.data.params["k"] == "[5]" and parent.data.params["seed"] == "0"
    artifacts = {a.path for a in client.list_artifacts(parent_id)}
    assert {"run.json", "per_user.csv.gz", "results.md", "recommendations.parquet"} <= artifacts
    for label, child in runs.items():
        assert child.data.tags["mlflow.parentRunId"] == parent_id
        assert child.data.tags["recbench.algorithm"] == label
        metrics = child.data.metrics
        for r in small_run.results:
            if r["algorithm"] != label:
                continue
            key = metric_name(r["metric"])
            assert metrics[key] == pytest.approx(r["mean"])
            for fold, value in zip(("fold1", "fold2"), r["folds"]):
                assert metrics[f"{key}_fold_{fold}"] == pytest.approx(value)
        assert "ndcg_at_5" in metrics and "ndcg_at_5_ci_low" in metrics
        assert not any("@" in k for k in metrics)
    assert runs["svd"].data.params["n_factors"] == "100"


def test_cli_run_with_mlflow(tmp_path, monkeypatch, capsys):
    pytest.importorskip("mlflow", reason="mlflow-skinny is in the test extra: pip install -e '.[test]'")
    monkeypatch.chdir(tmp_path)                  # --mlflow without a URI: ./mlruns
    assert main(["run", "--algorithms", "popularity", "--folds", "2", "--k", "5",
                 "--output-dir", "out", "--mlflow", "--mlflow-experiment", "cli"]) == 0
    assert "Logged to MLflow" in capsys.readouterr().err
    client = _client(tmp_path / "mlruns")
    runs = client.search_runs([client.get_experiment_by_name("cli").experiment_id])
    assert sorted(r.info.run_name for r in runs) == ["ml-latest-small-kfold", "popularity"]
    assert main(["run", "--mlflow", "svd=x.csv", "-q"]) == 2
    assert "--mlflow=URI" in capsys.readouterr().err


def test_missing_mlflow_is_one_sentence(tmp_path, monkeypatch, small_run, capsys):
    monkeypatch.setitem(sys.modules, "mlflow", None)
    monkeypatch.setitem(sys.modules, "mlflow.tracking", None)
    with pytest.raises(recbench.ConfigError, match=r"pip install 'recbench\[mlflow\]'"):
        log_run(small_run, tmp_path / "mlruns")
    assert main(["run", "--algorithms", "popularity", "--mlflow", "-q",
                 "--output-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "pip install 'recbench[mlflow]'" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists(), "refused before any work"
