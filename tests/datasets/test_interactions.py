"""Interaction data (issue 23): reading logs of (user, item) pairs, weights and repeated
pairs, the models and metrics that follow the data's kind, and the bad inputs (each one
sentence, exit 2, before any fold is fitted)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import recbench
from recbench.algorithms.topn.ials import IALS
from recbench.cli.main import main
from recbench.datasets import CsvOptions, from_frame, load_dataset
from recbench.errors import ConfigError, DataError

TOPN = "popularity,itemknn,ease,ials,bpr"


def clicks(n=20_000, users=500, items=2_000, seed=0) -> pd.DataFrame:
    """A seeded click log: ``user,item,timestamp``, popular items clicked more, some pairs
    repeated."""
    g = np.random.default_rng(seed)
    popularity = g.pareto(1.2, items) + 1
    item = g.choice(items, n, p=popularity / popularity.sum())
    return pd.DataFrame({"user": [f"u{x}" for x in g.integers(0, users, n)],
                         "item": [f"i{x}" for x in item],
                         "timestamp": g.integers(1_500_000_000, 1_600_000_000, n)})


@pytest.fixture(scope="module")
def clicks_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("clicks") / "clicks.csv"
    clicks().to_csv(path, index=False)
    return path


def test_click_log_is_read_as_interactions_with_repeats_counted(clicks_file):
    frame = clicks()
    assert frame.duplicated(["user", "item"]).sum() > 100        # some repeated pairs
    ds = load_dataset(clicks_file)
    assert ds.feedback == "interactions" and ds.weight == "count"
    pairs = frame.groupby(["user", "item"]).size()
    assert len(ds.ratings) == len(pairs)
    got = ds.ratings.assign(user=ds.ratings["user"].astype(str), item=ds.ratings["item"].astype(str))
    got = got.set_index(["user", "item"]).sort_index()
    assert np.array_equal(got["weight"].to_numpy(), pairs.sort_index().to_numpy())
    assert (ds.ratings["rating"] == 1).all()
    latest = frame.groupby(["user", "item"])["timestamp"].max().sort_index()
    assert np.array_equal(got["timestamp"].to_numpy(), latest.to_numpy())


@pytest.mark.parametrize("policy", ["first", "last"])
def test_first_and_last_keep_one_unweighted_interaction(clicks_file, policy):
    ds = load_dataset(clicks_file, csv_options=CsvOptions(duplicates=policy))
    frame = clicks()
    kept = frame[~frame.duplicated(["user", "item"], keep=policy)]
    assert ds.weight is None and "weight" not in ds.ratings
    assert np.array_equal(ds.ratings["timestamp"].to_numpy(), kept["timestamp"].to_numpy())


def test_duplicates_error_names_the_first_repeated_pair(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("user,item\na,x\nb,y\na,x\n")
    code = main(["run", "--dataset", str(path), "--duplicates", "error", "--algorithms",
                 "popularity", "-q", "--output-dir", str(tmp_path / "out")])
    assert code == 2 and not (tmp_path / "out").exists()
    with pytest.raises(DataError, match=r"log.csv, line 4: user 'a' and item 'x' occur again"):
        load_dataset(path, csv_options=CsvOptions(duplicates="error"))


def test_weight_column(tmp_path):
    path = tmp_path / "plays.csv"
    path.write_text("user,item,plays\na,x,3\nb,y,1\na,x,2\nb,x,0\n")
    ds = load_dataset(path, csv_options=CsvOptions(weight_col="plays"))
    assert ds.weight == "plays"
    assert ds.ratings["weight"].tolist() == [5.0, 1.0, 0.0]        # repeats summed


@pytest.mark.parametrize("value, message", [
    ("-1", "the weight -1 is negative"),
    ("nan", "the weight is missing (written 'nan')"),
    ("lots", "the weight is not a number ('lots')"),
])
def test_bad_weight_is_one_sentence_naming_the_line(tmp_path, capsys, value, message):
    path = tmp_path / "plays.csv"
    path.write_text(f"user,item,plays\na,x,3\nb,y,{value}\n")
    code = main(["run", "--dataset", str(path), "--weight-col", "plays", "--algorithms",
                 "popularity", "-q", "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and f"plays.csv, line 3: {message}" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("content, options, message", [
    ("user\na\nb\n", [], "found 1 column(s)"),
    ("user,item,rating,plays\na,x,4,1\nb,y,3,2\n", ["--weight-col", "plays"],
     "--weight-col plays names a weight of interactions"),
    ("user,item,rating\na,x,4\nb,y,3\n", ["--duplicates", "count"],
     "--duplicates count applies to interactions"),
    ("user,item\na,x\nb,y\n", ["--duplicates", "mean"],
     "--duplicates 'mean' does not apply to interaction data"),
    ("user,item\na,x\nb,y\n", ["--rating-scale", "1,5"], "--rating-scale does not apply"),
    ("user,item\na,x\nb,y\n", ["--relevance-threshold", "4"],
     "--relevance-threshold 4.0 means nothing"),
    ("user,item\na,x\nb,y\n", ["--metrics", "rmse,ndcg"], "rmse cannot be computed"),
])
def test_bad_interaction_inputs_exit_2(tmp_path, capsys, content, options, message):
    path = tmp_path / "data.csv"
    path.write_text(content)
    code = main(["run", "--dataset", str(path), "--algorithms", "popularity", "-q",
                 "--output-dir", str(tmp_path / "out"), *options])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_rating_models_are_refused_on_interactions_naming_them(clicks_file, tmp_path, capsys):
    code = main(["run", "--dataset", str(clicks_file), "--algorithms", TOPN + ",svd,bestrated",
                 "-q", "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "out").exists()
    assert "svd, bestrated learn from ratings, and" in err
    assert "the models that fit interaction data are: " in err and "ials" in err
    assert len(err.strip().splitlines()) == 1


def test_click_log_runs_every_interaction_model(clicks_file, tmp_path):
    """The issue's done-when command (holdout, to keep the test short)."""
    out = tmp_path / "out"
    code = main(["run", "--dataset", str(clicks_file), "--algorithms", TOPN, "--split",
                 "holdout", "-q", "--output-dir", str(out)])
    assert code == 0
    run = recbench.Run.load(out)
    assert run.record["manifest"]["dataset"]["feedback"] == "interactions"
    assert "not computed" in run.record["protocol"]["rating_metrics"]
    assert run.record["protocol"]["relevance"].startswith("every held-out interaction")
    metrics = {r["metric"] for r in run.record["results"]}
    assert "rmse" not in metrics and "ndcg@10" in metrics
    assert {r["algorithm"] for r in run.record["results"]} == set(TOPN.split(","))
    assert "RMSE/MAE are not computed" in (out / "results.md").read_text()


def test_dataframe_takes_the_same_settings():
    frame = clicks(2_000, 50, 100)
    ds = from_frame(frame)
    assert ds.feedback == "interactions" and ds.weight == "count"
    run = recbench.run(frame.rename(columns={"user": "who"}), ["popularity"], split="holdout",
                       csv={"user_col": "who"}, duplicates="first")
    assert run.manifest["dataset"]["feedback"] == "interactions"
    assert run.manifest["dataset"]["n_ratings"] == len(frame.drop_duplicates(["user", "item"]))
    rated = frame.drop_duplicates(["user", "item"]).assign(stars=4.0)
    ds = load_dataset(rated, csv_options=CsvOptions(rating_col="stars", rating_scale=(1, 5)))
    assert ds.feedback == "explicit" and ds.rating_scale == (1.0, 5.0)
    forced = from_frame(rated, feedback="interactions", weight_col="stars")
    assert forced.feedback == "interactions" and forced.weight == "stars"


@pytest.mark.parametrize("csv, message", [
    ({"sep": ";"}, "csv option 'sep' describes a file's text"),
    ({"encoding": "latin-1"}, "csv option 'encoding' describes a file's text"),
    ({"duplicates": "median"}, "duplicates='median' is unknown"),
])
def test_file_only_csv_options_are_refused_for_a_dataframe(csv, message):
    with pytest.raises(ConfigError, match=message):
        recbench.run(clicks(200, 10, 20), ["popularity"], csv=csv)


def test_weights_reach_ials_as_confidence(monkeypatch):
    from implicit.cpu.als import AlternatingLeastSquares

    seen = []
    fit = AlternatingLeastSquares.fit

    def spy(self, matrix, *args, **kwargs):
        seen.append((matrix.copy(), self.alpha))
        return fit(self, matrix, *args, **kwargs)

    monkeypatch.setattr(AlternatingLeastSquares, "fit", spy)
    ds = from_frame(clicks(3_000, 60, 120))
    train = ds.ratings.assign(rating=ds.ratings["rating"].astype(float))
    assert train["weight"].max() > 1
    weighted = IALS(factors=8, alpha=2.0, iterations=3, random_state=0).fit(train)
    binary = IALS(factors=8, alpha=2.0, iterations=3, random_state=0).fit(train.drop(columns="weight"))
    (m_w, a_w), (m_b, _) = seen
    assert a_w == 1.0                                   # the confidence is in the matrix
    users, items = weighted.users_, weighted.items_
    w = train.assign(user=train["user"].astype(str), item=train["item"].astype(str))
    expected = 1 + 2.0 * w.set_index(["user", "item"])["weight"]
    coo = m_w.tocoo()
    got = pd.Series(coo.data, index=pd.MultiIndex.from_arrays([users[coo.row], items[coo.col]]))
    assert np.allclose(got.sort_index().to_numpy(), expected.sort_index().to_numpy())
    assert np.allclose(m_b.data, 3.0)                   # unweighted: 1 + alpha
    assert not np.allclose(weighted.user_factors_, binary.user_factors_)


def test_popularity_sums_weights_when_asked():
    ds = from_frame(pd.DataFrame({"user": ["a", "a", "a", "b", "c"],
                                  "item": ["x", "x", "x", "y", "y"]}))
    train = ds.ratings
    from recbench.algorithms.baselines import Popularity
    counted = Popularity().fit(train).score(["a"], ["x", "y"])
    summed = Popularity(weighted=True).fit(train).score(["a"], ["x", "y"])
    assert counted.tolist() == [[1.0, 2.0]] and summed.tolist() == [[3.0, 2.0]]
