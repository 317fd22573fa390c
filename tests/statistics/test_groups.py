"""User groups (recbench.statistics.groups): bins by hand, values by group recomputed with
pandas, the record and results.md, and bad specs refused with one sentence before any fold."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import recbench
from recbench.errors import ConfigError
from recbench.statistics.groups import assign, check_groups, group_results, parse_groups
from tests.support import tiny_ratings


def test_activity_bins_by_hand():
    # users u1..u6 with 1..6 training interactions
    train = pd.DataFrame({"user": [f"u{n}" for n in range(1, 7) for _ in range(n)]})
    groups, edges = assign(parse_groups("activity:3"), train, ["u1", "u2", "u3", "u4", "u5",
                                                               "u6", "new"])
    # quantiles of (1..6) at 1/3 and 2/3, linear: position 5/3 -> 2 + 2/3 = 2.667,
    # position 10/3 -> 4 + 1/3 = 4.333
    assert edges == pytest.approx([8 / 3, 13 / 3])
    assert groups.tolist() == ["light", "light", "medium", "medium", "heavy", "heavy", "light"]
    # a user exactly at an edge is in the lower bin: edges of (1, 2, 2, 3) at 1/2 = 2
    train = pd.DataFrame({"user": ["a", "b", "b", "c", "c", "d", "d", "d"]})
    groups, edges = assign(parse_groups("activity:2"), train, ["a", "b", "c", "d"])
    assert edges == [2.0] and groups.tolist() == ["light", "light", "light", "heavy"]
    assert parse_groups("activity:4").names == ["q1", "q2", "q3", "q4"]


def test_group_values_by_hand():
    per_user = pd.DataFrame({"algorithm": "a", "fold": ["f1"] * 4 + ["f2"] * 4,
                             "user": ["x", "y", "z", "w"] * 2,
                             "ndcg@5": [0.2, 0.4, 1.0, np.nan, 0.0, 0.6, 0.5, 0.7]})
    groups = {"f1": pd.Series(["light", "light", "heavy", "heavy"], index=["x", "y", "z", "w"]),
              "f2": pd.Series(["light", "heavy", "heavy", "heavy"], index=["x", "y", "z", "w"])}
    out = {r["group"]: r for r in group_results(per_user, groups, ["ndcg@5"], ["f1", "f2"],
                                                ["light", "heavy"])}
    # light: f1 (0.2 + 0.4) / 2 = 0.3, f2 0.0; mean 0.15
    assert out["light"]["folds"] == pytest.approx([0.3, 0.0]) and out["light"]["mean"] == pytest.approx(0.15)
    # heavy: f1 1.0 (w has no value), f2 (0.6 + 0.5 + 0.7) / 3 = 0.6; mean 0.8
    assert out["heavy"]["folds"] == pytest.approx([1.0, 0.6]) and out["heavy"]["mean"] == pytest.approx(0.8)
    assert out["heavy"]["users"] == 4 and out["heavy"]["interval"] == "t over folds"


@pytest.mark.parametrize("spec, message", [
    ("activity:1", "needs a whole number of bins >= 2"),
    ("activity:x", "needs a whole number of bins >= 2"),
    ("activity", "needs a whole number of bins >= 2"),
    ("gender", "is unknown; give activity:N"),
    ("popularity:3", "is unknown; give activity:N"),
])
def test_bad_specs_are_refused_in_one_sentence(spec, message):
    with pytest.raises(ConfigError, match=message) as err:
        parse_groups(spec)
    text = str(err.value)
    assert text.endswith(".") and not re.search(r"\. [A-Z]", text) and "--groups" in text


def test_more_bins_than_activity_levels_is_refused():
    ratings = pd.DataFrame({"user": ["a", "a", "b", "b", "c"], "item": list("xyxyz")})
    check_groups(parse_groups("activity:2"), ratings)           # levels 2 and 1
    with pytest.raises(ConfigError, match="only 2 distinct activity levels; give at most activity:2"):
        check_groups(parse_groups("activity:3"), ratings)


def test_a_run_by_group_matches_pandas_and_lands_in_the_record_and_page(tmp_path):
    ratings = tiny_ratings(n_users=60, n_items=80, density=0.3, seed=3)
    run = recbench.run(ratings, ["popularity", "svd"], folds=2, k=[5],
                       metrics=["ndcg@5", "rmse", "arp@5"], groups="activity:3")
    g = run.record["groups"]
    assert g["spec"] == "activity:3" and g["names"] == ["light", "medium", "heavy"]
    assert set(g["edges"]) == {"fold1", "fold2"} and all(len(e) == 2 for e in g["edges"].values())
    summary = run.summary(by="group")
    assert list(summary.columns[:3]) == ["algorithm", "group", "metric"]
    # recompute ndcg@5 by group from the per-user values and the folds' training counts
    # (run.per_user holds the stored values, rounded to 10 significant digits: 1e-9)
    exp = recbench.api.experiment(ratings, ["popularity"], folds=2, k=[5])
    from recbench.random import derive_rng
    folds = exp.splitting.folds(exp.dataset, derive_rng(exp.seed, "split"))
    pu = run.per_user[run.per_user["algorithm"] == "svd"]
    per_fold = {}
    for fold in folds:
        counts = fold.train["user"].astype(str).value_counts()
        e = np.quantile(counts.to_numpy(float), [1 / 3, 2 / 3])
        assert g["edges"][fold.name] == pytest.approx(e.tolist())
        mine = pu[pu["fold"] == fold.name]
        c = counts.reindex(mine["user"].astype(str), fill_value=0).to_numpy()
        label = np.select([c <= e[0], c <= e[1]], ["light", "medium"], "heavy")
        per_fold[fold.name] = mine.assign(g=label).groupby("g")["ndcg@5"].mean()
    for group in ("light", "medium", "heavy"):
        row = summary.query("algorithm == 'svd' and metric == 'ndcg@5' and group == @group").iloc[0]
        assert row["mean"] == pytest.approx(np.mean([per_fold[f][group] for f in per_fold]), abs=1e-9)
        assert row["ci_low"] <= row["mean"] <= row["ci_high"]
    # popularity predicts no ratings: no rmse rows for it
    assert summary.query("algorithm == 'popularity' and metric == 'rmse'").empty
    folder = run.save(tmp_path / "run")
    page = (folder / "results.md").read_text()
    assert "## By user group (activity:3)" in page and "### ndcg@5" in page and "### arp@5" in page
    assert recbench.Run.load(folder).summary(by="group").equals(summary)
    with pytest.raises(ConfigError, match="by='group'"):
        run.summary(by="genre")


def test_bad_groups_exit_2_before_any_fold(tmp_path, capsys):
    from recbench.cli.main import main
    path = tmp_path / "ratings.csv"
    tiny_ratings().to_csv(path, index=False)
    for spec in ("activity:1", "activity:500", "gender:2"):
        code = main(["run", "--dataset", str(path), "--folds", "2", "-q", "--algorithms",
                     "popularity", "--groups", spec, "--output-dir", str(tmp_path / "out")])
        err = capsys.readouterr().err.strip()
        assert code == 2 and "--groups" in err and len(err.splitlines()) == 1, err
        assert not (tmp_path / "out").exists()


def test_experiment_files_take_groups(tmp_path):
    from recbench.config import load_experiment
    path = tmp_path / "groups.toml"
    path.write_text('name = "g"\ndataset = "ml-latest-small"\ngroups = "activity:3"\n\n'
                    '[algorithms.popularity]\n')
    assert load_experiment(path).settings()["groups"] == "activity:3"
    path.write_text('name = "g"\ndataset = "ml-latest-small"\ngroups = 3\n\n[algorithms.popularity]\n')
    with pytest.raises(ConfigError, match="groups"):
        load_experiment(path)


def test_file_column_groups_by_hand(tmp_path):
    ratings = tiny_ratings(n_users=30, n_items=40, density=0.4, seed=0)
    users = sorted(ratings["user"].astype(str).unique())
    path = tmp_path / "groups.csv"
    # every user but the last two, alternately "a" and "b"; ids are read as text
    pd.DataFrame({"user": users[:-2], "plan": ["a", "b"] * ((len(users) - 2) // 2)}).to_csv(
        path, index=False)
    run = recbench.run(ratings, ["popularity"], folds=2, k=[5], metrics=["ndcg@5"],
                       groups=f"{path}:plan")
    g = run.record["groups"]
    assert g["spec"] == f"{path}:plan" and "edges" not in g
    plan = dict(zip(users[:-2], ["a", "b"] * len(users)))
    pu = run.per_user.assign(g=[plan.get(str(u), "(none)") for u in run.per_user["user"]])
    expected = pu.groupby(["g", "fold"])["ndcg@5"].mean().groupby("g").mean()
    summary = run.summary(by="group").set_index("group")["mean"]
    assert set(g["names"]) == set(expected.index) and "(none)" in g["names"]
    for group, value in expected.items():
        assert summary[group] == pytest.approx(value, abs=1e-9)
    for bad, message in [(f"{path}:tier", "has no column 'tier'"),
                         (f"{tmp_path / 'nope.csv'}:plan", "is unknown"),
                         ("ratings:gender", "is unknown")]:
        with pytest.raises(ConfigError, match=message):
            recbench.experiment(ratings, ["popularity"], folds=2, groups=bad)
    pd.DataFrame({"user": users, "plan": "a"}).to_csv(path, index=False)
    with pytest.raises(ConfigError, match="every user in one group"):
        recbench.experiment(ratings, ["popularity"], folds=2, groups=f"{path}:plan")


def test_ml100k_gender_groups(ml100k):
    run = recbench.run(ml100k, ["popularity"], split="u1", k=[10], metrics=["ndcg@10"],
                       groups="ml-100k:gender")
    g = run.record["groups"]
    assert g["names"] == ["F", "M"] and sum(g["users"]["u1"].values()) == run.protocol["counts"]["ranked_users"]
    gender = ml100k.users["gender"]
    pu = run.per_user.assign(g=gender.reindex(run.per_user["user"].astype(str)).to_numpy())
    summary = run.summary(by="group").set_index("group")
    for sex in ("F", "M"):
        assert summary.loc[sex, "mean"] == pytest.approx(pu.loc[pu["g"] == sex, "ndcg@10"].mean(), abs=1e-9)
        assert summary.loc[sex, "interval"] == "bootstrap over users"
    with pytest.raises(ConfigError, match="no user column 'height'"):
        recbench.experiment(ml100k, ["popularity"], split="u1", groups="ml-100k:height")


def test_a_record_with_malformed_groups_is_refused(tmp_path, capsys):
    import json

    from recbench.cli.main import main
    run = recbench.run(tiny_ratings(), ["popularity"], folds=2, k=[5], metrics=["ndcg@5"],
                       groups="activity:2")
    folder = run.save(tmp_path / "run")
    assert main(["tables", str(folder)]) == 0
    record = json.loads((folder / "run.json").read_text())
    record["groups"]["results"][0]["mean"] = "high"
    (folder / "run.json").write_text(json.dumps(record))
    capsys.readouterr()
    assert main(["tables", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert "groups.results[0]" in err and len(err.splitlines()) == 1
