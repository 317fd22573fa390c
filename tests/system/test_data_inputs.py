"""The rules for input data: a rating file, a DataFrame and a Dataset meet the same checks
(one sentence naming the file or row and the fix, exit code 2 on the command line), a file
that is not delimited text is named for what it is, and the recorded SHA-256 describes the
bytes parsed."""

import gzip
import hashlib
import json
import os

import pandas as pd
import pytest

import recbench
from recbench.cli.main import main
from recbench.datasets import custom, load_dataset
from recbench.datasets.dataset import make_dataset
from recbench.errors import DataError
from tests.support import tiny_ratings

FRAME = tiny_ratings(n_users=12, n_items=10, density=0.6, seed=1)
GOOD_CSV = FRAME.to_csv(index=False)
RUN = ["run", "--dataset", "r.csv", "--folds", "2", "--algorithms", "globalmean", "-q"]


def run_frame(frame, **kw):
    return recbench.run(frame, ["globalmean"], folds=2, k=5, metrics=["rmse"], **kw)


def cli_error(tmp_path, monkeypatch, capsys, argv, files=None) -> str:
    """Run ``argv`` in ``tmp_path`` (with ``r.csv`` and ``files``): exit 2, one sentence."""
    monkeypatch.chdir(tmp_path)
    for name, content in (files or {"r.csv": GOOD_CSV}).items():
        (tmp_path / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    code = main(list(argv))
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


# -- 1. DataFrames and Datasets meet the rules rating files meet ---------------------------

def test_duplicated_dataframe_rows_are_refused_naming_the_first_repeat():
    with pytest.raises(DataError) as exc:
        run_frame(pd.concat([FRAME, FRAME]))
    message = str(exc.value)
    first = FRAME.iloc[0]
    assert message.startswith(f"the DataFrame, row {len(FRAME)}: user {first['user']!r} rated "
                              f"item {first['item']!r} again ({len(FRAME)} duplicate")
    assert "csv={'duplicates': 'first'|'last'|'mean'}" in message


def test_the_duplicates_policy_of_the_file_reader_applies_to_a_dataframe():
    doubled = pd.concat([FRAME, FRAME.assign(rating=1.0)], ignore_index=True)
    kept = load_dataset(doubled, csv_options=recbench.CsvOptions(duplicates="last"))
    assert len(kept.ratings) == len(FRAME) and (kept.ratings["rating"] == 1.0).all()
    run = run_frame(doubled, csv={"duplicates": "first"})
    assert run.record["manifest"]["dataset"]["n_ratings"] == len(FRAME)


@pytest.mark.parametrize("change,words", [
    (lambda f: f.assign(rating=f["rating"].where(f.index != 3, float("inf"))),
     "row 3: the rating is not finite ('inf')"),
    (lambda f: f.assign(rating=f["rating"].astype(object).where(f.index != 2, "good")),
     "row 2: the rating is not a number ('good')"),
    (lambda f: f.assign(rating=f["rating"].where(f.index != 4, None)),
     "row 4: the rating is missing"),
    (lambda f: f.assign(user=f["user"].where(f.index != 5, "   ")),
     "row 5: the user id is empty; every row needs a user id"),
    (lambda f: f.assign(item=f["item"].where(f.index != 1, None)),
     "row 1: the item id is missing"),
], ids=["inf", "text", "nan", "blank-user", "missing-item"])
def test_a_dataframe_gets_the_file_readers_checks(change, words):
    with pytest.raises(DataError, match=None) as exc:
        run_frame(change(FRAME.copy()))
    assert words in str(exc.value)


def test_a_dataframe_rating_outside_the_given_scale_names_the_row():
    with pytest.raises(DataError) as exc:
        run_frame(FRAME.assign(rating=FRAME["rating"].where(FRAME.index != 6, 9.0)),
                  csv={"rating_scale": (1, 5)})
    assert "the DataFrame, row 6: rating 9 lies outside the rating scale 1-5" in str(exc.value)


def test_a_dataset_with_duplicate_pairs_is_refused():
    doubled = pd.concat([FRAME, FRAME.iloc[:3]], ignore_index=True)
    ds = make_dataset("mine", doubled, None, (1, 5), "built by hand", "0" * 64)
    with pytest.raises(DataError) as exc:
        run_frame(ds)
    assert str(exc.value).startswith(f"the Dataset 'mine', rating row {len(FRAME)}: user")
    assert "one rating per pair" in str(exc.value)
    twin = f" {FRAME['user'].iloc[-1]}"
    spaced = make_dataset("sp", FRAME.assign(user=FRAME["user"].where(FRAME.index != 0, twin)),
                          None, (1, 5), "by hand", "0" * 64)
    with pytest.raises(DataError, match="differ only by surrounding whitespace"):
        run_frame(spaced)


# -- 2. files that are not delimited text ----------------------------------------------------

def test_a_utf16_file_is_named_utf16(tmp_path, monkeypatch, capsys):
    message = cli_error(tmp_path, monkeypatch, capsys, RUN,
                        {"r.csv": GOOD_CSV.encode("utf-16")})
    assert "r.csv is UTF-16 text" in message and "pass --encoding utf-16" in message
    assert main(RUN + ["--encoding", "utf-16", "--output-dir", "out"]) == 0


def test_a_gzip_file_is_read(tmp_path):
    (tmp_path / "r.csv.gz").write_bytes(gzip.compress(GOOD_CSV.encode()))
    (tmp_path / "r.csv").write_text(GOOD_CSV)
    zipped, plain = load_dataset(tmp_path / "r.csv.gz"), load_dataset(tmp_path / "r.csv")
    assert zipped.content_digest() == plain.content_digest()
    assert zipped.name == "r"
    data = (tmp_path / "r.csv.gz").read_bytes()
    assert zipped.provenance.sha256 == hashlib.sha256(data).hexdigest()
    (tmp_path / "bad.gz").write_bytes(data[:20])
    with pytest.raises(DataError, match="bad.gz is gzip-compressed but cannot be decompressed"):
        load_dataset(tmp_path / "bad.gz")


def test_a_parquet_file_is_named_parquet(tmp_path, monkeypatch, capsys):
    pytest.importorskip("pyarrow")
    FRAME.to_parquet(tmp_path / "r.parquet")
    message = cli_error(tmp_path, monkeypatch, capsys,
                        ["run", "--dataset", "r.parquet", "--algorithms", "globalmean"], {})
    assert "r.parquet is a Parquet file, not delimited text" in message
    assert "pd.read_parquet" in message


def test_a_fifo_and_a_device_are_not_rating_files(tmp_path, monkeypatch, capsys):
    os.mkfifo(tmp_path / "pipe.csv")
    message = cli_error(tmp_path, monkeypatch, capsys, ["run", "--dataset", "pipe.csv"], {})
    assert "pipe.csv is a named pipe (FIFO), not a rating file" in message
    message = cli_error(tmp_path, monkeypatch, capsys, ["run", "--dataset", "/dev/zero"], {})
    assert "/dev/zero is a character device, not a rating file" in message


def test_a_symlink_loop_is_named_a_loop(tmp_path, monkeypatch, capsys):
    os.symlink("loop", tmp_path / "loop")
    os.symlink("ring.csv", tmp_path / "ring.csv")
    for name in ("loop", "ring.csv"):
        message = cli_error(tmp_path, monkeypatch, capsys, ["run", "--dataset", name], {})
        assert f"{name} is a symbolic link loop" in message, message
    os.symlink("gone.csv", tmp_path / "dangling.csv")
    message = cli_error(tmp_path, monkeypatch, capsys, ["run", "--dataset", "dangling.csv"], {})
    assert "dangling.csv is a symbolic link to gone.csv, which does not exist" in message


# -- 3. negative scale bounds on the command line ------------------------------------------

@pytest.mark.parametrize("scale", [["--rating-scale", "-3,3"], ["--rating-scale=-3,3"],
                                   ["--rating-scale", "-3.5,3"]])
def test_a_negative_rating_scale_is_accepted(tmp_path, monkeypatch, scale):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.csv").write_text(FRAME.assign(rating=FRAME["rating"] - 3).to_csv(index=False))
    assert main(RUN + scale + ["--output-dir", "out"]) == 0
    record = json.loads((tmp_path / "out" / "run.json").read_text())
    assert f"{float(scale[-1].split('=')[-1].split(',')[0]):g}" in json.dumps(record)


# -- 4. the SHA-256 describes the bytes parsed -----------------------------------------------

def test_a_file_changed_while_read_records_the_digest_of_what_was_parsed(tmp_path, monkeypatch):
    path = tmp_path / "r.csv"
    path.write_text(GOOD_CSV)
    original = hashlib.sha256(GOOD_CSV.encode()).hexdigest()
    parse = custom.read_table

    def parse_then_change(*args, **kw):
        raw = parse(*args, **kw)
        path.write_text(GOOD_CSV.replace(",5.0,", ",1.0,"))     # a writer still at work
        return raw

    monkeypatch.setattr(custom, "read_table", parse_then_change)
    ds = load_dataset(path)
    assert ds.provenance.sha256 == original
    assert ds.ratings["rating"].tolist() == FRAME["rating"].tolist()


# -- 5. ids that differ only by surrounding whitespace ---------------------------------------

def test_ids_are_stripped_of_surrounding_whitespace(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("user,item,rating\n1,a,4\n 1,b,3\n2 ,a,2\n2,c ,5\n")
    ds = load_dataset(path)
    assert ds.provenance.n_users == 2 and ds.provenance.n_items == 3
    frame = pd.DataFrame({"user": ["1", " 1", "2"], "item": ["a", "b", "a"], "rating": [4, 3, 2.]})
    assert load_dataset(frame).provenance.n_users == 2
    path.write_text("user,item,rating\n1,a,4\n 1,a,3\n2,a,2\n")
    with pytest.raises(DataError, match=r"r.csv, line 3: user '1' rated item 'a' again"):
        load_dataset(path)


# -- 6. timestamps ---------------------------------------------------------------------------

def test_iso_date_timestamps_are_read_as_epoch_seconds(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("user,item,rating,timestamp\nu1,a,4,2020-01-02\nu1,b,3,2020-01-02T00:00:10\n"
                    "u2,a,2,2020-01-02T01:00:00+01:00\n")
    ds = load_dataset(path)
    assert ds.ratings["timestamp"].tolist() == [1577923200, 1577923210, 1577923200]
    frame = pd.DataFrame({"user": ["u1", "u2"], "item": ["a", "a"], "rating": [1.0, 5.0],
                          "timestamp": ["2020-01-02", "2020-01-03"]})
    assert load_dataset(frame).ratings["timestamp"].tolist() == [1577923200, 1578009600]
    dated = frame.assign(timestamp=pd.to_datetime(frame["timestamp"]))
    assert load_dataset(dated).ratings["timestamp"].tolist() == [1577923200, 1578009600]


def test_a_timestamp_that_is_neither_seconds_nor_a_date_names_the_row(tmp_path):
    frame = pd.DataFrame({"user": ["u1", "u2", "u3"], "item": ["a", "a", "b"],
                          "rating": [1.0, 5.0, 3.0], "timestamp": ["12", "yesterday", "13"]})
    with pytest.raises(DataError, match=r"the DataFrame, row 1: the timestamp is not a number "
                                        r"\('yesterday'\)"):
        run_frame(frame)
    with pytest.raises(DataError, match=r"row 2: the timestamp '2020-13-45' is neither whole "
                                        r"seconds since 1970 nor an ISO date"):
        load_dataset(frame.assign(timestamp=["2020-01-01", "2020-01-02", "2020-13-45"]))
    path = tmp_path / "r.csv"
    path.write_text("user,item,rating,timestamp\nu1,a,4,2020-01-02\nu2,a,2,soon\n")
    with pytest.raises(DataError, match=r"r.csv, line 3: the timestamp 'soon' is neither"):
        load_dataset(path)


def test_an_explicit_timestamp_column_must_exist_an_optional_one_need_not():
    plain = FRAME.drop(columns="timestamp")
    assert load_dataset(plain).ratings["timestamp"].isna().all()
    with pytest.raises(DataError, match="the DataFrame has no timestamp column 'when'"):
        run_frame(plain, csv={"timestamp_col": "when"})
    ds = load_dataset(FRAME.rename(columns={"timestamp": "when"}),
                      csv_options=recbench.CsvOptions(timestamp_col="when"))
    assert ds.ratings["timestamp"].tolist() == FRAME["timestamp"].tolist()


# -- 7. raw bytes in messages are escaped and cut --------------------------------------------

def test_binary_values_in_a_message_are_escaped_and_cut(tmp_path, monkeypatch, capsys):
    garbage = "\x1b[2J\x07" + "z" * 500
    message = cli_error(tmp_path, monkeypatch, capsys, RUN,
                        {"r.csv": f"{garbage},b,c\nu1,i1,4\nu2,i1,3\n"})
    assert "has no column 'user'" in message
    assert "\x1b" not in message and "\x07" not in message and "\\x1b" in message
    assert len(message) < 400, message
    long_id = "\x00\x1b" + "u" * 10_000
    frame = pd.DataFrame({"user": [long_id, long_id, "v"], "item": ["a", "a", "b"],
                          "rating": [1.0, 2.0, 3.0]})
    with pytest.raises(DataError) as exc:
        load_dataset(frame)
    assert len(str(exc.value)) < 400 and "\\x00\\x1b" in str(exc.value)
