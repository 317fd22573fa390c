"""``recbench run`` and ``recbench compare`` end to end on a small rating file."""

import json

import pandas as pd
import pytest

from recbench.cli.main import main
from tests.support import tiny_ratings


@pytest.fixture(scope="module")
def ratings_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "ratings.csv"
    tiny_ratings(n_users=60, n_items=80, density=0.3, seed=3).to_csv(path, index=False)
    return path


def run(ratings_file, out, *extra):
    return main(["run", "--dataset", str(ratings_file), "--folds", "3", "-q",
                 "--algorithms", "svd,knnwithmeans,popularity,globalmean", "--k", "5,10",
                 "--output-dir", str(out), *extra])


@pytest.fixture(scope="module")
def record(ratings_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    assert run(ratings_file, out) == 0
    return out, json.loads((out / "run.json").read_text())


def test_run_record_has_manifest_protocol_and_results(record):
    out, rec = record
    m = rec["manifest"]
    assert m["dataset"]["name"] == "ratings" and len(m["dataset"]["sha256"]) == 64
    assert m["k"] == [5, 10] and m["seed"] == 0 and m["libraries"]["scikit-surprise"]
    p = rec["protocol"]
    for key in ("candidates", "relevance", "ties", "cutoffs", "counts"):
        assert key in p
    assert p["cutoffs"] == [5, 10] and p["relevance_threshold"] == 4.0
    assert "skipped_users_no_relevant" in p["counts"]
    metrics = {(r["algorithm"], r["metric"]) for r in rec["results"]}
    for name in ("rmse", "mae", "precision@10", "recall@5", "ndcg@10", "map@10", "mrr", "auc",
                 "coverage@10", "novelty@10", "fit_time_s", "score_time_s"):
        assert ("svd", name) in metrics, name
    assert ("popularity", "precision@10") in metrics and ("popularity", "rmse") not in metrics
    one = next(r for r in rec["results"] if r["algorithm"] == "svd" and r["metric"] == "rmse")
    assert len(one["folds"]) == 3 and one["ci_low"] < one["mean"] < one["ci_high"]
    assert one["mean"] == pytest.approx(sum(one["folds"]) / 3)
    per_user = pd.read_csv(out / "per_user.csv.gz")
    assert set(per_user["algorithm"]) == {"svd", "knnwithmeans", "popularity", "globalmean"}
    fold_means = per_user[per_user.algorithm == "svd"].groupby("fold")["auc"].mean()
    svd_auc = next(r for r in rec["results"] if r["algorithm"] == "svd" and r["metric"] == "auc")
    assert sorted(fold_means) == pytest.approx(sorted(svd_auc["folds"]))
    assert "## Protocol" in (out / "results.md").read_text()


def test_results_do_not_depend_on_n_jobs(ratings_file, record, tmp_path):
    _, rec = record
    assert run(ratings_file, tmp_path, "--n-jobs", "2") == 0
    other = json.loads((tmp_path / "run.json").read_text())
    strip = lambda rs: [(r["algorithm"], r["metric"], r["folds"]) for r in rs if not r["metric"].endswith("_s")]
    assert strip(other["results"]) == strip(rec["results"])


def test_compare_prints_holm_adjusted_p_values(record, capsys):
    out, _ = record
    assert main(["compare", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Wilcoxon p (Holm)" in text and "svd" in text and "precision@10" in text


def test_failing_and_unavailable_algorithms_do_not_stop_the_run(ratings_file, tmp_path, capsys,
                                                               monkeypatch):
    # a plugin whose own dependency is missing is unavailable; one whose fit raises, failed
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "needs_missing_dep.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(plugins))
    out = tmp_path / "out"
    code = main(["run", "--dataset", str(ratings_file), "--folds", "2", "-q", "--algorithms",
                 "globalmean,needs_missing_dep:Algo,tests.cli.test_run:Broken",
                 "--output-dir", str(out)])
    err = capsys.readouterr().err
    assert code == 0
    rec = json.loads((out / "run.json").read_text())
    status = {a["algorithm"]: a["status"] for a in rec["algorithms"]}
    assert status == {"globalmean": "ok", "algo": "unavailable", "broken": "failed"}
    assert "no_such_dependency_xyz" in err and "fit exploded" in err


@pytest.mark.parametrize("spec, words", [
    ("no_such_module:Algo", "no module named 'no_such_module' can be imported"),
    ("tests.no_such_module:Algo", "no module named 'tests.no_such_module'"),
    ("tests.cli.test_run:Nope", "module 'tests.cli.test_run' has no 'Nope'"),
    ("tests.cli.test_run:json", "json is not a recbench Algorithm"),
    ("tests.cli.test_run:", "is malformed; write package.module:Class"),
    (":Broken", "is malformed"),
])
def test_a_plugin_spec_that_names_nothing_is_a_user_error(ratings_file, tmp_path, capsys,
                                                           spec, words):
    code = main(["run", "--dataset", str(ratings_file), "--folds", "2", "-q",
                 "--algorithms", f"globalmean,{spec}", "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "out").exists()


def test_param_validation(ratings_file, tmp_path, capsys):
    code = main(["run", "--dataset", str(ratings_file), "--algorithms", "svd", "-q",
                 "--param", "svd.n_factorz=5", "--output-dir", str(tmp_path)])
    assert code == 2 and "svd has no parameter 'n_factorz'" in capsys.readouterr().err
    code = main(["run", "--dataset", str(ratings_file), "--algorithms", "svd", "-q", "--folds", "2",
                 "--param", "svd.n_factors=5", "--output-dir", str(tmp_path)])
    rec = json.loads((tmp_path / "run.json").read_text())
    assert code == 0 and rec["algorithms"][0]["params"]["n_factors"] == 5


from recbench.algorithms.baselines import GlobalMean  # noqa: E402


class Broken(GlobalMean):
    def fit(self, train, items=None):
        raise RuntimeError("fit exploded")
