"""One job cannot change another's numbers, a plugin's leftovers do not keep the process
alive, and a plugin's output does not corrupt the table on stdout."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import numpy as np

import recbench
from recbench.algorithms import Algorithm
from recbench.cli.main import main
from tests.support import ROOT, tiny_ratings


class Vandal(Algorithm):
    """Writes into every frame it is given, then predicts the global mean of what it saw."""

    name = "vandal"

    def fit(self, train, items=None):
        train["rating"] = 5.0
        train["user"] = train["user"].iloc[::-1].to_numpy()
        if items is not None:
            items.iloc[:, :] = None
        self.mean_ = float(train["rating"].mean())
        return self

    def score(self, users, items):
        return np.full((len(users), len(items)), self.mean_)


class Lingers(Algorithm):
    """Leaves a non-daemon thread running after its fit."""

    name = "lingers"

    def fit(self, train, items=None):
        threading.Thread(target=time.sleep, args=(3600,), name="plugin-sleeper").start()
        self.mean_ = float(train["rating"].mean())
        return self

    def score(self, users, items):
        return np.full((len(users), len(items)), self.mean_)


class Chatty(Algorithm):
    name = "chatty"

    def fit(self, train, items=None):
        print("hello from fit")
        self.mean_ = float(train["rating"].mean())
        return self

    def score(self, users, items):
        print("hello from score")
        return np.full((len(users), len(items)), self.mean_)


def _values(run, algorithm):
    rows = run.summary()
    rows = rows[(rows.algorithm == algorithm) & ~rows.metric.str.endswith("_time_s")]
    return dict(zip(rows.metric, rows["mean"]))


def test_a_fit_that_writes_into_its_data_changes_no_other_algorithm():
    data = tiny_ratings(n_users=30, n_items=20, density=0.5, seed=4)
    alone = recbench.run(data, ["globalmean", "svd"], folds=2, k=[5])
    after = recbench.run(data, [Vandal(), "globalmean", "svd"], folds=2, k=[5])
    assert _values(after, "vandal")["rmse"] != _values(alone, "globalmean")["rmse"]
    for name in ("globalmean", "svd"):
        assert _values(after, name) == _values(alone, name)


def test_a_lingering_plugin_thread_does_not_keep_the_process_alive(tmp_path):
    tiny_ratings(n_users=12, n_items=10, density=0.6, seed=1).to_csv(tmp_path / "r.csv",
                                                                     index=False)
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "recbench", "run", "--dataset", "r.csv",
                           "--folds", "2", "--algorithms", "tests.system.test_isolation:Lingers",
                           "--output-dir", "out", "-q"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - t0 < 240
    assert "plugin-sleeper" in done.stderr and "stopped when recbench exited" in done.stderr
    assert (tmp_path / "out" / "run.json").is_file()


def test_a_plugins_print_goes_to_stderr_not_into_the_table(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    tiny_ratings(n_users=12, n_items=10, density=0.6, seed=1).to_csv("r.csv", index=False)
    recbench.register_algorithm(Chatty)
    try:
        assert main(["run", "--dataset", "r.csv", "--folds", "2", "--algorithms",
                     "chatty,globalmean", "--format", "plain", "-q", "--output-dir", "o"]) == 0
    finally:
        recbench.algorithms.registry.unregister("chatty")
    out, err = capsys.readouterr()
    assert "hello" not in out and "hello from fit" in err
    assert out.split()[0] == "algorithm"
