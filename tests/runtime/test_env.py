"""A hostile environment: HOME read-only or missing, the cache folder not writable.

The commands run in a subprocess (importing Surprise is what used to fail: it creates
``~/.surprise_data`` on import). Tests run as root, for whom a 0o500 folder is still
writable, so HOME is also set to a path under a regular file, which fails for root too.
"""

import os
import subprocess
import sys

import pytest

from recbench.cli.main import main

COMMANDS = {
    "version": ["--version"],
    "list": ["list", "algorithms"],
    "run": ["run", "--algorithms", "globalmean", "--folds", "2", "-q"],
}


def hostile_home(tmp_path, kind: str):
    if kind == "read-only":
        home = tmp_path / "home"
        home.mkdir()
        home.chmod(0o500)
        return home
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    return blocker / "home"          # does not exist, and cannot be created


def run_cli(args, home, cwd):
    env = {k: v for k, v in os.environ.items()
           if k not in {"XDG_CACHE_HOME", "RECBENCH_CACHE_DIR", "SURPRISE_DATA_FOLDER",
                        "MPLCONFIGDIR", "RECBENCH_DATA_DIR"}}
    env["HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "recbench", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["read-only", "missing"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_commands_work_without_a_usable_home(tmp_path, kind, command):
    home = hostile_home(tmp_path, kind)
    work = tmp_path / "work"
    work.mkdir()
    args = COMMANDS[command] + (["--output-dir", str(tmp_path / "out")] if command == "run" else [])
    try:
        done = run_cli(args, home, work)
    finally:
        if kind == "read-only":
            home.chmod(0o700)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    if command == "version":
        assert done.stdout.startswith("recbench ")
    if command == "list":
        assert "globalmean" in done.stdout and "svd" in done.stdout
    if command == "run":
        assert (tmp_path / "out" / "run.json").is_file() and "globalmean" in done.stdout
        assert not list(work.iterdir())                  # nothing written to the cwd


def test_surprise_helper_falls_back_only_when_it_must(tmp_path, monkeypatch):
    from recbench.algorithms.surprise import _import as _surprise
    good = tmp_path / "surprise-data"
    monkeypatch.setenv("SURPRISE_DATA_FOLDER", str(good))
    _surprise.import_surprise()
    assert os.environ["SURPRISE_DATA_FOLDER"] == str(good) and good.is_dir()
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("SURPRISE_DATA_FOLDER", str(blocker / "surprise-data"))
    _surprise.import_surprise()
    fallback = os.environ["SURPRISE_DATA_FOLDER"]
    assert fallback != str(blocker / "surprise-data") and os.path.isdir(fallback)
    os.rmdir(fallback)


def test_unwritable_cache_when_a_download_is_needed(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("RECBENCH_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setenv("SURPRISE_DATA_FOLDER", str(tmp_path / "nothing"))
    monkeypatch.delenv("RECBENCH_DATA_DIR", raising=False)
    monkeypatch.setenv("RECBENCH_ML100K_URL", "http://127.0.0.1:9/none.zip")
    code = main(["run", "--dataset", "ml-100k", "--algorithms", "globalmean", "-q",
                 "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "is not writable" in err and "RECBENCH_CACHE_DIR" in err
