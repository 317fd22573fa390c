"""``--job-timeout``: a job still running when its time is up is ended (its worker process
is gone), recorded as failed with the reason, and the other jobs' numbers are those of a run
without it; the store keeps nothing of it; bad values are refused before any work. And a
plugin's ``print`` in a worker process does not land in the table on stdout."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import recbench
from recbench.algorithms import Algorithm
from recbench.cli.main import main
from recbench.experiments.jobstore import JobStore
from tests.support import ROOT, tiny_ratings

PLUGIN = "tests.system.test_job_timeout"


class Sleeper(Algorithm):
    """Writes its process id to ``pid_file``, then sleeps for a minute in ``fit``."""

    name = "sleeper"

    def __init__(self, pid_file: str = ""):
        self.pid_file = pid_file

    def fit(self, train, items=None):
        if self.pid_file:
            Path(self.pid_file).write_text(str(os.getpid()))
        time.sleep(60)
        self.mean_ = float(train["rating"].mean())
        return self

    def score(self, users, items):
        return np.full((len(users), len(items)), self.mean_)


class Noisy(Algorithm):
    """Prints from Python and from file descriptor 1 in ``fit``."""

    name = "noisy"

    def fit(self, train, items=None):
        print("NOISE from print")
        os.write(1, b"NOISE from fd 1\n")
        self.mean_ = float(train["rating"].mean())
        return self

    def score(self, users, items):
        return np.full((len(users), len(items)), self.mean_)


class Quitter(Algorithm):
    """Ends its process in ``fit``."""

    name = "quitter"

    def fit(self, train, items=None):
        os._exit(3)

    def score(self, users, items):
        raise AssertionError("never fitted")


def _gone(pid: int) -> bool:
    """The process is neither running nor a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


def _values(record, algorithm):
    return {(r["metric"], tuple(r.get("folds") or [])): r["mean"] for r in record["results"]
            if r["algorithm"] == algorithm and not r["metric"].endswith("_time_s")}


@pytest.fixture
def ratings(tmp_path):
    path = tmp_path / "r.csv"
    tiny_ratings(n_users=15, n_items=12, density=0.6, seed=3).to_csv(path, index=False)
    return path


def _run(ratings, tmp_path, name, *extra):
    out = tmp_path / name
    code = main(["run", "--dataset", str(ratings), "--folds", "2", "--k", "5", "-q",
                 "--output-dir", str(out), *extra])
    return code, out


@pytest.mark.parametrize("n_jobs", ["1", "2"])
def test_a_job_out_of_time_is_ended_and_fails_and_the_others_are_unchanged(
        ratings, tmp_path, capsys, n_jobs):
    pid_file = tmp_path / "sleeper.pid"
    code, alone = _run(ratings, tmp_path, "alone", "--algorithms", "globalmean")
    assert code == 0
    t0 = time.monotonic()
    code, out = _run(ratings, tmp_path, "timed", "--algorithms", f"{PLUGIN}:Sleeper,globalmean",
                     "--param", f"sleeper.pid_file={pid_file}", "--job-timeout", "2",
                     "--n-jobs", n_jobs)
    assert code == 0
    assert time.monotonic() - t0 < 55           # not the sleeper's 2 x 60 s
    record = json.loads((out / "run.json").read_text())
    failures = {(f["algorithm"], f["fold"]): f["error"] for f in record["failures"]}
    assert len(failures) == 2 and all(a == "sleeper" for a, _ in failures)
    assert all(e == "failed: exceeded --job-timeout 2 s" for e in failures.values())
    assert "exceeded --job-timeout 2 s" in capsys.readouterr().err
    assert record["manifest"]["job_timeout_s"] == 2
    base = json.loads((alone / "run.json").read_text())
    assert base["manifest"]["job_timeout_s"] is None
    assert _values(record, "globalmean") == _values(base, "globalmean")
    assert _gone(int(pid_file.read_text()))     # the sleeping worker was ended
    assert multiprocessing.active_children() == []


def test_a_job_out_of_time_is_not_kept_and_resume_runs_it_again(ratings, tmp_path):
    data = pd.read_csv(ratings)
    store = tmp_path / "jobs"
    run = recbench.run(data, [Sleeper(), "globalmean"], split="holdout", k=[5],
                       job_timeout=1.5, job_store=store)
    assert [f["algorithm"] for f in run.record["failures"]] == ["sleeper"]
    assert len(JobStore(store).keys()) == 1     # globalmean's job only
    again = recbench.run(data, [Sleeper(), "globalmean"], split="holdout", k=[5],
                         job_timeout=1.5, job_store=store, resume=True)
    assert [f["error"] for f in again.record["failures"]] == ["failed: exceeded --job-timeout 1.5 s"]
    assert multiprocessing.active_children() == []


def test_the_time_limit_is_no_part_of_the_job_key(ratings):
    from recbench.experiments.jobstore import job_key
    data = pd.read_csv(ratings)
    keys = []
    for timeout in (None, 5):
        exp = recbench.api.experiment(data, ["globalmean"], split="holdout", job_timeout=timeout)
        keys.append(job_key(exp, exp.algorithms[0], "holdout"))
    assert keys[0] == keys[1]


def test_job_timeout_in_an_experiment_file(ratings, tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(f'dataset = "{ratings}"\njob_timeout = 30\n'
                    f'[algorithms.globalmean]\n')
    code, out = _run(ratings, tmp_path, "file", str(good))
    assert code == 0
    assert json.loads((out / "run.json").read_text())["manifest"]["job_timeout_s"] == 30
    bad = tmp_path / "bad.toml"
    bad.write_text(f'dataset = "{ratings}"\njob_timeout = -3\n[algorithms.globalmean]\n')
    assert _run(ratings, tmp_path, "bad", str(bad))[0] == 2


@pytest.mark.parametrize("value", ["0", "-1", "nan", "abc", "inf"])
def test_a_bad_job_timeout_is_refused_before_any_work(value, tmp_path, capsys):
    missing = tmp_path / "no-such-file.csv"          # no data is read before the refusal
    code = main(["run", "--dataset", str(missing), "--job-timeout", value, "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "--job-timeout" in err and "positive number" in err
    assert "no-such-file" not in err


@pytest.mark.parametrize("value", [0, -1, float("nan"), "5", True])
def test_the_api_refuses_a_bad_job_timeout(value):
    with pytest.raises(recbench.errors.ConfigError, match="--job-timeout"):
        recbench.api.experiment(pd.DataFrame(), ["globalmean"], job_timeout=value)


@pytest.mark.parametrize("extra", [["--n-jobs", "2"], ["--job-timeout", "60"]])
def test_a_plugins_print_in_a_worker_process_goes_to_stderr(ratings, tmp_path, extra):
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "recbench", "run", "--dataset", str(ratings),
                           "--folds", "2", "--k", "5", "--algorithms", f"{PLUGIN}:Noisy,globalmean",
                           "--format", "plain", "-q", "--output-dir", str(tmp_path / "o"), *extra],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "NOISE" not in done.stdout
    assert "NOISE from print" in done.stderr and "NOISE from fd 1" in done.stderr
    table = done.stdout.split("\n\n")[0].splitlines()       # the table, then its notes
    assert [line.split()[0] for line in table] == ["algorithm", "noisy", "globalmean"]


def test_a_worker_that_dies_is_one_failed_job(ratings):
    run = recbench.run(pd.read_csv(ratings), [Quitter(), "globalmean"], split="holdout", k=[5],
                       job_timeout=60)
    assert [(f["algorithm"], f["error"]) for f in run.record["failures"]] == [
        ("quitter", "failed: its worker process ended during the job (exit code 3)")]
    assert multiprocessing.active_children() == []


def test_the_callers_stdout_is_left_alone(ratings):
    before, fd1 = sys.stdout, os.fstat(1)
    recbench.run(pd.read_csv(ratings), ["globalmean"], folds=2, k=[5], n_jobs=2)
    recbench.run(pd.read_csv(ratings), ["globalmean"], split="holdout", k=[5], job_timeout=60)
    assert sys.stdout is before
    assert (os.fstat(1).st_ino, os.fstat(1).st_dev) == (fd1.st_ino, fd1.st_dev)


def test_dask_cannot_stop_a_job_so_a_time_limit_is_refused_with_it():
    pytest.importorskip("distributed")
    from recbench.runtime.execution import Execution
    with pytest.raises(recbench.errors.ConfigError, match="--job-timeout cannot stop"):
        Execution(2, backend="dask", scheduler="local", timeout=5)
