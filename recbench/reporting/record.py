"""The run record on disk: ``run.json``, ``results.md`` and ``per_user.csv.gz``.

Every file is written to a temporary file in the same folder and renamed into place, so a
reader never sees half a file.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import pandas as pd

from recbench.errors import RecbenchError


def _clean(value):
    """JSON has no NaN: write null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return _clean(value.item())
    return value


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_run(folder: Path, record: dict, per_user: pd.DataFrame) -> Path:
    """``run.json`` and ``per_user.csv.gz``; the tables and plots are rendered from them by
    ``recbench.reporting.render``."""
    folder = Path(folder)
    atomic_write_text(folder / "run.json", json.dumps(_clean(record), indent=2) + "\n")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".per_user.", suffix=".csv.gz")
    os.close(fd)
    try:
        per_user.to_csv(tmp, index=False, float_format="%.8g",
                        compression={"method": "gzip", "mtime": 0})
        os.chmod(tmp, 0o644)
        os.replace(tmp, folder / "per_user.csv.gz")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return folder


def read_run(path: str | Path) -> tuple[dict, pd.DataFrame | None]:
    """A run record from its folder or its ``run.json``; per-user values when saved."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    run_json = folder / "run.json"
    if not run_json.is_file():
        raise RecbenchError(f"{path} is not a run record: {run_json} does not exist.")
    record = read_json(run_json)
    per_user_path = folder / "per_user.csv.gz"
    per_user = pd.read_csv(per_user_path, dtype={"user": str, "fold": str}) \
        if per_user_path.is_file() else None
    return record, per_user


def read_json(path: Path) -> dict:
    """A JSON record, with a one-line error naming the file when it is broken."""
    try:
        return json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise RecbenchError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg}).") from None
