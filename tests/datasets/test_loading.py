"""Loaders: custom files (round trip and every bad input), ml-100k, the embedded default."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recbench.cli.main import main
from recbench.datasets import CsvOptions, load_dataset
from recbench.errors import DataError


def test_custom_csv_round_trip(tmp_path, tiny):
    path = tmp_path / "ratings.csv"
    tiny.to_csv(path, index=False)
    ds = load_dataset(str(path))
    back = ds.ratings
    assert back[["user", "item"]].astype(str).equals(tiny[["user", "item"]].astype(str))
    assert np.array_equal(back["rating"].to_numpy(), tiny["rating"].to_numpy())
    # stored compactly: integer codes and one vocabulary of string ids, float32 ratings
    # (half stars are exact in float32), int32 timestamps
    assert isinstance(back["user"].dtype, pd.CategoricalDtype)
    assert list(back["item"].cat.categories) == sorted(tiny["item"].astype(str).unique())
    assert back["rating"].dtype == np.float32 and back["timestamp"].dtype == np.int32
    assert np.array_equal(back["timestamp"].to_numpy(dtype=np.int64), tiny["timestamp"].to_numpy())
    assert ds.rating_scale == (1.0, 5.0)
    assert ds.provenance.n_ratings == len(tiny)


def test_custom_tsv_without_header_and_named_columns(tmp_path, tiny):
    path = tmp_path / "r.tsv"
    tiny.to_csv(path, sep="\t", index=False, header=False)
    ds = load_dataset(str(path))
    assert len(ds.ratings) == len(tiny) and ds.ratings["rating"].astype(float).sum() == tiny["rating"].sum()
    other = tmp_path / "named.csv"
    tiny.rename(columns={"user": "uid", "item": "movie", "rating": "stars"}).to_csv(other, index=False)
    opts = CsvOptions(user_col="uid", item_col="movie", rating_col="stars", rating_scale=(1, 5))
    assert load_dataset(str(other), csv_options=opts).ratings["rating"].astype(float).mean() == tiny["rating"].mean()


def test_duplicate_policies(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("user,item,rating\na,x,1\nb,x,2\na,x,5\n")
    with pytest.raises(DataError, match=r"line 4: user 'a' rated item 'x' again"):
        load_dataset(str(path))
    mean = load_dataset(str(path), csv_options=CsvOptions(duplicates="mean")).ratings
    assert mean.set_index(["user", "item"])["rating"].to_dict() == {("a", "x"): 3.0, ("b", "x"): 2.0}
    last = load_dataset(str(path), csv_options=CsvOptions(duplicates="last")).ratings
    assert sorted(last["rating"]) == [2.0, 5.0]


def test_item_metadata_file(tmp_path, tiny):
    path, items = tmp_path / "r.csv", tmp_path / "items.csv"
    tiny.to_csv(path, index=False)
    items.write_text("item,title,genres\ni1,Alien,Horror|Sci-Fi\ni2,Heat,Crime\n")
    ds = load_dataset(str(path), csv_options=CsvOptions(items_path=str(items)))
    assert ds.items.loc["i1", "text"] == "Alien Horror Sci-Fi"
    assert ds.items.loc["i3", "text"] == ""          # rated but without metadata


BAD_INPUTS = [
    # (file content as bytes, extra CLI options, expected message fragment)
    (b"", [], "is empty"),
    (b"user,item,stars\na,x,4\n", [], "has no column 'rating'"),
    (b"user,item,rating\na,x,4\nb,y,great\n", [], "line 3: the rating is not a number ('great')"),
    (b"user,item,rating\na,x,4\nb,y,\n", [], "line 3: the rating is missing"),
    (b"user,item,rating\na,x,4\nb,y,NaN\n", [], "line 3: the rating is missing"),
    (b"user,item,rating\na,x,4\nb,y,7\n", ["--rating-scale", "1,5"],
     "line 3: rating 7 lies outside the rating scale 1-5"),
    (b"user;item;rating\na;x;4\nb;y;3\n", ["--sep", ","], "found 1 column(s) with separator ','"),
    (b"user,item,rating\n\xe9\xe8,x,4\n", [], "is not valid utf-8 text"),
    (b"user,item,rating\na,x,4\na,x,3\n", [], "line 3: user 'a' rated item 'x' again"),
]


@pytest.mark.parametrize("content,extra,message", BAD_INPUTS)
def test_bad_input_gives_one_clear_line_and_exit_2(tmp_path, capsys, content, extra, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    code = main(["run", "--dataset", str(path), "--algorithms", "globalmean", "-q",
                 "--output-dir", str(tmp_path / "out"), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and str(path) in err or message in err and "--rating-scale" in message
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_missing_file_and_verbose_traceback(tmp_path, capsys):
    code = main(["run", "--dataset", str(tmp_path / "nope.csv"), "-q", "-v"])
    err = capsys.readouterr().err
    assert code == 2 and "does not exist" in err and "Traceback" in err


def test_ml100k_loader(ml100k):
    r = ml100k.ratings
    assert len(r) == 100_000 and r["user"].nunique() == 943 and r["item"].nunique() == 1682
    assert ml100k.rating_scale == (1.0, 5.0)
    assert ml100k.provenance.sha256 == "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490"
    assert ml100k.items.loc["1", "genres"] == "Animation|Children's|Comedy"
    assert ml100k.items.loc["1", "title"] == "Toy Story (1995)"
    assert "é" in "".join(ml100k.items["title"])      # Latin-1 decoded, e.g. "Misérables"
    assert len(ml100k.users) == 943
    train, test = ml100k.predefined_folds["u1"]
    assert (len(train), len(test)) == (80_000, 20_000)
    first = Path(ml100k.provenance.source, "u1.base").read_text().split("\n", 1)[0].split("\t")
    assert r.iloc[train[0]][["user", "item"]].tolist() == first[:2]


def test_ml100k_lookup_order(ml100k_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("RECBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SURPRISE_DATA_FOLDER", str(tmp_path / "surprise"))
    monkeypatch.delenv("RECBENCH_DATA_DIR", raising=False)
    with pytest.raises(DataError, match="ml-100k was not found"):
        load_dataset("ml-100k", download=False)
    monkeypatch.setenv("RECBENCH_DATA_DIR", str(ml100k_dir.parent))
    assert load_dataset("ml-100k", download=False).provenance.n_ratings == 100_000


def test_embedded_default_dataset():
    ds = load_dataset("ml-latest-small")
    assert ds.provenance.sha256 == "aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646"
    assert ds.rating_scale == (0.5, 5.0) and len(ds.ratings) == 100_836
    assert "Toy Story" in ds.items.loc["1", "text"] and "pixar" in ds.items.loc["1", "text"].lower()


def test_datasets_command(capsys, ml100k_dir):
    assert main(["datasets", "--data-dir", str(ml100k_dir.parent)]) == 0
    out = capsys.readouterr().out
    assert "ml-latest-small" in out and "100,836" in out and "ml-100k" in out and "100,000" in out


def test_compact_storage_is_exact_and_small(tmp_path):
    """Ratings that float32 cannot hold exactly stay float64; ids given as numbers and as
    strings are one id; a missing timestamp keeps <NA>; about 16 bytes per rating."""
    from recbench.datasets import from_frame
    frame = pd.DataFrame({"user": [1, "1", 2, 3], "item": ["a", "b", "a", "c"],
                          "rating": [3.7, 4.0, 1.0, 5.0]})
    ds = from_frame(frame)
    assert ds.ratings["rating"].dtype == np.float64 and ds.ratings["rating"][0] == 3.7
    assert ds.provenance.n_users == 3 and ds.ratings["timestamp"].isna().all()
    halves = from_frame(frame.assign(rating=[3.5, 4.0, 1.0, 5.0]))
    assert halves.ratings["rating"].dtype == np.float32
    n = 200_000
    rng = np.random.default_rng(0)
    big = from_frame(pd.DataFrame({"user": rng.integers(0, 5000, n), "item": rng.integers(0, 3000, n),
                                   "rating": rng.integers(1, 6, n).astype(float),
                                   "timestamp": rng.integers(0, 2**31 - 1, n)})
                     .drop_duplicates(["user", "item"]))
    per_rating = big.ratings.memory_usage(deep=True, index=False).sum() / n
    assert per_rating < 17, per_rating


def test_a_missing_id_is_refused_not_given_to_another_id():
    from recbench.datasets import from_frame
    from recbench.errors import DataError
    frame = pd.DataFrame({"user": ["u1", None, "u3"], "item": ["a", "b", "c"],
                          "rating": [3.0, 4.0, 5.0]})
    with pytest.raises(DataError, match="row 1: the user id is missing"):
        from_frame(frame)
    # a categorical column keeps only the ids it holds (a filtered frame's unused ones go)
    cat = pd.DataFrame({"user": pd.Categorical(["a", "b", "c"])[:2], "item": ["x", "y"],
                        "rating": [1.0, 2.0]})
    ds = from_frame(cat)
    assert ds.provenance.n_users == 2 and list(ds.ratings["user"].cat.categories) == ["a", "b"]
    assert not isinstance(ds.items.index, pd.CategoricalIndex)
