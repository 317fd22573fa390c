"""What a run may replace: only an empty folder or an earlier run folder holding nothing but
the files recbench writes; everything else is refused before any work, and nothing is lost."""

from __future__ import annotations

import datetime
import types

import pytest

import recbench
from recbench.cli.main import main
from recbench.errors import ConfigError
from recbench.reporting.layout import RUN_FILES, check_replaceable
from tests.support import tiny_ratings

RUN = ["run", "--dataset", "r.csv", "--folds", "2", "--algorithms", "globalmean", "-q"]


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tiny_ratings(n_users=12, n_items=10, density=0.6, seed=1).to_csv("r.csv", index=False)
    return tmp_path


@pytest.mark.parametrize("marker", ["{}", "not json", '{"record_version": 1}', "[]"])
def test_a_file_named_run_json_does_not_make_a_folder_replaceable(data, capsys, marker):
    proj = data / "proj"
    proj.mkdir()
    (proj / "run.json").write_text(marker)
    (proj / "thesis.tex").write_text("my thesis")
    assert main(RUN + ["--output-dir", "proj"]) == 2
    err = capsys.readouterr().err
    assert "not a recbench run record" in err and "thesis.tex" in err
    assert (proj / "thesis.tex").read_text() == "my thesis"
    assert (proj / "run.json").read_text() == marker


def test_a_users_file_in_a_run_folder_is_refused_and_kept(data, capsys):
    assert main(RUN + ["--output-dir", "out"]) == 0
    before = (data / "out" / "run.json").read_bytes()
    (data / "out" / "NOTES.md").write_text("keep me")
    capsys.readouterr()
    assert main(RUN + ["--output-dir", "out", "--seed", "3"]) == 2
    err = capsys.readouterr().err
    assert "NOTES.md" in err and "did not write" in err and "move them" in err
    assert (data / "out" / "NOTES.md").read_text() == "keep me"
    assert (data / "out" / "run.json").read_bytes() == before
    (data / "out" / "NOTES.md").unlink()             # moved away: the run goes ahead
    assert main(RUN + ["--output-dir", "out", "--seed", "3"]) == 0
    assert (data / "out" / "run.json").read_bytes() != before


def test_a_sub_folder_in_a_run_folder_is_refused(data, capsys):
    assert main(RUN + ["--output-dir", "out"]) == 0
    (data / "out" / "figures").mkdir()
    assert main(RUN + ["--output-dir", "out"]) == 2
    assert "figures" in capsys.readouterr().err
    assert (data / "out" / "figures").is_dir()


def test_a_symlinked_output_dir_is_refused_and_left_alone(data, capsys):
    assert main(RUN + ["--output-dir", "real"]) == 0
    (data / "link").symlink_to(data / "real")
    assert main(RUN + ["--output-dir", "link"]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert (data / "link").is_symlink() and (data / "real" / "run.json").is_file()
    assert not list(data.glob(".link.new-*"))


def test_every_file_a_run_writes_is_one_the_rule_knows(data):
    """RUN_FILES is the list of what recbench writes: a run with lists kept, TREC files and
    every plot writes only names it covers, so the next run may replace the folder."""
    run = recbench.run("r.csv", ["globalmean", "popularity"], folds=2, k=[5, 10],
                       save_recommendations=5)
    folder = run.save(data / "out", trec=True)
    import fnmatch
    names = sorted(p.name for p in folder.iterdir())
    assert {"run.json", "per_user.csv.gz", "recommendations.parquet", "metrics.png",
            "precision_recall.svg", "rmse_vs_precision.png"} <= set(names)
    assert [n for n in names if not any(fnmatch.fnmatchcase(n, p) for p in RUN_FILES)] == []
    check_replaceable(folder)                         # an earlier run: replaceable
    run.save(folder, trec=True)


def test_an_empty_folder_and_a_gitkeep_are_replaceable(data):
    (data / "e").mkdir()
    check_replaceable(data / "e")
    (data / "e" / ".gitkeep").write_text("")
    check_replaceable(data / "e")
    (data / "e" / "x.txt").write_text("")
    with pytest.raises(ConfigError, match="x.txt"):
        check_replaceable(data / "e")


def test_two_labels_that_share_a_trec_file_are_refused_before_any_work(data, capsys):
    (data / "e.toml").write_text('name = "t"\ndataset = "r.csv"\nfolds = 2\n'
                                 '[algorithms."x y"]\nalgorithm = "globalmean"\n'
                                 '[algorithms.x_y]\nalgorithm = "popularity"\n')
    assert main(["run", "e.toml", "--save-recommendations", "3", "--trec", "-q",
                 "--output-dir", "o"]) == 2
    err = capsys.readouterr().err
    assert "'x y' and 'x_y' would both be written to recommendations-x_y.trec" in err
    assert not (data / "o").exists()


def test_a_plugin_that_changes_the_working_folder_does_not_move_the_run(data, capsys):
    class Wanderer(recbench.algorithms.Algorithm):
        name = "wanderer"

        def fit(self, train, items=None):
            import os
            (data / "elsewhere").mkdir(exist_ok=True)
            os.chdir(data / "elsewhere")
            self.mean_ = float(train["rating"].mean())
            return self

        def score(self, users, items):
            import numpy as np
            return np.full((len(users), len(items)), self.mean_)

    recbench.register_algorithm(Wanderer)
    try:
        assert main(RUN[:-2] + ["wanderer,globalmean", "-q", "--output-dir", "out"]) == 0
    finally:
        recbench.algorithms.registry.unregister("wanderer")
    assert (data / "out" / "run.json").is_file()
    assert not (data / "elsewhere" / "out").exists()
    import os
    assert os.getcwd() == str(data)


@pytest.mark.parametrize("k", ["3000000", str(10**30), str(2**63)])
def test_a_cutoff_above_the_catalog_is_computed_at_the_catalog(data, k):
    huge = recbench.run("r.csv", ["popularity"], folds=2, k=[5, int(k)])
    whole = recbench.run("r.csv", ["popularity"], folds=2, k=[5, 10])   # 10 items: the catalog
    assert huge.failures.empty
    a = huge.summary().set_index("metric")["mean"]
    b = whole.summary().set_index("metric")["mean"]
    assert a[f"recall@{k}"] == b["recall@10"] == 1.0
    assert a[f"ndcg@{k}"] == b["ndcg@10"]
    assert a["ndcg@5"] == b["ndcg@5"]
    clipped = huge.protocol["cutoffs_clipped"]
    assert set(clipped) == {"fold1", "fold2"} and all(k in c for c in clipped.values())
    assert any("exceed the catalog" in w for w in huge.record["warnings"])


def test_save_recommendations_above_the_catalog_keeps_whole_lists(data):
    run = recbench.run("r.csv", ["popularity"], folds=2, k=[5], save_recommendations=10**9)
    assert run.failures.empty
    per_user = run.recommendations.groupby(["fold", "user"]).size()
    assert per_user.max() <= 10


def test_tables_waits_for_no_run_it_names_the_one_writing_the_folder(data, capsys):
    import subprocess
    import sys
    assert main(RUN + ["--output-dir", "out"]) == 0
    (data / "out" / "results.md").write_text("stale")
    holder = subprocess.Popen([sys.executable, "-c",
                               "import filelock, sys, time; l = filelock.FileLock('.out.lock'); "
                               "l.acquire(); print('held', flush=True); time.sleep(60)"],
                              cwd=data, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        capsys.readouterr()
        assert main(["tables", "out"]) == 2
        assert "being written by another recbench run" in capsys.readouterr().err
        assert (data / "out" / "results.md").read_text() == "stale"
    finally:
        holder.kill()
        holder.wait()
    assert main(["tables", "out", "-q"]) == 0
    assert (data / "out" / "results.md").read_text() != "stale"


# -- folders chosen by recbench, paths beside the run folder, a disk that fills up ------------
class _FrozenClock:
    """``datetime.datetime`` whose ``now()`` is one fixed second: two runs started in it."""

    @staticmethod
    def now():
        return datetime.datetime(2026, 1, 2, 3, 4, 5)


def test_two_runs_in_the_same_second_get_two_folders(data, monkeypatch, capsys):
    import recbench.reporting.layout as layout
    monkeypatch.setattr(layout, "dt", types.SimpleNamespace(datetime=_FrozenClock))
    first = layout.new_run_folder("r")               # the other run, still working: reserved
    assert first.is_dir() and first.name == "20260102-030405-r"
    assert main(RUN) == 0
    written = sorted(p.name for p in (data / "results" / "runs").iterdir() if p.is_dir())
    assert written == ["20260102-030405-r", "20260102-030405-r-2"]
    assert not any(first.iterdir())                   # the other run's folder was not taken
    assert (data / "results" / "runs" / "20260102-030405-r-2" / "run.json").is_file()
    layout.release_run_folder(first)                   # it ended without writing: removed
    assert not first.exists()


def test_a_reserved_folder_is_removed_when_the_run_writes_nothing(data, capsys):
    from recbench.reporting.layout import new_run_folder, release_run_folder
    folder = new_run_folder("x", "res")
    assert folder.is_dir() and folder.parent.name == "runs"
    release_run_folder(folder)
    assert not (data / "res").exists()                 # it made res/ and res/runs/: gone too
    kept = new_run_folder("x", "res")
    (kept / "run.json").write_text("{}")
    release_run_folder(kept)
    assert (kept / "run.json").read_text() == "{}"    # written into: never removed


@pytest.mark.parametrize("planted", ["jobs-file", "jobs-link", "lock-folder"])
def test_a_job_store_or_lock_path_taken_by_something_else_is_refused(data, capsys, planted):
    if planted == "jobs-file":
        (data / ".out.jobs").write_text("mine")
    elif planted == "jobs-link":
        (data / ".out.jobs").symlink_to(data / "elsewhere")
    else:
        (data / ".out.lock").mkdir()
        (data / ".out.lock" / "mine.txt").write_text("mine")
    assert main(RUN + ["--output-dir", "out"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert (".out.lock" if planted == "lock-folder" else ".out.jobs") in err
    assert "move it away, or give another --output-dir" in err
    assert not (data / "out").exists()
    if planted == "jobs-file":
        assert (data / ".out.jobs").read_text() == "mine"
    elif planted == "lock-folder":
        assert (data / ".out.lock" / "mine.txt").read_text() == "mine"


def test_a_full_disk_at_the_folder_write_loses_nothing_and_resume_writes_it(data, monkeypatch,
                                                                            capsys):
    import errno

    import recbench.experiments.job as job_mod
    import recbench.reporting.storage as storage
    assert main(RUN + ["--output-dir", "out"]) == 0
    before = {p.name: p.read_bytes() for p in (data / "out").iterdir()}

    class FullDisk:                       # the run folder's files: the disk fills up
        def __init__(self, *a, **k):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(storage, "open", FullDisk, raising=False)
    capsys.readouterr()
    assert main(RUN + ["--output-dir", "out", "--seed", "5"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    message = err.strip().splitlines()[-1]
    assert "out could not be written (No space left on device)" in message
    assert "--resume --output-dir out" in message
    assert {p.name: p.read_bytes() for p in (data / "out").iterdir()} == before
    assert not list(data.glob(".out.new-*"))           # the half-written copy is gone
    assert len(list((data / ".out.jobs").glob("*.job"))) == 2   # the finished jobs are kept
    monkeypatch.delattr(storage, "open")

    def no_fit(*a, **k):
        raise AssertionError("a kept job was fitted again")
    monkeypatch.setattr(job_mod, "fit_on", no_fit)
    assert main(RUN + ["--output-dir", "out", "--seed", "5", "--resume"]) == 0
    assert (data / "out" / "run.json").read_bytes() != before["run.json"]
    assert not (data / ".out.jobs").exists()


def test_a_full_disk_while_tables_rewrites_is_one_sentence(data, monkeypatch, capsys):
    import errno

    import recbench.reporting.storage as storage
    assert main(RUN + ["--output-dir", "out"]) == 0
    (data / "out" / "results.md").write_text("stale")

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(storage, "tempfile", types.SimpleNamespace(mkstemp=full))
    capsys.readouterr()
    assert main(["tables", "out"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "could not be written (No space left on device)" in err
    assert (data / "out" / "results.md").read_text() == "stale"
