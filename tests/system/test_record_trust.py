"""Stored records are read, not trusted: per-user files with repeated rows or text values,
run records nested too deep or holding endless numbers, and MLflow targets that cannot take a
run are each exit code 2 with one sentence naming the file (or option) and the fix. Each case
runs the real command line in-process (``recbench.cli.main``)."""

import gzip
import json
import os
import shutil
import socket
import time
from pathlib import Path

import pytest

from recbench.cli.main import main
from tests.support import saved_run, tiny_ratings

GOOD_CSV = tiny_ratings(n_users=16, n_items=12, density=0.6, seed=2).to_csv(index=False)
RUN = ["run", "--dataset", "r.csv", "--folds", "2", "--algorithms", "globalmean", "-q"]


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    return saved_run(tmp_path_factory.mktemp("trust"), GOOD_CSV)


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


# -- MLflow: the target is checked before the work -------------------------------------------

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unwritable(here: Path) -> str:
    if os.geteuid() == 0:                     # root writes anywhere but into /sys
        if not Path("/sys").is_dir():
            pytest.skip("no /sys to stand for an unwritable folder")
        return "/sys/recbench-mlruns"
    locked = here / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    return str(locked / "mlruns")


MLFLOW = [   # (id, --mlflow value builder, extra argv, words)
    ("refused-connection", lambda here: f"http://127.0.0.1:{_closed_port()}", [],
     ["no MLflow server answered within 3 s", "start the tracking server"]),
    ("unknown-scheme", lambda here: "bogus://x", [],
     ["bogus://x", "no tracking store for scheme 'bogus'"]),
    ("empty-experiment", lambda here: "mlruns", ["--mlflow-experiment", ""],
     ["--mlflow-experiment ''", "give a name"]),
    ("blank-experiment", lambda here: "mlruns", ["--mlflow-experiment", "  "],
     ["--mlflow-experiment '  '"]),
    ("store-is-a-file", lambda here: "r.csv", [], ["r.csv is a file", "give a folder"]),
    ("store-under-a-file", lambda here: "r.csv/mlruns", [],
     ["r.csv/mlruns is under", "r.csv, a file"]),
    ("store-unwritable", _unwritable, [], ["cannot be written", "give a folder you can write"]),
]


@pytest.mark.parametrize("target,extra,words", [c[1:] for c in MLFLOW], ids=[c[0] for c in MLFLOW])
def test_an_mlflow_target_that_cannot_take_the_run_is_refused_before_any_work(
        here, capsys, monkeypatch, target, extra, words):
    pytest.importorskip("mlflow", reason="mlflow-skinny is in the test extra")
    fitted = []
    from recbench.algorithms.baselines import GlobalMean
    original = GlobalMean.fit
    monkeypatch.setattr(GlobalMean, "fit", lambda self, *a, **k: fitted.append(1)
                        or original(self, *a, **k))
    uri = target(here)
    start = time.perf_counter()
    _refused(capsys, RUN + ["--output-dir", "out", f"--mlflow={uri}", *extra], "--mlflow", *words)
    assert time.perf_counter() - start < 30, "one quick probe, no retries"
    assert not fitted, "no fold was fitted"
    assert not (here / "out").exists()
    assert not (here / "mlruns").exists(), "the check leaves no store behind"


def test_the_probe_of_a_silent_server_gives_up_after_its_timeout():
    pytest.importorskip("mlflow", reason="mlflow-skinny is in the test extra")
    from recbench.errors import ConfigError
    from recbench.integrations.mlflow import check_target
    with socket.socket() as server:            # accepts connections, never answers
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        start = time.perf_counter()
        with pytest.raises(ConfigError, match="no MLflow server answered within 0.5 s"):
            check_target(f"http://127.0.0.1:{server.getsockname()[1]}", timeout=0.5)
        assert time.perf_counter() - start < 5


def test_an_answering_server_and_a_new_store_folder_pass_the_check(tmp_path):
    pytest.importorskip("mlflow", reason="mlflow-skinny is in the test extra")
    import http.server
    import threading

    from recbench.integrations.mlflow import check_target
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:       # any HTTP answer, even 501 (no handler), means a server is there
        assert check_target(f"http://127.0.0.1:{server.server_port}").startswith("http://")
    finally:
        thread.join(5)
        server.server_close()
    store = tmp_path / "a" / "b" / "mlruns"
    assert check_target(store).startswith("file:")
    assert not (tmp_path / "a").exists(), "folders made to check are removed"


@pytest.mark.parametrize("target", ["http", "file"])
def test_a_tracking_failure_after_the_work_keeps_the_folder_and_the_table(
        here, capsys, monkeypatch, target):
    """The target went away during the run: the folder is saved and the table printed, then
    the MLflow error (exit code 2, one sentence)."""
    pytest.importorskip("mlflow", reason="mlflow-skinny is in the test extra")
    import recbench.integrations.mlflow as mlflow_mod
    monkeypatch.setattr(mlflow_mod, "check_target", lambda *a, **k: None,   # it passed
                        raising=False)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    uri = f"http://127.0.0.1:{_closed_port()}" if target == "http" else "r.csv/mlruns"
    code = main(RUN + ["--output-dir", "out", f"--mlflow={uri}"])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert "Traceback" not in err
    assert "| globalmean" in out, "the table is printed"
    assert (here / "out" / "run.json").is_file() and (here / "out" / "per_user.csv.gz").is_file()
    message = err.strip().splitlines()[-1]
    assert "refused the run" in message and "the run folder out is saved" in message
    assert main(["tables", "out", "--check"]) == 0, "the saved folder reads back whole"
