"""Where runs are written: ``results/<experiment name>/`` for an experiment, else a new
``results/runs/<date>-<time>-<dataset>/``. Names become folder names, so they must be safe."""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import os
import re
from pathlib import Path

from recbench.errors import ConfigError

MAX_NAME = 100          # characters of a name that becomes a folder name
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


def shortened(name: str, limit: int = 40) -> str:
    """``name`` as a message echoes a long one: its first characters and an ellipsis."""
    return name if len(name) <= limit else name[:limit - 1] + "…"


def check_name(name: str, what: str = "experiment name") -> str:
    """A name that is one plain folder name: letters, digits, ``.``, ``_``, ``+``, ``-``,
    at most MAX_NAME characters."""
    if isinstance(name, str) and len(name) > MAX_NAME:
        raise ConfigError(f"{what} {shortened(name)!r} is {len(name)} characters long; "
                          f"{what}s may have at most {MAX_NAME}.")
    if not isinstance(name, str) or not SAFE_NAME.match(name) or name in (".", ".."):
        raise ConfigError(f"{what} {name!r} cannot be a folder name; use letters, digits, '.', "
                          f"'_', '+' and '-' only (no '/', no leading dot), e.g. 'ml-100k-svd'.")
    return name


def experiment_folder(name: str, results_dir: str | Path = "results") -> Path:
    return Path(results_dir) / check_name(name)


def new_run_folder(dataset_name: str, results_dir: str | Path = "results") -> Path:
    """A new folder ``results_dir/runs/<date>-<time>-<dataset>[-N]``, reserved: it is made
    here, empty, in one atomic step, so two runs started in the same second (in two shells,
    or on two machines sharing the folder) never choose the same one. The reservation ends
    when the run lets go of the folder's lock (or :func:`release_run_folder`): the folder is
    removed again if the run wrote nothing into it."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9._+-]", "_", dataset_name).lstrip(".") or "data"
    runs = Path(results_dir) / "runs"
    made = [p for p in (runs.parent, runs) if not p.exists()]
    base, n = runs / f"{stamp}-{safe}", 1
    try:
        runs.mkdir(parents=True, exist_ok=True)
        while True:
            folder = base if n == 1 else base.with_name(f"{base.name}-{n}")
            try:
                folder.mkdir()
                break
            except FileExistsError:
                n += 1
    except OSError as exc:
        for p in reversed(made):
            _remove_if_empty(p)
        raise ConfigError(f"{runs} cannot be written ({exc.strerror}); give --output-dir a "
                          f"writable folder.") from None
    _reserved[folder] = [*made, folder]
    return folder


_reserved: dict[Path, list[Path]] = {}


def _remove_if_empty(path: Path) -> None:
    try:
        path.rmdir()          # only ever an empty folder: nothing written is removed
    except OSError:
        pass


def release_run_folder(folder: str | Path) -> None:
    """End the reservation of :func:`new_run_folder`: the folder (and the ``results/runs``
    folders it made) are removed if still empty; a folder a run was written into stays."""
    for path in reversed(_reserved.pop(Path(folder), [])):
        _remove_if_empty(path)


RUN_MARKER = "run.json"
IGNORED_FILES = {".gitkeep", ".DS_Store"}     # bookkeeping a folder may hold before a run
#: every file a run folder may hold: the names recbench writes (``Run.files``)
RUN_FILES = ("run.json", "per_user.csv.gz", "per_user.parquet", "results.md", "results.csv",
             "results.json", "trials.csv", "recommendations.parquet", "recommendations-*.trec",
             "metrics.png", "metrics.svg", "precision_recall.png", "precision_recall.svg",
             "rmse_vs_precision.png", "rmse_vs_precision.svg", *IGNORED_FILES)


def _listing(folder: Path) -> list[str]:
    try:
        return sorted(p.name for p in folder.iterdir())
    except OSError as exc:
        raise ConfigError(f"{folder} cannot be listed ({exc.strerror}); give a folder recbench "
                          f"can read.") from None


def _is_run_record(path: Path) -> bool:
    """``run.json`` is a recbench run record: a JSON object with its version, manifest and
    results (not merely a file of that name)."""
    try:
        if not path.is_file() or path.stat().st_size > 1 << 30:
            return False
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    return (isinstance(record, dict) and isinstance(record.get("record_version"), int)
            and isinstance(record.get("manifest"), dict)
            and isinstance(record.get("results"), list))


def check_replaceable(folder: str | Path, what: str = "--output-dir") -> None:
    """Refuse a folder whose replacement by a run folder would delete what recbench did not
    write. A folder may be replaced only when it is empty (but for ``.gitkeep``) or is an
    earlier run folder: its ``run.json`` is a valid recbench record and every other file in
    it is one recbench writes (:data:`RUN_FILES`). Anything else - a ``run.json`` that is not
    a record, a user's ``NOTES.md`` added to a run folder, a sub-folder - is refused, naming
    the files; nothing is ever deleted that recbench did not write. The working folder and
    the folders above it are refused too."""
    folder = Path(folder)
    try:
        here, there = Path.cwd().resolve(), folder.resolve()
    except OSError:
        here = there = None
    if there is not None and (there == here or there in here.parents):
        raise ConfigError(f"{what} {folder} is the working folder or one above it, which a run "
                          f"folder would replace; give a new folder, e.g. results/my-run.")
    if folder.is_symlink():
        raise ConfigError(f"{what} {folder} is a symbolic link, which a run folder would "
                          f"replace by a folder; give the folder it points to "
                          f"({os.path.realpath(folder)}) or a new folder.")
    if not folder.is_dir():
        return
    names = [n for n in _listing(folder) if n not in IGNORED_FILES]
    if not names:
        return
    if RUN_MARKER not in names or not _is_run_record(folder / RUN_MARKER):
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        why = ("its run.json is not a recbench run record" if RUN_MARKER in names
               else "it is not a recbench run folder")
        raise ConfigError(f"{what} {folder} holds files ({shown}) and {why}; a run folder "
                          f"replaces its whole folder, so give a new or empty folder, or an "
                          f"earlier run folder.")
    unknown = [n for n in names if not any(fnmatch.fnmatchcase(n, p) for p in RUN_FILES)
               or not (folder / n).is_file() or (folder / n).is_symlink()]
    if unknown:
        shown = ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise ConfigError(f"{what} {folder} is an earlier run folder that also holds files "
                          f"recbench did not write ({shown}); the new run would replace the "
                          f"whole folder, so move them elsewhere first (they are kept as they "
                          f"are), or give another --output-dir.")


def check_output_folder(folder: str | Path, replaced: bool = True) -> Path:
    """Refuse, before any work, an output folder that is a file or cannot be written, and
    (when the run folder will replace it, ``replaced``) one that holds files a run folder
    would delete (:func:`check_replaceable`)."""
    import tempfile
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"--output-dir {folder} is a file; give a folder.")
    if replaced:
        check_replaceable(folder)
    check_side_paths(folder)
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


def check_side_paths(folder: str | Path) -> None:
    """Refuse, before any work, a job store path (``.<name>.jobs``) that is not a folder or a
    lock path (``.<name>.lock``) that is not a file: neither is recbench's to replace."""
    store, lock = job_store_folder(folder), folder_lock(folder).path
    for path, kind, used in ((store, "a folder", "keeps the run's finished jobs"),
                             (lock, "a file", "is the lock of the run folder")):
        is_kind = path.is_dir() if kind == "a folder" else path.is_file()
        if (path.exists() or path.is_symlink()) and (path.is_symlink() or not is_kind):
            raise ConfigError(f"{path} {used} and must be {kind} recbench makes, but something "
                              f"else is there; move it away, or give another --output-dir.")


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
            lock = FileLock(str(self.path), timeout=0)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                lock.acquire()
            except Timeout:
                raise ConfigError(f"{self.folder} is being written by another recbench run "
                                  f"(it holds {self.path}); wait for it to finish or choose "
                                  f"another --output-dir.") from None
            except OSError as exc:    # a folder planted at its name, a read-only disk
                raise ConfigError(f"{self.path} cannot be taken as the lock of {self.folder} "
                                  f"({exc.strerror}); move it away, or give another "
                                  f"--output-dir.") from None
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
            release_run_folder(self.folder)     # a reserved folder nothing was written into
