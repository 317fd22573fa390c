"""Where dataset folders are found: the user's data dir, the cache, Surprise's cache."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from recbench.errors import ConfigError


def home() -> Path:
    """The home folder; the temporary folder when there is none (no HOME and no user entry).
    It need not exist or be writable: only a download writes there, and says so if it can't."""
    try:
        return Path.home()
    except (RuntimeError, KeyError, OSError):
        return Path(tempfile.gettempdir())


def cache_dir() -> Path:
    """``$RECBENCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/recbench``, else ``~/.cache/recbench``."""
    if os.environ.get("RECBENCH_CACHE_DIR"):
        return Path(os.environ["RECBENCH_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or home() / ".cache"
    return Path(base) / "recbench"


def surprise_cache() -> Path:
    return Path(os.environ.get("SURPRISE_DATA_FOLDER") or home() / ".surprise_data")


def check_data_dir(data_dir) -> None:
    """Refuse an explicitly given data folder that is not a folder (``RECBENCH_DATA_DIR`` is
    only a place to look, like the caches)."""
    if data_dir is not None and not Path(data_dir).is_dir():
        state = "is a file" if Path(data_dir).exists() else "does not exist"
        raise ConfigError(f"--data-dir (data_dir) {data_dir} {state}; give the folder that holds "
                          f"the datasets' folders, such as ml-100k/ (e.g. ../shared/datasets), or "
                          f"leave it out.")


def candidate_folders(name: str, data_dir: str | Path | None = None) -> list[Path]:
    """Folders that may hold dataset ``name``, in lookup order."""
    out = []
    user_dir = data_dir or os.environ.get("RECBENCH_DATA_DIR")
    if user_dir:
        out.append(Path(user_dir) / name)
    out.append(cache_dir() / name)
    out.append(surprise_cache() / name / name)
    return out


def find_folder(name: str, marker: str, data_dir=None) -> Path | None:
    """The first candidate folder that holds ``marker`` (e.g. ``u.data``), or None."""
    for folder in candidate_folders(name, data_dir):
        try:
            if (folder / marker).is_file():
                return folder
        except OSError:         # e.g. a folder we may not enter: not this candidate
            continue
    return None


def embedded_folder(name: str) -> Path | None:
    """The copy shipped inside the wheel, or the repository's ``datasets/`` (editable install)."""
    here = Path(__file__).resolve().parents[1]          # the recbench package folder
    for folder in (here / "_data" / name, here.parent / "datasets" / name):
        if folder.is_dir():
            return folder
    return None
