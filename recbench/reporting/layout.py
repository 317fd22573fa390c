"""Where runs are written: ``results/<experiment name>/`` for an experiment, else a new
``results/runs/<date>-<time>-<dataset>/``. Names become folder names, so they must be safe."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from recbench.errors import ConfigError

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")


def check_name(name: str, what: str = "experiment name") -> str:
    """A name that is one plain folder name: letters, digits, ``.``, ``_``, ``+``, ``-``."""
    if not isinstance(name, str) or not SAFE_NAME.match(name) or name in (".", ".."):
        raise ConfigError(f"{what} {name!r} cannot be a folder name; use letters, digits, '.', "
                          f"'_', '+' and '-' only (no '/', no leading dot), e.g. 'ml-100k-svd'.")
    return name


def experiment_folder(name: str, results_dir: str | Path = "results") -> Path:
    return Path(results_dir) / check_name(name)


def new_run_folder(dataset_name: str, results_dir: str | Path = "results") -> Path:
    """A folder under ``results_dir/runs`` that does not exist yet."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9._+-]", "_", dataset_name).lstrip(".") or "data"
    base = Path(results_dir) / "runs" / f"{stamp}-{safe}"
    folder, n = base, 1
    while folder.exists():
        n += 1
        folder = base.with_name(f"{base.name}-{n}")
    return folder


RUN_MARKER = "run.json"
IGNORED_FILES = {".gitkeep", ".DS_Store"}     # bookkeeping a folder may hold before a run


def check_replaceable(folder: str | Path, what: str = "--output-dir") -> None:
    """Refuse a folder whose replacement by a run folder would delete what is not a run: the
    working folder or one above it, or an existing folder that is neither empty nor a run
    folder (one holding ``run.json``). A run folder is replaced as a whole."""
    folder = Path(folder)
    try:
        here, there = Path.cwd().resolve(), folder.resolve()
    except OSError:
        here = there = None
    if there is not None and (there == here or there in here.parents):
        raise ConfigError(f"{what} {folder} is the working folder or one above it, which a run "
                          f"folder would replace; give a new folder, e.g. results/my-run.")
    if folder.is_dir() and not (folder / RUN_MARKER).is_file():
        try:
            first = next(iter(sorted(p.name for p in folder.iterdir()
                                     if p.name not in IGNORED_FILES)), None)
        except OSError:
            first = None
        if first is not None:
            raise ConfigError(f"{what} {folder} holds files that are not a recbench run (e.g. "
                              f"{first}), and a run folder replaces its whole folder; give a new "
                              f"or empty folder, or an earlier run folder.")


def check_output_folder(folder: str | Path, replaced: bool = True) -> Path:
    """Refuse, before any work, an output folder that is a file or cannot be written, and
    (when the run folder will replace it, ``replaced``) one that holds files a run folder
    would delete (:func:`check_replaceable`)."""
    import os
    import tempfile
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--output-dir {folder} is a file; give a folder.")
    if replaced:
        check_replaceable(folder)
    probe = folder
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise ConfigError(f"--output-dir {folder}: {probe} is a file, so the folder cannot be made.")
    try:
        fd, name = tempfile.mkstemp(dir=probe, prefix=".recbench-write-test-")
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise ConfigError(f"--output-dir {folder} cannot be written ({exc.strerror} in {probe}); "
                          f"choose a writable folder.") from None
    return folder


_held: dict = {}


def job_store_folder(folder: str | Path) -> Path:
    """Where ``recbench run`` keeps the finished jobs of a run into ``folder`` (an absolute
    path: on a cluster the workers write it, from their own working folders)."""
    folder = Path(folder).absolute()
    return folder.parent / f".{folder.name}.jobs"


class folder_lock:
    """Hold ``.<name>.lock`` beside ``folder`` (the ``filelock`` package) while a run writes
    it; a second run into the same folder gets a ConfigError at once. Re-entrant within a
    process."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.path = self.folder.parent / f".{self.folder.name}.lock"

    def __enter__(self):
        from filelock import FileLock, Timeout
        key = str(self.path.resolve())
        entry = _held.get(key)
        if entry is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(self.path), timeout=0)
            try:
                lock.acquire()
            except Timeout:
                raise ConfigError(f"{self.folder} is being written by another recbench run "
                                  f"(it holds {self.path}); wait for it to finish or choose "
                                  f"another --output-dir.") from None
            entry = _held[key] = [lock, 0]
        entry[1] += 1
        self._key = key
        return self

    def __exit__(self, *exc):
        entry = _held[self._key]
        entry[1] -= 1
        if entry[1] == 0:
            entry[0].release()
            del _held[self._key]
