"""Reliability: failures isolated per job, atomic run folders under kill -9 and Ctrl-C, one
run per folder, resumable runs, and a fuzzed run-record reader."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import recbench
from tests.support import ROOT, tiny_ratings

PLUGINS = textwrap.dedent('''
    import os, sys, time
    import numpy as np
    from recbench.algorithms.baselines import GlobalMean

    class Slow(GlobalMean):
        name = "slow"
        def __init__(self, seconds=0.5):
            self.seconds = seconds
        def fit(self, train, items=None):
            with open(os.environ["FIT_LOG"], "a") as fh:
                fh.write("fit\\n")
            time.sleep(self.seconds)
            return super().fit(train, items)

    class BadInit(GlobalMean):
        name = "badinit"
        def __init__(self):
            raise RuntimeError("broken constructor")

    class Exits(GlobalMean):
        name = "exits"
        def fit(self, train, items=None):
            sys.exit(3)

    class Boom(GlobalMean):
        name = "boom"
        def fit(self, train, items=None):
            raise ValueError("no luck")

    class NaNPredict(GlobalMean):
        name = "nanpredict"
        def predict(self, users, items):
            return np.full(len(users), np.nan)

    class WrongShape(GlobalMean):
        name = "wrongshape"
        def score(self, users, items):
            return np.zeros((len(users), len(items) + 1))

    class ComplexScore(GlobalMean):
        name = "complexscore"
        def score(self, users, items):
            return np.ones((len(users), len(items))) * (1 + 2j)

    class ComplexPredict(GlobalMean):
        name = "complexpredict"
        def predict(self, users, items):
            return np.full(len(users), 3 + 0.5j)
''')


@pytest.fixture
def env(tmp_path):
    (tmp_path / "faultplugins.py").write_text(PLUGINS)
    tiny_ratings(n_users=40, n_items=30, density=0.5, seed=5).to_csv(tmp_path / "r.csv", index=False)
    e = dict(os.environ, PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}", FIT_LOG=str(tmp_path / "fits.log"))
    return tmp_path, e


def cli(env, *args, **kw):
    tmp, e = env
    return subprocess.run([sys.executable, "-m", "recbench", "run", "--dataset", str(tmp / "r.csv"),
                           "-q", *args], env=e, cwd=tmp, capture_output=True, text=True, **kw)


def _sigint_default():
    # a background job of a non-interactive shell (as CI may be) inherits SIGINT ignored;
    # give the child Ctrl-C back, as a terminal would
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(env, *args):
    tmp, e = env
    return subprocess.Popen([sys.executable, "-m", "recbench", "run", "--dataset",
                             str(tmp / "r.csv"), "-q", *args], env=e, cwd=tmp,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_sigint_default)


def wait_for(predicate, seconds=60.0):
    end = time.time() + seconds
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def comparable(record: dict) -> dict:
    """The record without what legitimately differs between two runs: times and dates."""
    r = json.loads(json.dumps(record))
    r["manifest"].pop("created"), r["manifest"].pop("command")
    r["results"] = [x for x in r["results"] if not x["metric"].endswith("_time_s")]
    return r


def test_each_failure_is_one_failed_job_and_the_run_goes_on(env):
    algos = "globalmean,faultplugins:BadInit,faultplugins:Exits,faultplugins:NaNPredict," \
            "faultplugins:WrongShape,faultplugins:ComplexScore,faultplugins:ComplexPredict"
    out = cli(env, "--folds", "2", "--algorithms", algos, "--output-dir", "out")
    assert out.returncode == 0, out.stderr
    rec = json.loads((env[0] / "out" / "run.json").read_text())
    status = {a["algorithm"]: a["status"] for a in rec["algorithms"]}
    assert status == {"globalmean": "ok", "badinit": "failed", "exits": "failed",
                      "nanpredict": "failed", "wrongshape": "failed", "complexscore": "failed",
                      "complexpredict": "failed"}
    reasons = {f["algorithm"]: f["error"] for f in rec["failures"]}
    assert "in __init__: RuntimeError: broken constructor" in reasons["badinit"]
    assert "sys.exit(3)" in reasons["exits"]
    assert "NaN or infinite predictions" in reasons["nanpredict"]
    assert "returned shape" in reasons["wrongshape"]
    assert "complexscore.score returned complex scores" in reasons["complexscore"]
    assert "complexpredict.predict returned complex predictions" in reasons["complexpredict"]
    assert "ComplexWarning" not in out.stderr
    assert "Traceback" not in out.stderr


def test_a_run_whose_jobs_all_fail_exits_1_and_keeps_the_earlier_run(env):
    assert cli(env, "--folds", "2", "--algorithms", "globalmean", "--output-dir", "out").returncode == 0
    before = snapshot(env[0] / "out")
    out = cli(env, "--folds", "2", "--algorithms", "faultplugins:Boom", "--output-dir", "out")
    assert out.returncode == 1
    assert out.stderr.count("ValueError: no luck") == 2 and "every job failed" in out.stderr
    assert snapshot(env[0] / "out") == before


def test_kill_9_during_the_jobs_then_resume_equals_an_uninterrupted_run(env):
    tmp, _ = env
    args = ["--folds", "3", "--algorithms", "globalmean,faultplugins:Slow",
            "--param", "slow.seconds=0.8"]
    proc = start(env, *args, "--output-dir", "out")
    jobs = tmp / ".out.jobs"
    wait_for(lambda: len(list(jobs.glob("*.job"))) >= 3)     # globalmean x1+ and slow x1+
    proc.kill()
    proc.wait()
    assert not (tmp / "out").exists()
    stored = len(list(jobs.glob("*.job")))
    fits_before = (tmp / "fits.log").read_text().count("fit")
    out = cli(env, *args, "--output-dir", "out", "--resume")
    assert out.returncode == 0, out.stderr
    fits_after = (tmp / "fits.log").read_text().count("fit") - fits_before
    # jobs run in the order (fold1: globalmean, slow), (fold2: ...): the stored ones are a prefix
    assert fits_after == 3 - stored // 2, "resume refits only the slow jobs that had not finished"
    assert not jobs.exists(), "the job store is removed once the run folder is written"
    assert cli(env, *args, "--output-dir", "whole").returncode == 0
    resumed = json.loads((tmp / "out" / "run.json").read_text())
    whole = json.loads((tmp / "whole" / "run.json").read_text())
    assert comparable(resumed) == comparable(whole)
    assert (tmp / "out" / "per_user.csv.gz").read_bytes() == (tmp / "whole" / "per_user.csv.gz").read_bytes()


KILL_DURING_WRITE = textwrap.dedent('''
    import sys, time, pathlib
    import recbench
    from recbench.reporting import storage
    where = sys.argv[2]
    ready = pathlib.Path(sys.argv[3])
    if where == "swap":
        def stuck(a, b):
            ready.write_text("x"); time.sleep(60)
        storage._exchange = stuck
    else:
        real = storage.os.fsync
        def stuck(fd):
            ready.write_text("x"); time.sleep(60)
        storage.os.fsync = stuck
    run = recbench.run(sys.argv[1], ["popularity"], folds=2, k=5, seed=9)
    run.save("out")
''')


@pytest.mark.parametrize("where", ["files", "swap"])
def test_kill_9_during_the_final_write_leaves_the_earlier_run_whole(env, where):
    tmp, e = env
    assert cli(env, "--folds", "2", "--algorithms", "globalmean", "--output-dir", "out").returncode == 0
    before = snapshot(tmp / "out")
    (tmp / "writer.py").write_text(KILL_DURING_WRITE)
    proc = subprocess.Popen([sys.executable, "writer.py", str(tmp / "r.csv"), where, "ready"],
                            env=e, cwd=tmp)
    wait_for(lambda: (tmp / "ready").exists())
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert snapshot(tmp / "out") == before
    assert list(tmp.glob(".out.new-*")), "the interrupted write left its temporary folder"
    assert cli(env, "--folds", "2", "--algorithms", "popularity", "--output-dir", "out").returncode == 0
    assert not list(tmp.glob(".out.new-*")) and not list(tmp.glob(".out.old-*"))
    assert json.loads((tmp / "out" / "run.json").read_text())["algorithms"][0]["algorithm"] == "popularity"


def test_ctrl_c_exits_130_and_keeps_the_earlier_run(env):
    tmp, _ = env
    assert cli(env, "--folds", "2", "--algorithms", "globalmean", "--output-dir", "out").returncode == 0
    before = snapshot(tmp / "out")
    proc = start(env, "--folds", "3", "--algorithms", "faultplugins:Slow", "--param",
                 "slow.seconds=2", "--output-dir", "out")
    wait_for(lambda: (tmp / "fits.log").exists())
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert snapshot(tmp / "out") == before


def test_two_runs_into_one_folder_one_wins_the_other_exits_2(env):
    tmp, _ = env
    first = start(env, "--folds", "2", "--algorithms", "faultplugins:Slow", "--param",
                  "slow.seconds=1.5", "--output-dir", "out")
    wait_for(lambda: (tmp / "fits.log").exists())
    second = cli(env, "--folds", "2", "--algorithms", "globalmean", "--output-dir", "out")
    assert second.returncode == 2
    assert "being written by another recbench run" in second.stderr and "out" in second.stderr
    assert first.wait(timeout=60) == 0
    rec = json.loads((tmp / "out" / "run.json").read_text())
    assert [a["algorithm"] for a in rec["algorithms"]] == ["slow"]


def test_resume_in_the_api(tmp_path):
    frame = tiny_ratings(n_users=30, n_items=20, seed=2)
    store = tmp_path / "jobs"
    first = recbench.run(frame, ["svd", "popularity"], folds=2, k=5, job_store=store)
    assert len(list(store.glob("*.job"))) == 4
    again = recbench.run(frame, ["svd", "popularity"], folds=2, k=5, job_store=store, resume=True)
    assert comparable(again.record) == comparable(first.record)
    # reused jobs keep their own timings: identical, which a refit would not give
    assert again.record["results"] == first.record["results"]
    other_seed = recbench.run(frame, ["svd"], folds=2, k=5, seed=1, job_store=store, resume=True)
    fresh = recbench.run(frame, ["svd"], folds=2, k=5, seed=1)
    assert comparable(other_seed.record) == comparable(fresh.record), "no job of seed 0 reused"
    assert other_seed.per_user.equals(fresh.per_user)
    # a reading option that changes the data changes the key too
    dup = pd.concat([frame, frame.iloc[:5].assign(rating=1.0)], ignore_index=True)
    path = tmp_path / "dup.csv"
    dup.to_csv(path, index=False)
    first_kept = recbench.run(path, ["svd"], folds=2, k=5, job_store=store, csv={"duplicates": "first"})
    last_kept = recbench.run(path, ["svd"], folds=2, k=5, job_store=store, resume=True,
                             csv={"duplicates": "last"})
    fresh_last = recbench.run(path, ["svd"], folds=2, k=5, csv={"duplicates": "last"})
    strip = lambda run: comparable(run.record)["results"]
    assert strip(last_kept) == strip(fresh_last) != strip(first_kept)
    with pytest.raises(recbench.ConfigError, match="resume=True needs job_store"):
        recbench.run(frame, ["svd"], resume=True)


# -- the run-record reader, fuzzed ---------------------------------------------------------

@pytest.fixture(scope="module")
def valid_record(tmp_path_factory):
    run = recbench.run(tiny_ratings(n_users=20, n_items=15, seed=1), ["globalmean", "popularity"],
                       folds=2, k=5, metrics=["rmse", "ndcg@5"])
    return run.record


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


def _mutate(record, path, value):
    """``record`` with the entry at ``path`` (keys/indices, as far as they reach) replaced."""
    out = json.loads(json.dumps(record))
    node = out
    for step in path[:-1]:
        if isinstance(node, dict) and node:
            node = node[sorted(node)[step % len(node)]]
        elif isinstance(node, list) and node:
            node = node[step % len(node)]
        else:
            break
    if isinstance(node, dict) and node:
        node[sorted(node)[path[-1] % len(node)]] = value
    elif isinstance(node, list) and node:
        node[path[-1] % len(node)] = value
    return out


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(path=st.lists(st.integers(0, 50), min_size=1, max_size=5), value=json_values)
def test_fuzzed_run_records_load_or_fail_with_one_sentence(tmp_path_factory, valid_record, path, value):
    folder = tmp_path_factory.mktemp("rec")
    (folder / "run.json").write_text(json.dumps(_mutate(valid_record, path, value)))
    try:
        run = recbench.Run.load(folder)
        run.table("github"), run.summary(), run.failures, run.significance
        from recbench.reporting.page import render_markdown
        render_markdown(run.record)
    except recbench.RecbenchError as exc:
        assert "\n" not in str(exc) and str(folder) in str(exc)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=300))
def test_random_bytes_as_run_records(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("raw")
    (folder / "run.json").write_bytes(data)
    with pytest.raises(recbench.RecbenchError):
        recbench.Run.load(folder)


def test_no_rankable_user_is_a_warning_not_a_crash(tmp_path):
    one_user = tmp_path / "one.csv"
    one_user.write_text("user,item,rating\n" + "".join(f"u1,i{i},{1 + i % 5}\n" for i in range(8)))
    out = subprocess.run([sys.executable, "-m", "recbench", "run", "--dataset", str(one_user),
                          "--folds", "2", "--algorithms", "svd,popularity", "-q",
                          "--output-dir", str(tmp_path / "out")], capture_output=True, text=True)
    assert out.returncode == 0 and "Traceback" not in out.stderr
    assert "no test user has a relevant candidate" in out.stderr
    rec = json.loads((tmp_path / "out" / "run.json").read_text())
    assert rec["protocol"]["counts"]["ranked_users"] == 0 and rec["warnings"]


def test_dollar_signs_in_labels_reach_the_plots_as_text(tmp_path):
    frame = tiny_ratings(n_users=20, n_items=15, seed=1)
    run = recbench.run(frame, [("$x_1$ & $", "globalmean", {}), ("pop$", "popularity", {})],
                       folds=2, k=[5, 10])
    folder = run.save(tmp_path / "plots")          # an unbalanced "$" would fail in mathtext
    assert {"metrics.svg", "precision_recall.svg", "rmse_vs_precision.svg"} <= {p.name for p in folder.iterdir()}
    assert recbench.Run.load(folder).rerender(check=True) == []


def test_an_error_in_a_file_named_by_an_experiment_names_the_experiment(tmp_path, monkeypatch, capsys):
    from recbench.cli.main import main
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.toml").write_text('name = "x"\ndataset = "missing.csv"\n[algorithms.svd]\n')
    assert main(["run", "e.toml", "-q"]) == 2
    err = capsys.readouterr().err
    assert "e.toml" in err and "missing.csv" in err


def test_predictable_memory_is_refused_before_any_fold(env, tmp_path):
    tmp, e = env
    out = subprocess.run([sys.executable, "-m", "recbench", "run", "--dataset", str(tmp / "r.csv"),
                          "-q", "--folds", "2", "--algorithms", "globalmean,knnwithmeans",
                          "--output-dir", "out"], env=dict(e, RECBENCH_MEMORY_BUDGET="16K"),
                         cwd=tmp, capture_output=True, text=True)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    message = out.stderr.strip().splitlines()[-1]
    assert "knnwithmeans" in message and "40 x 40 user similarity arrays" in message
    assert "16.0 KiB" in message and "user_based=false" in message
    assert not (tmp / "out").exists() and not (tmp / "fits.log").exists()
    ok = subprocess.run([sys.executable, "-m", "recbench", "run", "--dataset", str(tmp / "r.csv"),
                         "-q", "--folds", "2", "--algorithms", "knnwithmeans", "--param",
                         "knnwithmeans.user_based=false", "--output-dir", "out"],
                        env=dict(e, RECBENCH_MEMORY_BUDGET="64K"), cwd=tmp, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr


def test_the_evaluation_batch_size_changes_no_number(tmp_path, monkeypatch):
    frame = tiny_ratings(n_users=40, n_items=30, density=0.5, seed=7)
    monkeypatch.setenv("RECBENCH_BATCH_CELLS", "31")          # one user per batch
    small = recbench.run(frame, ["svd", "popularity", "random"], folds=2, k=[5, 10])
    monkeypatch.delenv("RECBENCH_BATCH_CELLS")
    whole = recbench.run(frame, ["svd", "popularity", "random"], folds=2, k=[5, 10])
    assert small.per_user.equals(whole.per_user)
    from recbench.runtime.memory import (
        BATCH_CELLS_MAX,
        BATCH_CELLS_MIN,
        evaluation_batch_cells,
    )
    monkeypatch.setenv("RECBENCH_MEMORY_BUDGET", "1M")
    assert evaluation_batch_cells() == BATCH_CELLS_MIN
    monkeypatch.setenv("RECBENCH_MEMORY_BUDGET", "10T")
    assert evaluation_batch_cells() == BATCH_CELLS_MAX


@pytest.mark.parametrize("name, value", [("RECBENCH_RANKING_KERNEL", "bogus"),
                                         ("RECBENCH_MEMORY_BUDGET", "abc"),
                                         ("RECBENCH_BATCH_CELLS", "-5"),
                                         ("RECBENCH_THREADS", "abc")])
def test_a_malformed_environment_variable_is_refused_before_any_fold(tmp_path, monkeypatch,
                                                                    name, value):
    from recbench.errors import ConfigError
    monkeypatch.setenv(name, value)
    fitted = []

    class Spy(recbench.Algorithm):
        def fit(self, train, items=None):
            fitted.append(1)
            return self

        def score(self, users, items):
            return None

    with pytest.raises(ConfigError, match=f"{name}='{value}' is invalid"):
        recbench.run(tiny_ratings(20, 15, 0.5), [Spy()], folds=2)
    assert not fitted


def test_saving_over_a_folder_that_is_not_a_run_is_refused_and_keeps_its_files(tmp_path):
    from recbench.errors import ConfigError
    run = recbench.run(tiny_ratings(20, 15, 0.5), ["globalmean"], folds=2)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="it is not a recbench run folder"):
        run.save(mine)
    assert (mine / "notes.txt").read_text() == "keep me"
    run.save(tmp_path / "empty-is-fine")
    run.save(tmp_path / "empty-is-fine")          # an earlier run folder is replaced
    assert (tmp_path / "empty-is-fine" / "run.json").is_file()


def test_an_experiment_file_is_checked_before_its_plugin_module_is_imported(tmp_path,
                                                                           monkeypatch):
    from recbench.config import load_experiment
    from recbench.errors import ConfigError
    (tmp_path / "marking.py").write_text(
        "import pathlib\npathlib.Path(__file__).with_name('imported').write_text('yes')\n"
        "from recbench.algorithms.baselines import GlobalMean as Mark\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    head = 'name = "p"\n[algorithms.mark]\nalgorithm = "marking:Mark"\n'
    for tail in ('[published.mark]\nbogus = 1\n', '[tuning]\nbogus = 1\n',
                 '[published.other]\nrmse = 1\n'):
        (tmp_path / "e.toml").write_text(head + tail)
        with pytest.raises(ConfigError):
            load_experiment(tmp_path / "e.toml")
        assert not (tmp_path / "imported").exists(), tail
    (tmp_path / "e.toml").write_text(head)
    assert load_experiment(tmp_path / "e.toml").algorithms[0].name == "marking:Mark"
    assert (tmp_path / "imported").exists()      # a valid file's plugin is imported: it is code
