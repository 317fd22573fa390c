"""The job store reuses only the entry of the very job it is asked for, holds data only,
and runs a job again when its entry, its plugin code or its tuning journal is not whole."""

from __future__ import annotations

import json
import pickle
import shutil

import numpy as np
import pytest

import recbench
from recbench.experiments.job import JobResult
from recbench.experiments.jobstore import JobStore, decode, encode
from recbench.tuning.study import repair_journal
from tests.support import tiny_ratings

DATA = tiny_ratings(n_users=30, n_items=20, density=0.5, seed=4)


def _means(run):
    s = run.summary()
    s = s[~s.metric.str.endswith("_time_s")]
    return {(a, m): v for a, m, v in zip(s.algorithm, s.metric, s["mean"])}


def _entries(store):
    return sorted(store.glob("*.job"))


def _key_of(path):
    return json.loads(path.read_bytes().partition(b"\n")[0])


def test_an_entry_round_trips_exactly():
    run = recbench.run(DATA, ["globalmean"], folds=2, k=[5], save_recommendations=3)
    job = JobResult("globalmean", "fold1", values={"rmse": 1.5, "auc": float("nan")},
                    counts={"users": 3}, per_user=run.per_user, params={"a": [1, 2]}, seed=7,
                    recommendations=run.recommendations, recommendations_k=3, kernel="fused")
    back = decode(encode("k" * 64, job), "k" * 64)
    assert back.values["rmse"] == 1.5 and np.isnan(back.values["auc"])
    assert list(back.values) == ["rmse", "auc"]
    assert back.per_user.equals(job.per_user)
    assert back.recommendations.equals(job.recommendations)
    assert (back.params, back.seed, back.kernel, back.recommendations_k) == ({"a": [1, 2]}, 7,
                                                                            "fused", 3)


def test_an_entry_copied_over_another_jobs_is_not_reused(tmp_path):
    whole = recbench.run(DATA, ["globalmean", "svd"], folds=2, k=[5])
    store = tmp_path / "store"
    recbench.run(DATA, ["globalmean", "svd"], folds=2, k=[5], job_store=store)
    entries = {_key_of(p)["fields"]["algorithm"] + _key_of(p)["fields"]["fold"]: p
               for p in _entries(store)}
    shutil.copy(entries["globalmeanfold1"], entries["svdfold1"])   # svd's entry now globalmean's
    resumed = recbench.run(DATA, ["globalmean", "svd"], folds=2, k=[5], job_store=store,
                           resume=True)
    assert _means(resumed) == _means(whole)
    assert any("svd on fold1" in w and "another job" in w for w in resumed.record["warnings"])


@pytest.mark.parametrize("content", [b"", b"garbage", b'{"format": "recbench-job/1"}\n',
                                     pickle.dumps({"evil": True}), "folder"])
def test_a_torn_planted_or_foreign_entry_is_run_again_without_a_traceback(tmp_path, content):
    store = tmp_path / "store"
    whole = recbench.run(DATA, ["globalmean"], folds=2, k=[5], job_store=store)
    path = _entries(store)[0]
    path.unlink()
    if content == "folder":
        path.mkdir()
    else:
        path.write_bytes(content)
    resumed = recbench.run(DATA, ["globalmean"], folds=2, k=[5], job_store=store, resume=True)
    assert _means(resumed) == _means(whole)
    assert any("was run again" in w for w in resumed.record["warnings"])


def test_a_tampered_value_fails_the_checksum(tmp_path):
    store = tmp_path / "store"
    job = JobResult("x", "fold1", values={"rmse": 1.0}, per_user=DATA.head(3))
    JobStore(store).put("a" * 64, job)
    path = store / ("a" * 64 + ".job")
    data = path.read_bytes()
    path.write_bytes(data[:-20] + bytes(20))
    s = JobStore(store)
    assert s.get("a" * 64, "x", "fold1") is None
    assert "checksum" in s.rejected[0]


PLUGIN = '''
import numpy as np
from recbench.algorithms import Algorithm

class Constant(Algorithm):
    name = "constant"
    def __init__(self, value=3.0):
        self.value = value
    def fit(self, train, items=None):
        self.value_ = VALUE
        return self
    def score(self, users, items):
        return np.full((len(users), len(items)), self.value_)
'''


def test_changed_plugin_code_is_not_resumed_as_if_unchanged(tmp_path, monkeypatch):
    (tmp_path / "myplugin_jobstore.py").write_text(PLUGIN.replace("VALUE", "2.0"))
    monkeypatch.syspath_prepend(str(tmp_path))
    store = tmp_path / "store"
    first = recbench.run(DATA, ["myplugin_jobstore:Constant"], folds=2, k=[5], job_store=store)
    assert first.failures.empty, first.failures.to_dict("records")
    (tmp_path / "myplugin_jobstore.py").write_text(PLUGIN.replace("VALUE", "4.0"))
    import importlib
    import sys
    sys.modules.pop("myplugin_jobstore", None)
    importlib.invalidate_caches()
    again = recbench.run(DATA, ["myplugin_jobstore:Constant"], folds=2, k=[5], job_store=store,
                         resume=True)
    fresh = recbench.run(DATA, ["myplugin_jobstore:Constant"], folds=2, k=[5])
    assert _means(again) == _means(fresh) != _means(first)


def test_a_torn_tuning_journal_resumes_from_its_last_complete_trial(tmp_path):
    settings = dict(split="holdout", k=[5], seed=3, tune={"trials": 4, "objective": "rmse"})
    whole = recbench.run(DATA, ["svd"], **settings)
    store = tmp_path / "store"
    recbench.run(DATA, ["svd"], job_store=store, **settings)
    journal = next(store.glob("*.trials.journal"))
    data = journal.read_bytes()
    last = data.rstrip(b"\n").rfind(b"\n") + 1
    journal.write_bytes(data[: last + (len(data) - last) // 2])      # the last line torn
    for entry in _entries(store):
        entry.unlink()                                               # the job must re-run
    resumed = recbench.run(DATA, ["svd"], job_store=store, resume=True, **settings)
    assert _means(resumed) == _means(whole)
    assert _timeless(resumed.record["tuning"]) == _timeless(whole.record["tuning"])
    assert repair_journal(journal) == 0


def test_repair_journal_cuts_to_the_last_whole_line(tmp_path):
    j = tmp_path / "j"
    j.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c": ')
    assert repair_journal(j) == len(b'{"c": ')
    assert j.read_bytes() == b'{"a": 1}\n{"b": 2}\n'
    j.write_bytes(b'{"a": 1}\n{"b": 2')
    repair_journal(j)
    assert j.read_bytes() == b'{"a": 1}\n'
    assert repair_journal(tmp_path / "missing") == 0


def _timeless(value):
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if "seconds" not in k}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value
