"""The Python API: recbench.run -> Run, and the done-when points of the library core."""

import json
import os
import re
import subprocess
import sys

import matplotlib
import pytest

import recbench
from recbench.algorithms.baselines import BestRated
from recbench.metrics import Metric, register, unregister
from tests.support import ROOT, SHARED, tiny_ratings


def _means(results):
    return {(r["algorithm"], r["metric"]): r["mean"] for r in results
            if not r["metric"].endswith("_time_s")}


@pytest.fixture
def frame():
    return tiny_ratings(n_users=40, n_items=30, density=0.5, seed=3)


def test_dataframe_dataset_and_instance_algorithm(frame):
    algo = BestRated(damping=2)
    run = recbench.run(frame, ["popularity", algo], folds=3, k=5, seed=1)
    assert run.manifest["dataset"]["name"] == "dataframe"
    assert run.manifest["dataset"]["n_ratings"] == len(frame)
    assert not hasattr(algo, "values_"), "the given instance is cloned, never fitted itself"
    by_name = recbench.run(frame, ["popularity", ("bestrated", "bestrated", {"damping": 2})],
                           folds=3, k=5, seed=1)
    assert _means(run.results) == _means(by_name.results)
    params = {a["algorithm"]: a["params"] for a in run.record["algorithms"]}
    assert params["bestrated"]["damping"] == 2


def test_hybrid_components_can_be_instances(frame):
    from recbench.algorithms.hybrid import WeightedHybrid
    hybrid = WeightedHybrid(components=["globalmean", BestRated(damping=3)], tune=False)
    assert hybrid.get_params(deep=True)["components__1__damping"] == 3
    run = recbench.run(frame, [hybrid], folds=2, k=5, metrics=["rmse"])
    assert run.failures.empty
    rec = run.record["algorithms"][0]["params"]["components"][1]
    assert rec["algorithm"] == "bestrated" and rec["params"]["damping"] == 3


def test_metrics_select_what_is_computed(frame):
    run = recbench.run(frame, ["svd", "popularity"], folds=2, metrics=["rmse", "ndcg@10"])
    metric_cols = [c for c in run.per_user.columns
                   if c.partition("@")[0] in recbench.metrics.registered()]
    assert sorted(metric_cols) == ["ndcg@10", "rmse"]
    assert {r["metric"] for r in run.results} == {"rmse", "ndcg@10", "fit_time_s", "score_time_s",
                                                     "eval_time_s"}


def test_toy_metric_registered_from_a_test(frame):
    toy = Metric("hits", "ranking", "relevant items in the top k (a count)",
                 lambda x, k: x.ranked_rel[:, :k].sum(axis=1).astype(float), takes_k=True)
    register(toy)
    try:
        run = recbench.run(frame, ["popularity", "random"], folds=2, k=[5],
                           metrics=["hits@5", "precision@5"])
        s = run.summary().set_index(["algorithm", "metric"])["mean"]
        # hits@5 = 5 * precision@5 for every user, so also for the means
        assert s["popularity", "hits@5"] == pytest.approx(5 * s["popularity", "precision@5"])
        assert "hits@5" in run.table("github")
        assert any(r["metric"] == "hits@5" for r in run.record["significance"])
    finally:
        unregister("hits")


def test_save_load_round_trip(tmp_path, frame):
    run = recbench.run(frame, ["svd", "popularity"], folds=2, k=[5, 10], seed=4)
    folder = run.save(tmp_path / "x")
    again = recbench.Run.load(folder)
    assert again == run
    assert again.table() == run.table()
    assert sorted(p.name for p in folder.iterdir()) == sorted(run.files())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".x.lock"], \
        "no leftovers but the folder's lock file"


def test_plot_keeps_the_backend_and_pyplot_untouched(frame):
    import matplotlib.pyplot as plt
    backend, figures = matplotlib.get_backend(), plt.get_fignums()
    run = recbench.run(frame, ["svd", "popularity"], folds=2, k=[5, 10])
    fig = run.plot("metrics")
    assert isinstance(fig, matplotlib.figure.Figure) and fig.axes
    assert matplotlib.get_backend() == backend and plt.get_fignums() == figures
    with pytest.raises(recbench.ConfigError, match="does not apply"):
        run.plot("bogus")


def test_progress_and_seeds_are_reported(frame):
    seen = []
    run = recbench.run(frame, ["svd", "popularity"], folds=2, k=5,
                       progress=lambda job, total: seen.append((job, total)))
    assert seen[0] == (None, 4) and len(seen) == 5
    from recbench.random import spawn_key
    assert run.seeds["split"] == {"keys": ["split"], "spawn_key": list(spawn_key("split"))}
    assert set(run.seeds["ties"]) == {"fold1", "fold2"}
    # the recorded stream reproduces the folds: the same split from the recorded spawn key
    import numpy as np

    from recbench.splitting import make_folds
    rng = np.random.default_rng(np.random.SeedSequence(0, spawn_key=run.seeds["split"]["spawn_key"]))
    fold = make_folds(recbench.load_dataset(frame), "kfold", rng, 2)[0]
    pu = run.per_user[(run.per_user.fold == "fold1") & (run.per_user.algorithm == "svd")]
    assert fold.test["user"].value_counts().sort_index().to_dict() == \
        pu.set_index("user")["n_test_ratings"].astype(int).sort_index().to_dict()
    svd = next(a for a in run.record["algorithms"] if a["algorithm"] == "svd")
    assert svd["seeds"]["fold1"] == recbench.derive_seed(0, "fold", "fold1", "algorithm", "svd")
    assert svd["params"]["random_state"] is None, "params as given; the per-fold seeds beside them"


def test_compare_returns_data():
    from recbench.algorithms.baselines import Popularity

    class AntiPopular(Popularity):          # labelled "popularity", ranks backwards
        def score(self, users, items):
            return -super().score(users, items)

    kw = dict(folds=2, k=10, metrics=["ndcg@10", "precision@10"], seed=0)
    a = recbench.run("ml-latest-small", ["popularity", "globalmean"], **kw)
    worse = recbench.run("ml-latest-small", [AntiPopular(), "globalmean"], **kw)
    within = recbench.compare(a)
    assert within.kind == "within" and set(within.rows["metric"]) == {"ndcg@10", "precision@10"}
    result = recbench.compare(a, worse, gate_metric="ndcg@10", tolerance=0.01)
    assert result.gate_metric == "ndcg@10" and not result.passed
    assert list(result.regressions["algorithm_b"]) == ["popularity"]
    row = result.rows[(result.rows.metric == "ndcg@10") & (result.rows.algorithm_a == "popularity")]
    assert row["delta"].iloc[0] < -0.1 and row["wilcoxon_p_holm"].iloc[0] < 1e-6
    assert recbench.compare(a, a, gate_metric="ndcg@10").passed


def test_derive_seed_is_the_same_in_another_process():
    code = "import recbench; print(recbench.derive_seed(7, 'fold', 'u1', 'algorithm', 'svd'))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env=dict(os.environ, PYTHONHASHSEED="123")).stdout
    assert int(other) == recbench.derive_seed(7, "fold", "u1", "algorithm", "svd")
    assert recbench.derive_seed(7, "fold", "u1") != recbench.derive_seed(7, "fold", "u2")
    with pytest.raises(recbench.ConfigError, match="seed -1"):
        recbench.derive_seed(-1, "split")


def test_jobs_times_threads_stay_within_the_cores(frame):
    from recbench.runtime.execution import Execution, map_jobs
    from recbench.runtime.threads import cores, thread_budget
    ex = Execution(n_jobs=2)
    assert ex.jobs(4) * ex.threads_per_job(4) <= max(2, cores())
    seen = map_jobs(lambda i: thread_budget(), [(i,) for i in range(3)], Execution(1, threads=1))
    assert seen == [1, 1, 1]
    with pytest.raises(recbench.ConfigError, match="n_jobs=0"):
        Execution(n_jobs=0)


def test_cli_modules_are_thin():
    """No CLI module computes statistics, builds records or holds protocol facts."""
    forbidden = re.compile(r"scipy|significance|aggregate|build_record|paired_tests|manifest|"
                           r"protocol|default_threshold|numpy|pandas")
    for path in sorted((ROOT / "recbench" / "cli").glob("*.py")):
        text = path.read_text()
        assert len(text.splitlines()) <= 120, f"{path.name} is longer than 120 lines"
        imports = "\n".join(l for l in text.splitlines() if l.startswith(("import ", "from ")))
        assert not forbidden.search(imports), f"{path.name} imports {forbidden.search(imports)[0]}"


@pytest.mark.slow
def test_readme_python_example_runs_and_equals_the_cli(tmp_path, ml100k_dir):
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    work = tmp_path / "project"
    work.mkdir()
    (tmp_path / "shared").symlink_to(SHARED.parent)   # the README's ../shared/datasets
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    script = work / "example.py"
    script.write_text(code + "\nimport json\njson.dump(run.results, open('api.json', 'w'))\n")
    subprocess.run([sys.executable, str(script)], cwd=work, env=env, check=True,
                   capture_output=True, text=True)
    api = json.loads((work / "api.json").read_text())
    subprocess.run([sys.executable, "-m", "recbench", "run", "--dataset", "ml-100k", "--data-dir",
                    str(SHARED), "--split", "u1", "--k", "5,10", "--seed", "0", "-q",
                    "--algorithms", "svd,knnwithmeans,bestrated", "--param", "bestrated.damping=2",
                    "--output-dir", str(tmp_path / "cli")], check=True, capture_output=True)
    cli = json.loads((tmp_path / "cli" / "run.json").read_text())["results"]
    assert _means(api) == _means(cli)
    assert (work / "results" / "runs" / "x" / "run.json").is_file()


@pytest.mark.slow
def test_quickstart_example_runs(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "quickstart.py"), str(tmp_path)],
                         capture_output=True, text=True, check=True).stdout
    assert "best ndcg@10: popularity" in out and "no regression" in out
    assert (tmp_path / "quickstart-metrics.png").stat().st_size > 1000


@pytest.mark.slow
def test_example_dataset_plugin_installs_shows_and_runs(tmp_path):
    plugin = ROOT / "examples" / "dataset-plugin"
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(plugin)], check=True, cwd=tmp_path)
    env = dict(os.environ, PYTHONPATH=str(target))
    listed = subprocess.run([sys.executable, "-m", "recbench", "datasets"], env=env,
                            capture_output=True, text=True, check=True).stdout
    assert re.search(r"tiny-movies.*\|\s+80\s+\|\s+60\s+\|\s+1,439\s+\|", listed), listed
    subprocess.run([sys.executable, "-m", "recbench", "run", "--dataset", "tiny-movies", "-q",
                    "--folds", "2", "--algorithms", "popularity,svd",
                    "--output-dir", str(tmp_path / "out")], env=env, check=True,
                   capture_output=True, text=True, cwd=tmp_path)
    rec = json.loads((tmp_path / "out" / "run.json").read_text())
    assert rec["manifest"]["dataset"]["name"] == "tiny-movies"
    assert {a["status"] for a in rec["algorithms"]} == {"ok"}


def test_baseline_table_in_results_md(tmp_path):
    from recbench.reporting.page import render_markdown
    run = recbench.run("ml-latest-small", ["popularity", "globalmean", "itemknn"], folds=2, k=10,
                       metrics=["ndcg@10", "precision@10"], seed=0,
                       experiment_info={"name": "b", "baseline": "popularity"})
    md = render_markdown(run.record)
    section = md.split("## Against popularity", 1)[1]
    row = next(l for l in section.splitlines() if l.startswith("| itemknn"))
    s = run.summary().set_index(["algorithm", "metric"])["mean"]
    assert s["itemknn", "ndcg@10"] > s["popularity", "ndcg@10"]
    assert "+0." in row and "*" in row             # itemknn is better, significantly
    bad = tmp_path / "e.toml"
    bad.write_text('name = "x"\nbaseline = "knn"\n[algorithms.svd]\n')
    from recbench.config import load_experiment
    with pytest.raises(recbench.ConfigError, match="'baseline' 'knn' names no algorithm"):
        load_experiment(bad)


def test_the_readme_experiment_file_loads_with_metric_families(tmp_path):
    """The README's example experiment file is valid as written: metric families expand at
    every k, as with --metrics, and its columns are computed."""
    import re

    from recbench.config import load_experiment
    from recbench.metrics.spec import resolve
    block = re.search(r"```toml\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    path = tmp_path / "exp.toml"
    path.write_text(block)
    exp = load_experiment(path)
    assert exp.metrics == ["rmse", "mae", "precision", "ndcg", "auc"]
    computed = {m.name for m in resolve(exp.metrics, exp.k)}
    assert {"precision@5", "precision@20", "ndcg@10"} <= computed and set(exp.columns) <= computed
