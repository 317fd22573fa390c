"""Stored records are read, not trusted: per-user files with repeated rows or text values,
run records nested too deep or holding endless numbers, and MLflow targets that cannot take a
run are each exit code 2 with one sentence naming the file (or option) and the fix. Each case
runs the real command line in-process (``recbench.cli.main``)."""

import gzip
import json
import os
import shutil
from pathlib import Path

import pytest

from recbench.cli.main import main
from tests.support import tiny_ratings

GOOD_CSV = tiny_ratings(n_users=16, n_items=12, density=0.6, seed=2).to_csv(index=False)
RUN = ["run", "--dataset", "r.csv", "--folds", "2", "--algorithms", "globalmean", "-q"]


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trust")
    (folder / "r.csv").write_text(GOOD_CSV)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        assert main(["run", "--dataset", "r.csv", "--folds", "2", "--algorithms",
                     "globalmean,popularity", "-q", "--output-dir", "good"]) == 0
    finally:
        os.chdir(cwd)
    return folder / "good"


@pytest.fixture
def here(tmp_path, monkeypatch, good_run):
    """A working folder holding r.csv and a copy of the good run as good/."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.csv").write_text(GOOD_CSV)
    shutil.copytree(good_run, tmp_path / "good")
    return tmp_path


def _refused(capsys, argv, *words) -> str:
    """Run ``argv``: exit code 2, no traceback, one last line holding every word."""
    code = main(list(argv))
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    message = err.strip().splitlines()[-1]
    for word in words:
        assert word in message, f"{word!r} not in: {message}"
    return message


def _copy(here: Path, name: str) -> Path:
    shutil.copytree(here / "good", here / name)
    return here / name


# -- per-user files --------------------------------------------------------------------------

def _rewrite_per_user(folder: Path, edit) -> None:
    path = folder / "per_user.csv.gz"
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    path.write_bytes(gzip.compress(("\n".join(edit(lines)) + "\n").encode()))


@pytest.mark.parametrize("argv", [["compare", "good", "dup"], ["compare", "dup", "good"],
                                  ["compare", "dup"],
                                  ["compare", "dup", "--a", "globalmean", "--b", "popularity"]],
                         ids=["as-b", "as-a", "within", "pair"])
def test_duplicated_per_user_rows_are_refused(here, capsys, argv):
    # every row twice: the paired tests would count every user twice and shrink p
    _rewrite_per_user(_copy(here, "dup"), lambda lines: lines + lines[1:])
    message = _refused(capsys, argv, "dup/per_user.csv.gz", "duplicated (algorithm, fold, user)",
                       "re-run the experiment to rewrite it")
    assert "line " in message


def test_one_repeated_per_user_row_is_refused(here, capsys):
    _rewrite_per_user(_copy(here, "dup"), lambda lines: lines + [lines[5]])
    _refused(capsys, ["compare", "good", "dup"], "holds 1 duplicated")


@pytest.mark.parametrize("value", ["abc", "inf"])
def test_text_in_per_user_values_is_refused(here, capsys, value):
    def edit(lines):
        header = lines[0].split(",")
        row = lines[3].split(",")
        row[header.index("ndcg@10")] = value
        return lines[:3] + [",".join(row)] + lines[4:]
    _rewrite_per_user(_copy(here, "bad"), edit)
    for argv in (["compare", "bad"], ["compare", "good", "bad"]):
        _refused(capsys, argv, "bad/per_user.csv.gz", f"{value!r} at line 4, column 'ndcg@10'",
                 "re-run the experiment")


def test_a_good_per_user_file_still_compares(here, capsys):
    assert main(["compare", "good", "good"]) == 0
    assert main(["compare", "good"]) == 0


def test_users_called_na_or_null_are_ids_not_missing_values(here, capsys):
    """pandas reads NA, null and nan as missing by default: such users were one NaN user,
    paired with each other; they stay ids, in memory and in the file."""
    lines = GOOD_CSV.replace("u0,", "NA,").replace("u1,", "null,").replace("u2,", "nan,")
    (here / "na.csv").write_text(lines)
    assert main(["run", "--dataset", "na.csv", "--folds", "2", "--algorithms",
                 "globalmean,popularity", "-q", "--output-dir", "na"]) == 0
    capsys.readouterr()
    rows = gzip.decompress((here / "na" / "per_user.csv.gz").read_bytes()).decode().splitlines()
    assert {r.split(",")[2] for r in rows[1:]} >= {"NA", "null", "nan"}
    assert main(["compare", "na"]) == 0
    import recbench
    run = recbench.Run.load(here / "na")
    assert not run.per_user["user"].isna().any()


# -- run records -----------------------------------------------------------------------------

def _record_text(here: Path, key: str, raw: str) -> str:
    """good/run.json with ``key`` (dotted) set to the raw JSON text ``raw``."""
    record = json.loads((here / "good" / "run.json").read_text())
    *path, last = key.split(".")
    target = record
    for part in path:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[int(last) if isinstance(target, list) else last] = "@@RAW@@"
    return json.dumps(record).replace('"@@RAW@@"', raw)


DEEP = "[" * 200_000 + "]" * 200_000
BIG = "9" * 5000

RECORDS = [   # (id, run.json text builder, words)
    ("deep-file", lambda here: DEEP, ["run.json", "more than 64 levels deep"]),
    ("deep-key", lambda here: _record_text(here, "warnings", DEEP),
     ["run.json", "key warnings[0][0]", "more than 64 levels deep"]),
    ("deep-object", lambda here: _record_text(here, "experiment", '{"a": ' * 100_000 + "1"
                                              + "}" * 100_000),
     ["run.json", "key experiment.a.a", "more than 64 levels deep"]),
    ("deep-but-parsed", lambda here: _record_text(here, "warnings", "[" * 500 + "]" * 500),
     ["run.json", "key warnings[0][0]"]),
    ("huge-int-seed", lambda here: _record_text(here, "manifest.seed", BIG),
     ["run.json", "key manifest.seed", "5000-digit number"]),
    ("huge-int-mean", lambda here: _record_text(here, "results.0.mean", BIG),
     ["run.json", "key results[0].mean", "5000-digit number"]),
    ("huge-int-users", lambda here: _record_text(here, "manifest.dataset.n_users", "-" + BIG),
     ["run.json", "key manifest.dataset.n_users", "5000-digit number"]),
    ("text-mean", lambda here: _record_text(here, "results.0.mean", '"0.5"'),
     ["run.json", "results[0]", "not a number"]),
    ("text-fold-value", lambda here: _record_text(here, "results.1.folds.0", '"x"'),
     ["run.json", "results[1].folds"]),
    ("text-threshold", lambda here: _record_text(here, "protocol.relevance_threshold", '"4"'),
     ["run.json", "protocol.relevance_threshold"]),
    ("text-n-ratings", lambda here: _record_text(here, "manifest.dataset.n_ratings", '"many"'),
     ["run.json", "manifest.dataset.n_ratings"]),
    ("text-k", lambda here: _record_text(here, "manifest.k", '["10"]'),
     ["run.json", "manifest.k"]),
]


@pytest.mark.parametrize("build,words", [c[1:] for c in RECORDS], ids=[c[0] for c in RECORDS])
@pytest.mark.parametrize("argv", [["compare", "good", "bad"], ["compare", "bad"],
                                  ["tables", "bad"], ["tables", "bad", "--format", "github"]],
                         ids=["compare-ab", "compare-within", "tables", "tables-print"])
def test_a_malformed_run_record_is_refused(here, capsys, build, words, argv):
    (_copy(here, "bad") / "run.json").write_text(build(here))
    message = _refused(capsys, argv, "bad/run.json", *words)
    assert "re-run" in message


def test_record_depth_and_numbers_of_real_records_pass(here, capsys):
    """Records the project writes nest a few levels and hold ordinary numbers."""
    text = _record_text(here, "manifest.seed", "9" * 30)     # a long seed is still a number
    (_copy(here, "long-seed") / "run.json").write_text(text)
    assert main(["tables", "long-seed", "--format", "json"]) == 0
