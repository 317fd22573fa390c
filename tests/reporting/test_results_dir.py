"""Experiment files, re-rendering tables from run records, plots, and comparing two runs."""

import json
import shutil

import pytest

from recbench.cli.main import main
from recbench.config import load_experiment
from recbench.errors import ConfigError
from tests.support import ROOT, tiny_ratings

EXPERIMENT = """
name = "tiny"
description = "a small experiment for the tests"
dataset = "{data}"
split = "kfold"
folds = 3
k = [5, 10]
seed = 1
metrics = ["rmse", "mae", "precision@10", "ndcg@10", "auc", "fit_time_s"]
published_source = "made-up numbers for the test"

[algorithms.svd]
n_factors = 10

[algorithms.knn-item]
algorithm = "knnwithmeans"
user_based = false

[algorithms.popularity]

[published.svd]
rmse = 0.912
"""


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "ratings.csv"
    tiny_ratings(n_users=60, n_items=80, density=0.3, seed=5).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def experiment(data_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("exp") / "tiny.toml"
    path.write_text(EXPERIMENT.format(data=data_file.as_posix()))
    return path


@pytest.fixture(scope="module")
def run_a(experiment, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "a"
    assert main(["run", str(experiment), "--output-dir", str(out), "-q"]) == 0
    return out


def _write(tmp_path, text):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("text,message", [
    ('dataset = "ml-latest-small"\nfoldz = 3\n[algorithms.svd]\n', "unknown key 'foldz'"),
    ('folds = "five"\n[algorithms.svd]\n', "'folds' has the wrong type"),
    ('[algorithms.svd]\nn_factor = 3\n', "unknown parameter 'n_factor' for svd"),
    ('[algorithms.nosuch]\n', "unknown algorithm 'nosuch'"),
    ('[algorithms.svd]\n[published.knn]\nrmse = 1.0\n', "[published.knn] names no algorithm"),
    ('k = [0]\n[algorithms.svd]\n', "cutoffs must be positive whole numbers"),
    ('columns = ["precision"]\n[algorithms.svd]\n', "needs a cutoff; write precision@K"),
    ('[csv]\nseparator = ","\n[algorithms.svd]\n', "unknown key 'separator' in [csv]"),
    ('dataset = "x"\n', "no algorithms"),
    ('dataset = \n', "not valid TOML"),
])
def test_experiment_files_are_validated_strictly(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_experiment(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_experiment_file_values(experiment):
    exp = load_experiment(experiment)
    assert exp.name == "tiny" and exp.split_options == {"folds": 3} and exp.k == (5, 10) and exp.seed == 1
    assert [(a.label, a.name, a.params) for a in exp.algorithms] == [
        ("svd", "svd", {"n_factors": 10}), ("knn-item", "knnwithmeans", {"user_based": False}),
        ("popularity", "popularity", {})]


def test_bad_experiment_file_exits_2_with_the_key(tmp_path, capsys):
    path = _write(tmp_path, 'seeds = 3\n[algorithms.svd]\n')
    assert main(["run", str(path)]) == 2
    assert "unknown key 'seeds'" in capsys.readouterr().err


def test_run_from_an_experiment_file_uses_its_parameters(run_a):
    record = json.loads((run_a / "run.json").read_text())
    assert record["manifest"]["seed"] == 1 and record["manifest"]["k"] == [5, 10]
    assert record["manifest"]["n_folds"] == 3
    algos = {a["algorithm"]: a["params"] for a in record["algorithms"]}
    assert algos["svd"]["n_factors"] == 10 and algos["knn-item"]["user_based"] is False
    assert record["experiment"]["name"] == "tiny"
    assert record["experiment"]["published"] == {"svd": {"rmse": 0.912}}


def test_command_line_overrides_the_file(experiment, tmp_path):
    out = tmp_path / "b"
    assert main(["run", "--config", str(experiment), "--seed", "4", "--folds", "2",
                 "--param", "svd.n_factors=3", "--output-dir", str(out), "-q"]) == 0
    record = json.loads((out / "run.json").read_text())
    assert record["manifest"]["seed"] == 4 and record["manifest"]["n_folds"] == 2
    assert {a["algorithm"]: a["params"] for a in record["algorithms"]}["svd"]["n_factors"] == 3


def test_results_files_tables_and_plots(run_a):
    md = (run_a / "results.md").read_text()
    assert "published rmse" in md and "0.912" in md and "made-up numbers for the test" in md
    for plot in ("metrics", "precision_recall", "rmse_vs_precision"):
        assert (run_a / f"{plot}.png").read_bytes()[:4] == b"\x89PNG"
        assert b"<svg" in (run_a / f"{plot}.svg").read_bytes()[:1000]
        assert f"({plot}.svg)" in md and f"({plot}.png)" in md
    header = (run_a / "results.csv").read_text().splitlines()[0]
    assert header.startswith("algorithm,metric,mean,std,ci_low,ci_high")
    data = json.loads((run_a / "results.json").read_text())
    assert {r["algorithm"] for r in data["results"]} == {"svd", "knn-item", "popularity"}


def test_tables_regenerate_every_file_byte_for_byte(run_a, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(run_a, copy)
    originals = {p.name: p.read_bytes() for p in copy.iterdir() if p.name != "run.json"}
    for name in ("results.md", "results.csv", "metrics.svg", "metrics.png"):
        (copy / name).unlink()
    (copy / "results.json").write_text("{}")
    assert main(["tables", str(copy), "--check"]) == 1
    assert "differs from its record" in capsys.readouterr().out
    assert main(["tables", str(copy), "-q"]) == 0
    assert {p.name: p.read_bytes() for p in copy.iterdir() if p.name != "run.json"} == originals
    assert main(["tables", str(copy), "--check"]) == 0


@pytest.mark.parametrize("fmt,marker", [("latex", "\\begin{tabular}"), ("html", "<table>"),
                                        ("plain", "knn-item"), ("csv", "algorithm,metric"),
                                        ("json", '"results"')])
def test_tables_in_other_formats(run_a, capsys, fmt, marker):
    assert main(["tables", str(run_a), "--format", fmt]) == 0
    assert marker in capsys.readouterr().out


def test_compare_exits_1_on_a_worsened_run_and_0_otherwise(experiment, run_a, tmp_path, capsys):
    worse = tmp_path / "worse"
    # no SGD epoch and large random factors: a deliberately worse SVD
    assert main(["run", str(experiment), "--param", "svd.n_epochs=0", "--param", "svd.init_std_dev=1.0",
                 "--output-dir", str(worse), "-q"]) == 0
    assert main(["compare", str(run_a), str(run_a)]) == 0
    capsys.readouterr()
    assert main(["compare", str(run_a), str(worse), "--gate-metric", "rmse", "--tolerance", "0.005"]) == 1
    out = capsys.readouterr().out
    assert "REGRESSED" in out and "1 regression(s): svd" in out
    # improving is not a regression: worse -> better passes
    assert main(["compare", str(worse), str(run_a), "--gate-metric", "rmse"]) == 0
    # a tolerance wider than the loss lets it through
    a = json.loads((run_a / "run.json").read_text())
    b = json.loads((worse / "run.json").read_text())
    rmse = lambda r: next(x["mean"] for x in r["results"] if x["algorithm"] == "svd" and x["metric"] == "rmse")
    loss = rmse(b) - rmse(a)
    assert loss > 0.005
    assert main(["compare", str(run_a), str(worse), "--gate-metric", "rmse",
                 "--tolerance", str(loss + 0.001)]) == 0


def test_compare_two_algorithms_of_one_run(run_a, capsys):
    code = main(["compare", str(run_a), "--a", "svd", "--b", "knn-item", "--metric", "rmse",
                 "--gate-metric", "rmse", "--tolerance", "10"])
    assert code == 0
    assert "svd -> knn-item" in capsys.readouterr().out


def test_committed_results_regenerate_byte_for_byte():
    """The done-when of the results issue: every committed table and plot under results/
    is exactly what `recbench tables` renders from its stored run record."""
    folders = sorted(p.parent for p in (ROOT / "results").glob("*/run.json"))
    assert folders, "no committed run records under results/"
    assert main(["tables", *map(str, folders), "--check"]) == 0


def test_suite_runs_every_experiment_file_of_a_folder(experiment, tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    shutil.copy(experiment, suite / "tiny.toml")
    (suite / "second.toml").write_text(experiment.read_text().replace('name = "tiny"', 'name = "second"')
                                       .replace("folds = 3", "folds = 2"))
    out = tmp_path / "results"
    assert main(["run", "--suite", str(suite), "--output-dir", str(out), "-q"]) == 0
    assert sorted(p.parent.name for p in out.glob("*/run.json")) == ["second", "tiny"]
    second = json.loads((out / "second" / "run.json").read_text())
    assert second["manifest"]["n_folds"] == 2
    assert main(["tables", "--results-dir", str(out), "--check"]) == 0
