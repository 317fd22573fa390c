"""Recommendation lists (save_recommendations / --save-recommendations, --trec), and the
independent check: ranx, fed recbench's exported lists, gives recbench's ranking metrics."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import recbench
from recbench.cli.main import main
from recbench.experiments.runner import run_experiment
from recbench.reporting.recommendations import trec_files
from tests.support import tiny_ratings


@pytest.fixture
def frame():
    return tiny_ratings(n_users=40, n_items=30, density=0.5, seed=3)


def test_lists_are_the_ranking_the_metrics_used(frame):
    plain = recbench.run(frame, ["svd", "popularity"], folds=2, k=[3, 5], seed=1)
    run = recbench.run(frame, ["svd", "popularity"], folds=2, k=[3, 5], seed=1,
                       save_recommendations=8)
    assert run.per_user.equals(plain.per_user), "keeping the lists changes no metric"
    recs = run.recommendations
    assert list(recs.columns) == ["algorithm", "fold", "user", "item", "rank", "score"]
    assert recs["algorithm"].unique().tolist() == ["svd", "popularity"]
    folds = recbench.splitting.make_folds(recbench.load_dataset(frame), "kfold",
                                          recbench.derive_rng(1, "split"), 2)
    for (algo, fold_name), lists in recs.groupby(["algorithm", "fold"], sort=False):
        fold = next(f for f in folds if f.name == fold_name)
        pu = run.per_user[(run.per_user.algorithm == algo) & (run.per_user.fold == fold_name)
                          & (run.per_user.n_relevant > 0)]      # the ranked users
        assert sorted(lists.user.unique()) == sorted(pu.user), "one list per evaluated user"
        train = set(zip(fold.train.user, fold.train.item))
        assert not any((u, i) in train for u, i in zip(lists.user, lists.item))
        relevant = set(map(tuple, fold.test[fold.test.rating >= 4][["user", "item"]].to_numpy()))
        for user, one in lists.groupby("user"):
            n_cand = int(pu.set_index("user").loc[user, "n_candidates"])
            assert one["rank"].tolist() == list(range(1, min(8, n_cand) + 1))
            assert (np.diff(one["score"].to_numpy()) <= 0).all(), "raw scores, descending"
            hits = [(user, i) in relevant for i in one["item"]]
            row = pu.set_index("user").loc[user]
            for k in (3, 5):
                assert sum(hits[:k]) / k == pytest.approx(row[f"precision@{k}"], abs=1e-7)


def test_ties_keep_the_protocol_order(frame):
    """Popularity ties a lot; the lists are exactly the metric's ranking, not a re-sort."""
    run = recbench.run(frame, ["popularity"], folds=2, k=[5], seed=2, save_recommendations=30)
    recs = run.recommendations
    tied = recs.groupby(["fold", "user", "score"]).size()
    assert (tied > 1).any(), "the test needs ties"
    # ties are not in item order everywhere (a re-sort by id would make them so)
    in_id_order = recs.groupby(["fold", "user", "score"])["item"].apply(
        lambda s: list(s) == sorted(s))
    assert not in_id_order.all()
    full = run.recommendations[run.recommendations.fold == "fold1"]
    pu = run.per_user[run.per_user.fold == "fold1"].set_index("user")
    first_rank = {}
    ds = recbench.load_dataset(frame)
    fold = recbench.splitting.make_folds(ds, "kfold", recbench.derive_rng(2, "split"), 2)[0]
    rel = set(map(tuple, fold.test[fold.test.rating >= 4][["user", "item"]].to_numpy()))
    for user, one in full.groupby("user"):
        ranks = [r for i, r in zip(one["item"], one["rank"]) if (user, i) in rel]
        first_rank[user] = min(ranks)
    # every candidate is listed (30 >= catalog), so MRR from the lists equals recbench's MRR
    for user, r in first_rank.items():
        assert 1 / r == pytest.approx(pu.loc[user, "mrr"], rel=1e-7)


def test_save_load_and_trec_files(tmp_path, frame):
    run = recbench.run(frame, ["svd", "popularity"], folds=2, k=[5], save_recommendations=4)
    assert run.record["recommendations"]["k"] == 4
    assert run.record["recommendations"]["rows"] == len(run.recommendations)
    run.save(tmp_path / "r", trec=True)
    files = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert {"recommendations.parquet", "recommendations-svd.trec",
            "recommendations-popularity.trec"} <= set(files)
    again = recbench.Run.load(tmp_path / "r")
    assert again == run and again.trec
    back = pd.read_parquet(tmp_path / "r" / "recommendations.parquet")
    assert back.equals(run.recommendations)
    lines = (tmp_path / "r" / "recommendations-svd.trec").read_text().splitlines()
    svd = run.recommendations[run.recommendations.algorithm == "svd"]
    assert len(lines) == len(svd)
    qid, q0, doc, rank, score, tag = lines[0].split()
    first = svd.iloc[0]
    assert (qid, q0, doc, int(rank), tag) == (f"{first.fold}:{first.user}", "Q0", first["item"], 1, "svd")
    assert float(score) == first.score, "every digit of the raw score"
    again.save(tmp_path / "r2")                 # a loaded run keeps writing its TREC files
    assert (tmp_path / "r2" / "recommendations-svd.trec").is_file()


def test_invalid_k_and_trec_without_lists(tmp_path, frame, capsys):
    for bad in (0, -1, 1.5, True, "5"):
        with pytest.raises(recbench.ConfigError, match="save_recommendations"):
            recbench.experiment(frame, ["popularity"], folds=2, save_recommendations=bad)
    run = recbench.run(frame, ["popularity"], folds=2, k=5)
    assert run.recommendations is None and "recommendations" not in run.record
    with pytest.raises(recbench.ConfigError, match="save_recommendations"):
        run.save(tmp_path / "x", trec=True)
    assert main(["run", "--algorithms", "popularity", "--trec", "-q",
                 "--output-dir", str(tmp_path / "y")]) == 2
    assert "--save-recommendations" in capsys.readouterr().err
    assert main(["run", "--algorithms", "popularity", "--save-recommendations", "0", "-q",
                 "--output-dir", str(tmp_path / "y")]) == 2
    assert "whole number >= 1" in capsys.readouterr().err
    assert not (tmp_path / "y").exists()


def test_ids_with_spaces_cannot_go_into_trec(tmp_path, frame):
    frame = frame.assign(item=frame["item"].str.replace("i", "item ", regex=False))
    run = recbench.run(frame, ["popularity"], folds=2, k=5, save_recommendations=3)
    run.save(tmp_path / "ok")                   # parquet keeps any id
    with pytest.raises(recbench.ConfigError, match="whitespace"):
        run.save(tmp_path / "trec", trec=True)


def test_resume_reruns_jobs_kept_without_lists(tmp_path, frame):
    store = tmp_path / "jobs"
    recbench.run(frame, ["popularity"], folds=2, k=5, job_store=store)
    run = recbench.run(frame, ["popularity"], folds=2, k=5, job_store=store, resume=True,
                       save_recommendations=3)
    assert set(run.recommendations.fold) == {"fold1", "fold2"}


# -- the independent check with ranx --------------------------------------------------------

K = 20


@pytest.fixture(scope="module")
def u1_lists(ml100k):
    exp = recbench.experiment(ml100k, ["svd", "popularity"], split="u1", k=[5, 10, 20],
                              metrics=[f"{m}@{k}" for m in ("precision", "recall", "ndcg", "map")
                                       for k in (5, 10, 20)], save_recommendations=K)
    outcome = run_experiment(exp)            # per-user values at full precision
    assert not outcome.failures
    return exp, outcome


@pytest.mark.slow
def test_ranx_reproduces_the_ranking_metrics(u1_lists, u1):
    from ranx import Qrels, evaluate
    from ranx import Run as RanxRun
    exp, outcome = u1_lists
    recs = outcome.recommendations
    train = set(zip(u1.train.user, u1.train.item))
    catalog = set(u1.train.item)
    rel = u1.test[(u1.test.rating >= 4) & u1.test.item.isin(catalog)]
    rel = rel[[(u, i) not in train for u, i in zip(rel.user, rel.item)]]
    qrels_dict = {f"u1:{u}": {i: 1 for i in g.item} for u, g in rel.groupby("user")}
    n_rel = {q: len(d) for q, d in qrels_dict.items()}
    compared = 0
    for algo in ("svd", "popularity"):
        mine = recs[recs.algorithm == algo]
        # the run's scores encode recbench's order (ties already broken): K + 1 - rank
        run_dict = {f"u1:{u}": dict(zip(g.item, (K + 1 - g["rank"]).astype(float)))
                    for u, g in mine.groupby("user")}
        assert run_dict.keys() == qrels_dict.keys()
        names = [f"{m}@{k}" for m in ("precision", "recall", "ndcg", "map") for k in (5, 10, 20)]
        ranx_run = RanxRun(run_dict)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            means = evaluate(Qrels(qrels_dict), ranx_run, names, make_comparable=False)
        pu = outcome.per_user[outcome.per_user.algorithm == algo].set_index("user")
        results = {r["metric"]: r["mean"] for r in outcome.results if r["algorithm"] == algo}
        for name in names:
            theirs = pd.Series({q.split(":", 1)[1]: v for q, v in ranx_run.scores[name].items()})
            k = int(name.split("@")[1])
            if name.startswith("map"):
                # ranx: AP@k / R (all relevant); recbench: AP@k / min(k, R) - a perfect top k is 1
                r = pd.Series({q.split(":", 1)[1]: n for q, n in n_rel.items()})
                theirs = theirs * r / np.minimum(r, k)
                ranx_mean = float(theirs.mean())
            else:
                ranx_mean = float(means[name])
            ours = pu[name].reindex(theirs.index)
            assert np.abs(ours.to_numpy() - theirs.to_numpy()).max() < 1e-12, (algo, name)
            assert abs(results[name] - ranx_mean) < 1e-12, (algo, name)
            compared += 1
    assert compared == 24


@pytest.mark.slow
def test_ranx_reads_the_trec_file(u1_lists, u1, tmp_path):
    """SVD's scores have no ties, so a TREC tool ordering by score sees recbench's ranking."""
    from ranx import Qrels, evaluate
    from ranx import Run as RanxRun
    exp, outcome = u1_lists
    files = trec_files(outcome.recommendations)
    path = tmp_path / "svd.trec"
    path.write_bytes(files["recommendations-svd.trec"])
    catalog = set(u1.train.item)
    rel = u1.test[(u1.test.rating >= 4) & u1.test.item.isin(catalog)]
    qrels = Qrels({f"u1:{u}": {i: 1 for i in g.item} for u, g in rel.groupby("user")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = evaluate(qrels, RanxRun.from_file(str(path), kind="trec"), ["ndcg@10", "precision@10"])
    results = {r["metric"]: r["mean"] for r in outcome.results if r["algorithm"] == "svd"}
    assert abs(got["ndcg@10"] - results["ndcg@10"]) < 1e-12
    assert abs(got["precision@10"] - results["precision@10"]) < 1e-12


def test_trec_with_spaced_ids_is_refused_before_any_fit(tmp_path, frame, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    frame.assign(item=frame["item"].str.replace("i", "item ", regex=False)).to_csv(
        "spaced.csv", index=False)
    code = main(["run", "--dataset", "spaced.csv", "--algorithms", "popularity", "--folds", "2",
                 "-q", "--save-recommendations", "3", "--trec", "--output-dir", "out"])
    err = capsys.readouterr().err
    assert code == 2 and "spaced: the item id 'item " in err and "leave out --trec" in err
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.*"))


def test_a_label_with_spaces_becomes_one_trec_run_tag():
    from recbench.reporting.recommendations import run_tag
    recs = pd.DataFrame({"algorithm": ["svd (tuned)"], "fold": ["fold1"], "user": ["u1"],
                         "item": ["i1"], "rank": [1], "score": [0.5]})
    (name, body), = trec_files(recs).items()
    assert name == "recommendations-svd__tuned_.trec"
    assert body.decode().split() == ["fold1:u1", "Q0", "i1", "1", "0.5", "svd_(tuned)"]
    assert run_tag("  a \t b ") == "a_b"
