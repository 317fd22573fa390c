"""The beyond-accuracy metrics in a run: recomputed from the exported top-k lists, the same
in both kernels, stated in the record, refused without item genres before any work."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import recbench
from recbench.algorithms.baselines import Popularity
from recbench.errors import ConfigError
from recbench.evaluation.ranking import evaluate_ranking
from recbench.metrics import resolve
from recbench.random import derive_rng
from tests.support import tiny_ratings

EXPOSURE = ["gini@10", "entropy@10", "arp@10", "tail@10", "tail_coverage@10"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    run = recbench.run("ml-latest-small", ["popularity", "itemknn"], folds=2, k=[10],
                       metrics=["ndcg@10", *EXPOSURE], save_recommendations=10)
    folder = run.save(tmp_path_factory.mktemp("run") / "beyond")
    return run, pd.read_parquet(folder / "recommendations.parquet")


def test_exposure_metrics_recomputed_from_the_exported_lists(exported):
    """Gini, entropy, ARP and the long tail from recommendations.parquet and the folds'
    training parts with plain numpy/pandas equal the record's values to 1e-9."""
    run, lists = exported
    exp = recbench.api.experiment("ml-latest-small", ["popularity"], folds=2, k=[10])
    folds = exp.splitting.folds(exp.dataset, derive_rng(exp.seed, "split"))
    results = {(r["algorithm"], r["metric"]): r["folds"] for r in run.results}
    for f, fold in enumerate(folds):
        train = fold.train.astype({"item": str})
        counts = train["item"].value_counts()            # each (user, item) once per fold
        catalog = counts.index
        for algo in ("popularity", "itemknn"):
            mine = lists[(lists["algorithm"] == algo) & (lists["fold"] == fold.name)]
            shown = mine["item"].value_counts().reindex(catalog, fill_value=0).to_numpy()
            c = np.sort(shown).astype(float)
            n = len(c)
            gini = np.sum((2 * np.arange(1, n + 1) - n - 1) * c) / (n * c.sum())
            p = c[c > 0] / c.sum()
            desc = counts.sort_values(ascending=False)
            at = np.flatnonzero(desc.cumsum().to_numpy() >= 0.2 * desc.sum())[0]
            tail_items = set(catalog[counts.to_numpy() < desc.iloc[at]])
            per_user = mine.assign(pop=counts.reindex(mine["item"]).to_numpy(),
                                   tail=mine["item"].isin(tail_items)).groupby("user")
            expected = {"gini@10": gini, "entropy@10": -np.sum(p * np.log(p)),
                        "arp@10": per_user["pop"].mean().mean(),
                        "tail@10": per_user["tail"].mean().mean(),
                        "tail_coverage@10": len(set(mine["item"]) & tail_items) / len(tail_items)}
            for metric, value in expected.items():
                assert results[(algo, metric)][f] == pytest.approx(value, abs=1e-9), (algo, metric)
    # the record states the long tail's rule and the head / tail sizes
    assert run.protocol["long_tail"]["head_share"] == 0.2
    counts = run.protocol["counts"]
    assert counts["head_items"] + counts["tail_items"] == counts["catalog_items"]
    assert "catalog" in run.protocol["exposure"]


def test_lower_is_better_marks_the_smallest_value(exported):
    run, _ = exported
    table = run.table()
    assert "gini@10" in table and "arp@10" in table
    header = [h.strip() for h in table.splitlines()[0].split("|")]
    rows = {line.split("|")[1].strip(): line.split("|") for line in table.splitlines()[2:]}
    for metric in ("arp@10", "gini@10", "ndcg@10"):       # lower, lower, higher is better
        means = run.summary().query("metric == @metric").set_index("algorithm")["mean"]
        best = means.idxmin() if metric != "ndcg@10" else means.idxmax()
        marked = {a for a, cells in rows.items() if "(best)" in cells[header.index(metric)]}
        assert marked == {best}, metric


def _with_genres(ratings):
    items = pd.Index(sorted(ratings["item"].astype(str).unique()))
    names = ["Drama", "Comedy", "Action", "Horror", "Romance"]
    genres = ["" if i % 7 == 0 else "|".join({names[i % 5], names[(3 * i) % 5]})
              for i in range(len(items))]
    return pd.DataFrame({"genres": genres}, index=items)


def test_both_kernels_give_the_same_beyond_accuracy_values():
    ratings = tiny_ratings(n_users=40, n_items=50, density=0.3, seed=2)
    mask = np.zeros(len(ratings), bool)
    mask[::4] = True
    train, test = ratings[~mask], ratings[mask]
    algo = Popularity().fit(train)
    specs = resolve(["arp", "tail", "ild", "miscalibration", "gini", "entropy",
                     "tail_coverage"], [3, 5])
    items = _with_genres(ratings)
    out = {k: evaluate_ranking(algo, train, test, specs, 4.0, np.random.default_rng(0),
                               kernel=k, items=items) for k in ("fused", "dense")}
    assert out["fused"].kernel == "fused" and out["dense"].kernel == "dense"
    assert out["fused"].per_user.equals(out["dense"].per_user)
    assert out["fused"].fold_values == out["dense"].fold_values
    assert out["fused"].per_user["ild@5"].notna().any()
    with pytest.raises(ConfigError, match="ild@3 needs item genres"):
        evaluate_ranking(algo, train, test, specs, 4.0, np.random.default_rng(0))


def test_feature_metrics_are_refused_without_genres_before_any_fold(tmp_path, capsys):
    ratings = tiny_ratings()
    with pytest.raises(ConfigError, match=r"^metric miscalibration@5 needs item genres .*--metrics"):
        recbench.run(ratings, ["popularity"], folds=2, k=[5], metrics=["miscalibration@5"])
    path = tmp_path / "ratings.csv"
    ratings.to_csv(path, index=False)
    from recbench.cli.main import main
    code = main(["run", "--dataset", str(path), "--folds", "2", "-q", "--algorithms",
                 "popularity", "--metrics", "ild@5", "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "ild@5 needs item genres" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_the_head_share_is_a_setting_stated_in_the_record(tmp_path, capsys):
    ratings = tiny_ratings(n_users=40, n_items=50, density=0.3, seed=2)
    runs = {h: recbench.run(ratings, ["popularity"], folds=2, k=[5], metrics=["tail@5"],
                            head_share=h) for h in (0.2, 0.6)}
    assert runs[0.6].protocol["long_tail"]["head_share"] == 0.6
    assert "0.6 of the training interactions" in runs[0.6].protocol["long_tail"]["rule"]
    # a larger head leaves fewer tail items
    assert runs[0.6].protocol["counts"]["tail_items"] < runs[0.2].protocol["counts"]["tail_items"]
    path = tmp_path / "ratings.csv"
    ratings.to_csv(path, index=False)
    from recbench.cli.main import main
    for bad in ("0", "1.5"):
        code = main(["run", "--dataset", str(path), "--folds", "2", "-q", "--algorithms",
                     "popularity", "--metrics", "tail@5", "--head-share", bad,
                     "--output-dir", str(tmp_path / "out")])
        err = capsys.readouterr().err.strip()
        assert code == 2 and "--head-share" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_compare_gates_a_lower_is_better_metric_the_right_way(tmp_path, capsys):
    """The same run against itself with arp@5 higher in B is a regression; lower, not."""
    import json

    from recbench.cli.main import main
    ratings = tiny_ratings(n_users=40, n_items=50, density=0.3, seed=2)
    run = recbench.run(ratings, ["popularity", "svd"], folds=2, k=[5],
                       metrics=["ndcg@5", "arp@5", "gini@5"])
    a = run.save(tmp_path / "a")
    record = json.loads((a / "run.json").read_text())
    for r in record["results"]:
        if r["metric"] == "arp@5":
            r["folds"] = [v + 1.0 for v in r["folds"]]
            r["mean"] += 1.0
    worse = tmp_path / "worse"
    worse.mkdir()
    (worse / "run.json").write_text(json.dumps(record))
    assert main(["compare", str(a), str(worse), "--gate-metric", "arp@5"]) == 1
    assert "REGRESSED" in capsys.readouterr().out
    assert main(["compare", str(worse), str(a), "--gate-metric", "arp@5"]) == 0
    assert main(["compare", str(a), str(a), "--gate-metric", "gini@5"]) == 0
