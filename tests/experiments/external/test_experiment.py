"""recbench eval / recbench.evaluate_predictions: predictions made elsewhere, under recbench's
protocol. The rules on a hand-made example, bad files, a round trip of recbench's own
predictions on ml-100k u1, and predictions written by a script that uses Surprise directly."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

import recbench
from recbench.cli.main import main
from recbench.experiments.job import algorithm_seed

TRAIN = pd.DataFrame({"user": ["a", "a", "b", "b", "b", "c"], "item": ["1", "2", "1", "3", "4", "5"],
                      "rating": [5.0, 3, 4, 2, 5, 1]})
TEST = pd.DataFrame({"user": ["a", "a", "b", "b"], "item": ["3", "4", "2", "5"],
                     "rating": [5.0, 2, 4, 1]})
# a: listed candidate 4; 1 is a training item, 9 unknown; b: listed 5; c is not ranked
RANKING = pd.DataFrame({"user": ["a", "a", "a", "b", "c"], "item": ["4", "1", "9", "5", "1"],
                        "score": [0.9, 0.8, 0.7, 0.5, 0.3]})


def _write(path, frame):
    frame.to_csv(path, index=False)
    return path


def _evaluate(**kw):
    return recbench.evaluate_predictions(kw.pop("predictions"), train=TRAIN, test=TEST,
                                         k=[1, 2], save_recommendations=5, **kw)


def test_the_rules_on_a_hand_made_example():
    run = _evaluate(predictions={"toy": RANKING})
    pu = run.per_user.set_index("user")
    # b: 5 is listed, relevant 2 is not: ranked after it -> rank 2
    assert pu.loc["b", "mrr"] == 0.5 and pu.loc["b", "recall@2"] == 1.0
    assert pu.loc["b", "auc"] == 0.0                 # the relevant item is below the negative
    # a: 4 first, then 3 (relevant) and 5 unlisted, in the order of the seeded tie keys
    recs = run.recommendations.set_index(["user", "rank"])["item"]
    assert recs["a", 1] == "4" and {recs["a", 2], recs["a", 3]} == {"3", "5"}
    assert pu.loc["a", "mrr"] == pytest.approx(1 / (2 if recs["a", 2] == "3" else 3))
    assert pu.loc["a", "auc"] == 0.25                # 0 against 4, a tie (1/2) against 5
    assert run.recommendations.groupby("user").size().to_dict() == {"a": 3, "b": 2}
    counts = run.record["protocol"]["external_predictions"]["systems"]["toy"]["counts"]
    assert counts == {"ranking_rows": 5, "listed_candidates": 2, "ignored_training_items": 1,
                      "ignored_items_not_in_catalog": 1, "ignored_rows_of_users_not_ranked": 1,
                      "unlisted_candidates_ranked_last": 3, "ranked_users_without_listed_candidate": 0,
                      "test_pairs_of_ranked_users": 4, "test_pairs_not_listed": 2}
    assert run.record["algorithms"][0]["external"] == counts
    assert ("toy's ranking lists 2 of its users' 5 candidates; the other 3 are ranked after "
            "them by the tie keys") in " ".join(run.record["warnings"])
    assert "rmse" not in {r["metric"] for r in run.results}    # no rating predictions given
    # the same tie keys as any algorithm on this fold: a second seed may order a's tail anew
    orders = {tuple(_evaluate(predictions={"toy": RANKING}, seed=s).recommendations.item)
              for s in range(6)}
    assert len(orders) == 2


def test_rank_only_files_and_files_combined(tmp_path):
    ranks = RANKING.assign(rank=[1, 2, 3, 1, 1]).drop(columns="score")
    by_rank = _evaluate(predictions={"toy": ranks})
    by_score = _evaluate(predictions={"toy": RANKING})
    assert by_rank.per_user.equals(by_score.per_user)
    preds = TEST[["user", "item"]].assign(prediction=[4.5, 2.5, 3.5, 1.5])
    run = _evaluate(predictions={"toy": [_write(tmp_path / "p.csv", preds), RANKING]})
    rmse = next(r["mean"] for r in run.results if r["metric"] == "rmse")
    assert rmse == pytest.approx(0.5)
    with pytest.raises(recbench.ConfigError, match="give each part once"):
        _evaluate(predictions={"toy": [RANKING, RANKING]})


def test_missing_rating_predictions(tmp_path):
    path = _write(tmp_path / "preds.csv", TEST[["user", "item"]].iloc[:3].assign(prediction=4.0))
    with pytest.raises(recbench.DataError, match=r"preds\.csv: no rating prediction for 1 of the "
                                                 r"4 test pairs \(first: user 'b', item '5'\)"):
        _evaluate(predictions={"toy": path})
    run = _evaluate(predictions={"toy": path}, missing_predictions="global-mean")
    mean = TRAIN.rating.mean()
    expected = np.sqrt(np.mean((np.array([4, 4, 4, mean]) - TEST.rating) ** 2))
    assert next(r["mean"] for r in run.results if r["metric"] == "rmse") == pytest.approx(expected)
    counts = run.record["algorithms"][0]["external"]
    assert counts["test_pairs_given_the_training_mean"] == 1
    assert counts["rating_predictions_used"] == 3


@pytest.mark.parametrize("name, text, message", [
    ("s.csv", "user,item,score\na,1,0.5\nb,2,abc\n", r"s\.csv, line 3: the score 'abc' is not a finite"),
    ("s.csv", "user,item,score\na,1,0.5\na,1,0.4\n", r"s\.csv, line 3: user 'a' and item '1' are listed again"),
    ("s.tsv", "user\tthing\na\t1\n", r"s\.tsv has no 'item' column"),
    ("s.csv", "user,item,foo\na,1,2\n", r"s\.csv has none of the columns prediction, score and rank"),
    ("s.csv", "user,item,rank\na,1,1\nb,2,0\n", r"s\.csv, line 3: rank 0 is not a whole number >= 1"),
    ("s.csv", "user,item,prediction\na,,4\n", r"s\.csv, line 2: the item id is empty"),
    ("s.csv", "user,item,score\na,1,0.5,7\n", r"s\.csv, line 2: 4 fields"),
    ("s.trec", "u1:a Q0 1 1 0.5\n", r"s\.trec, line 1: a TREC run line has 6 fields"),
    ("s.csv", "algorithm,user,item,score\nsvd,a,1,0.5\n", r"s\.csv: no row has algorithm 'toy' \(it holds: svd\)"),
    ("s.csv", "fold,user,item,score\nu2,a,1,0.5\n", r"s\.csv: no row has fold 'test' \(it holds: u2\)"),
])
def test_bad_files_are_one_sentence_naming_file_and_line(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(recbench.DataError, match=message) as info:
        _evaluate(predictions={"toy": path})
    assert "\n" not in str(info.value)


def test_cli_eval_with_train_and_test_files(tmp_path, capsys):
    _write(tmp_path / "train.csv", TRAIN)
    _write(tmp_path / "test.csv", TEST)
    _write(tmp_path / "rank.csv", RANKING)
    out = tmp_path / "out"
    assert main(["eval", "--train", str(tmp_path / "train.csv"), "--test", str(tmp_path / "test.csv"),
                 "--k", "1,2", f"toy={tmp_path / 'rank.csv'}", "--output-dir", str(out), "-q"]) == 0
    record = json.loads((out / "run.json").read_text())
    assert record["manifest"]["split"] == "test" and record["algorithms"][0]["algorithm"] == "toy"
    assert "toy" in capsys.readouterr().out
    assert main(["eval", "--train", str(tmp_path / "train.csv"), "toy=x"]) == 2
    assert "--test" in capsys.readouterr().err
    assert main(["eval", "--dataset", "ml-latest-small", "--split", "kfold", "toy=x"]) == 2
    assert "makes 5 folds" in capsys.readouterr().err
    assert main(["eval", "toy"]) == 2
    assert "LABEL=PATH" in capsys.readouterr().err


# -- recbench's own predictions, evaluated again ----------------------------------------------

@pytest.fixture(scope="module")
def original(ml100k):
    """svd and popularity on u1, with every candidate kept (full rankings)."""
    return recbench.run(ml100k, ["svd", "popularity"], split="u1", k=[5, 10], seed=0,
                        save_recommendations=2000)


@pytest.fixture(scope="module")
def svd_predictions(u1, tmp_path_factory):
    from recbench.algorithms.surprise.svd import SVD
    algo = SVD(random_state=algorithm_seed(0, "u1", "svd")).fit(u1.train)
    path = tmp_path_factory.mktemp("preds") / "svd-ratings.csv"
    u1.test[["user", "item"]].assign(prediction=algo.predict(u1.test.user, u1.test.item)) \
        .to_csv(path, index=False)
    return path


def _values(run, skip=("fit_time_s", "score_time_s", "eval_time_s")):
    return {(r["algorithm"], r["metric"]): r["mean"] for r in run.results if r["metric"] not in skip}


@pytest.mark.slow
def test_own_full_rankings_reproduce_the_run(original, svd_predictions, tmp_path, ml100k_dir):
    original.save(tmp_path / "orig")
    lists = tmp_path / "orig" / "recommendations.parquet"
    again = recbench.evaluate_predictions(
        {"svd": [svd_predictions, lists], "popularity": lists}, dataset="ml-100k", split="u1",
        data_dir=ml100k_dir.parent, k=[5, 10], seed=0)
    assert _values(again) == _values(original)          # every metric, exactly (AUC, MRR too)
    def intervals(run):
        return {(r["algorithm"], r["metric"]): (r["ci_low"], r["ci_high"]) for r in run.results
                if not r["metric"].endswith("_time_s")}
    assert intervals(again) == intervals(original)
    metric_cols = [c for c in original.per_user.columns if c in again.per_user.columns]
    assert original.per_user[metric_cols].equals(again.per_user[metric_cols])
    keep = ~original.significance.metric.str.endswith("_time_s")
    sig_a = original.significance[keep].reset_index(drop=True)
    sig_b = again.significance[~again.significance.metric.str.endswith("_time_s")].reset_index(drop=True)
    assert sig_a.equals(sig_b)
    assert again.manifest["dataset"]["sha256"] == original.manifest["dataset"]["sha256"]
    result = recbench.compare(original, again, gate_metric="ndcg@10")
    assert result.passed


@pytest.mark.slow
def test_own_top_k_lists_reproduce_the_cutoff_metrics(original, tmp_path, ml100k_dir, capsys):
    top = original.recommendations[original.recommendations["rank"] <= 10]
    path = tmp_path / "top10.parquet"
    top.to_parquet(path, index=False)
    out = tmp_path / "eval"
    assert main(["eval", "--dataset", "ml-100k", "--data-dir", str(ml100k_dir.parent), "--split",
                 "u1", "--k", "5,10", f"svd={path}", f"popularity={path}", "--output-dir",
                 str(out), "-q"]) == 0
    again = recbench.Run.load(out)
    mine, theirs = _values(original), _values(again)
    cutoff = [key for key in theirs if "@" in key[1]]
    assert len(cutoff) >= 2 * 7 * 2                   # precision..coverage at 5 and 10
    assert all(theirs[key] == mine[key] for key in cutoff)
    assert theirs["svd", "auc"] != mine["svd", "auc"], "beyond the top 10 the order is unknown"
    counts = again.record["protocol"]["external_predictions"]["systems"]["svd"]["counts"]
    assert counts["listed_candidates"] == len(top[top.algorithm == "svd"])


# -- a script that uses Surprise directly ----------------------------------------------------

SCRIPT = """
import sys
import numpy as np, pandas as pd
from surprise import Dataset, Reader, SVD, BaselineOnly

base, test_file, out, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
data = Dataset.load_from_file(base, Reader("ml-100k"))
trainset = data.build_full_trainset()
test = pd.read_csv(test_file, sep="\\t", names=["user", "item", "rating", "ts"], dtype=str)
items = np.array([trainset.to_raw_iid(i) for i in range(trainset.n_items)])
for name, algo in (("svd", SVD(random_state=seed)), ("baseline", BaselineOnly(verbose=False))):
    algo.fit(trainset)
    preds = algo.test([(u, i, float(r)) for u, i, r in zip(test.user, test.item, test.rating)])
    pd.DataFrame({"user": [p.uid for p in preds], "item": [p.iid for p in preds],
                  "prediction": [p.est for p in preds]}).to_csv(f"{out}/{name}-ratings.csv", index=False)
    rows = []
    bu, bi = np.asarray(algo.bu), np.asarray(algo.bi)
    for user in test.user.unique():
        try:
            u = trainset.to_inner_uid(user)
        except ValueError:                                   # a user unseen in training
            u = None
        seen = {i for i, _ in trainset.ur[u]} if u is not None else set()
        cand = np.array([i for i in range(trainset.n_items) if i not in seen])
        score = trainset.global_mean + bi[cand]              # raw, unclipped estimates
        if u is not None:
            score = score + bu[u]
            if name == "svd":
                score = score + algo.qi[cand] @ algo.pu[u]
        rows.append(pd.DataFrame({"user": user, "item": items[cand], "score": score}))
    pd.concat(rows).to_csv(f"{out}/{name}-scores.csv", index=False)
"""


@pytest.mark.slow
def test_surprise_script_predictions_make_an_ordinary_record(tmp_path, ml100k_dir, original):
    script = tmp_path / "predict.py"
    script.write_text(textwrap.dedent(SCRIPT))
    seed = algorithm_seed(0, "u1", "svd")            # the seed recbench gives its own svd on u1
    subprocess.run([sys.executable, str(script), str(ml100k_dir / "u1.base"),
                    str(ml100k_dir / "u1.test"), str(tmp_path), str(seed)], check=True)
    out = tmp_path / "eval"
    args = ["eval", "--train", str(ml100k_dir / "u1.base"), "--test", str(ml100k_dir / "u1.test"),
            "--k", "5,10", "--output-dir", str(out), "-q"]
    for name in ("svd", "baseline"):
        args += [f"surprise-{name}={tmp_path / f'{name}-ratings.csv'}",
                 f"surprise-{name}={tmp_path / f'{name}-scores.csv'}"]
    assert main(args) == 0
    run = recbench.Run.load(out)
    assert run.manifest["split"] == "u1" and run.failures.empty
    table = run.table("github")
    assert "surprise-svd" in table and "surprise-baseline" in table and "±" in table
    s = run.summary().set_index(["algorithm", "metric"])
    assert (s.loc[("surprise-svd", "ndcg@10"), ["ci_low", "ci_high"]].notna()).all()
    assert s.loc[("surprise-svd", "ndcg@10"), "interval"] == "bootstrap over users"
    sig = run.significance
    assert {"rmse", "ndcg@10", "auc"} <= set(sig.metric)
    assert sig[sig.metric == "ndcg@10"].wilcoxon_p_holm.notna().all()
    assert (out / "results.md").is_file() and (out / "metrics.png").is_file()
    # the same model as recbench's svd adapter on the same fold: the same numbers
    mine = _values(original)
    theirs = {(a.replace("surprise-", ""), m): v for (a, m), v in _values(run).items()}
    for metric in ("rmse", "mae", "precision@10", "ndcg@10", "map@10", "auc", "mrr"):
        assert theirs["svd", metric] == pytest.approx(mine["svd", metric], abs=1e-9), metric


def test_ids_written_otherwise_than_in_the_test_file_are_refused(tmp_path):
    (tmp_path / "test.csv").write_text("user,item,rating\n10,1,4\n11,2,5\n")
    (tmp_path / "train.csv").write_text("user,item,rating\n10,2,5\n11,1,1\n10,3,2\n")
    (tmp_path / "preds.csv").write_text("user,item,score\n10.0,1,0.5\n11.0,2,0.4\n")
    (tmp_path / "items.csv").write_text("user,item,prediction\n10,1.0,4\n11,2.0,3\n")
    (tmp_path / "pairs.csv").write_text("user,item,prediction\n10,2,4\n11,1,3\n")
    for name, words in (("preds.csv", "ids like '10.0' in"), ("items.csv", "ids like '1.0' in"),
                        ("pairs.csv", "none of its 2 rating predictions is for a (user, item)")):
        with pytest.raises(recbench.DataError) as err:
            recbench.evaluate_predictions({"x": tmp_path / name}, train=tmp_path / "train.csv",
                                          test=tmp_path / "test.csv",
                                          missing_predictions="global-mean")
        assert words in str(err.value) and name in str(err.value)
        assert "test.csv" in str(err.value)


def test_ids_that_match_in_part_are_counted_in_a_warning(tmp_path):
    (tmp_path / "test.csv").write_text("user,item,rating\n10,1,4\n11,2,5\n")
    (tmp_path / "train.csv").write_text("user,item,rating\n10,2,5\n11,1,1\n10,3,2\n")
    (tmp_path / "half.csv").write_text("user,item,score\n10,1,0.5\n11.0,2,0.4\n")
    (tmp_path / "some.csv").write_text("user,item,prediction\n10,1,4\n11.0,2,3\n")
    run = recbench.evaluate_predictions({"x": tmp_path / "half.csv"}, train=tmp_path / "train.csv",
                                        test=tmp_path / "test.csv", k=[1])
    assert "1 of its ranked users' 2 test pairs have no score in its file" in " ".join(run.record["warnings"])
    run = recbench.evaluate_predictions({"x": tmp_path / "some.csv"}, train=tmp_path / "train.csv",
                                        test=tmp_path / "test.csv", k=[1],
                                        missing_predictions="global-mean")
    assert ("x has no rating prediction for 1 of the 2 test pairs; they were given the training "
            "mean") in " ".join(run.record["warnings"])


def test_complex_scores_are_refused_with_the_row():
    ranking = RANKING.assign(score=RANKING["score"] + 2j)
    with pytest.raises(recbench.DataError, match="row 1: the score .* is a complex number"):
        _evaluate(predictions={"toy": ranking})
