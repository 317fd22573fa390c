"""The Dask backend of the execution seam: a 2-worker LocalCluster on 127.0.0.1 gives the
record of an --n-jobs 2 local run; joining a running cluster by tcp:// address; one sentence
when Dask is missing or the scheduler is malformed, before any work."""

import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

import recbench
from recbench.errors import ConfigError
from recbench.runtime.execution import Execution

distributed = pytest.importorskip("distributed")


def ratings() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 1500
    return pd.DataFrame({"user": rng.integers(0, 60, n), "item": rng.integers(0, 80, n),
                         "rating": rng.integers(1, 6, n).astype(float)}
                        ).drop_duplicates(["user", "item"])


SETTINGS = dict(folds=2, k=[5], seed=0, metrics=["rmse", "ndcg@5", "precision@5"])


def comparable(run) -> dict:
    record = dict(run.record)
    record["manifest"] = {k: v for k, v in record["manifest"].items()
                          if k not in ("command", "created", "n_jobs", "threads_per_job",
                                       "scheduler")}
    drop = {"timings", "fit_seconds", "score_seconds", "seconds", "time", "elapsed"}

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()
                    if k not in drop and not k.endswith("_seconds")}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    record["results"] = [r for r in record["results"] if not r["metric"].endswith("_time_s")]
    return clean(record)


def per_user(run) -> pd.DataFrame:
    return run.per_user.drop(columns=[c for c in run.per_user if "time" in c or "seconds" in c])


def test_local_cluster_equals_n_jobs_2():
    data = ratings()
    algorithms = ["svd", "popularity"]
    start = time.perf_counter()
    local = recbench.run(data, algorithms, n_jobs=2, **SETTINGS)
    local_s = time.perf_counter() - start
    start = time.perf_counter()
    on_dask = recbench.run(data, algorithms, scheduler="local:2", **SETTINGS)
    dask_s = time.perf_counter() - start
    print(f"--n-jobs 2: {local_s:.1f} s, --scheduler local:2: {dask_s:.1f} s")
    assert comparable(on_dask) == comparable(local)
    pd.testing.assert_frame_equal(per_user(on_dask), per_user(local))


def test_joins_a_running_cluster_by_address():
    with distributed.LocalCluster(host="127.0.0.1", n_workers=1, threads_per_worker=1,
                                  processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        data = ratings()
        joined = recbench.run(data, ["popularity"], scheduler=address, **SETTINGS)
        here = recbench.run(data, ["popularity"], **SETTINGS)
        assert comparable(joined) == comparable(here)
        assert len(cluster.scheduler.workers) == 1        # the cluster is left running


def test_shared_arguments_are_scattered_once(monkeypatch):
    from recbench.runtime import dask_backend as execution_dask
    big = pd.DataFrame({"x": range(1000)})
    scattered = []
    real = distributed.Client.scatter

    def spy(self, data, **kw):
        scattered.append((len(data), kw.get("broadcast")))
        return real(self, data, **kw)
    monkeypatch.setattr(distributed.Client, "scatter", spy)
    tasks = [(big, i) for i in range(4)]
    out = execution_dask.map_tasks(_rows_plus, tasks, Execution(scheduler="local:2",
                                                                backend="dask"))
    assert out == [1000, 1001, 1002, 1003]
    assert scattered == [(1, True)]                     # the frame, once, to every worker


def _rows_plus(frame, i):
    from recbench.runtime.threads import cores, thread_budget
    assert thread_budget() == max(1, cores() // 2)       # the cores divided among 2 workers
    return len(frame) + i


def test_missing_dask_is_one_sentence_before_any_work(monkeypatch):
    from recbench.runtime import dask_backend as execution_dask

    def missing():
        raise ImportError("No module named 'distributed'")
    monkeypatch.setattr(execution_dask, "_import_distributed", missing)
    loaded = []
    monkeypatch.setattr(recbench.api, "load_dataset", lambda *a, **k: loaded.append(a))
    with pytest.raises(ConfigError, match=r"pip install 'recbench\[dask\]'") as exc:
        recbench.run("ml-latest-small", ["popularity"], scheduler="local:2")
    assert "\n" not in str(exc.value) and not loaded


@pytest.mark.parametrize("bad", ["local:0", "local:x", "dask", "tcp://host", "http://h:1"])
def test_malformed_scheduler_is_refused(bad):
    with pytest.raises(ConfigError, match="--scheduler"):
        Execution(backend="dask", scheduler=bad)


def test_cli_missing_dask_exits_2(tmp_path):
    code = ("import sys, recbench.execution_dask as d\n"
            "def missing(): raise ImportError('x')\n"
            "d._import_distributed = missing\n"
            "from recbench.cli.main import main\n"
            "sys.exit(main(['run', '--algorithms', 'popularity', '--scheduler', 'local:2', "
            f"'--output-dir', {str(tmp_path / 'out')!r}, '-q']))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'recbench[dask]'" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_one_job_runs_and_the_process_is_left_as_it_was(tmp_path):
    import logging
    import os

    import recbench
    from tests.support import tiny_ratings
    before = dict(os.environ), logging.getLogger("distributed").level
    run = recbench.run(tiny_ratings(n_users=20, n_items=15, seed=1), ["popularity"],
                       split="holdout", k=5, scheduler="local:1")
    assert run.failures.empty and len(run.results) > 0
    assert (dict(os.environ), logging.getLogger("distributed").level) == before


def test_an_unreachable_cluster_is_one_sentence(tmp_path, capsys):
    from recbench.cli.main import main
    from tests.support import tiny_ratings
    data = tmp_path / "r.csv"
    tiny_ratings(n_users=20, n_items=15, seed=1).to_csv(data, index=False)
    code = main(["run", "--dataset", str(data), "--algorithms", "popularity", "--folds", "2",
                 "-q", "--scheduler", "tcp://127.0.0.1:1", "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "tcp://127.0.0.1:1" in err
