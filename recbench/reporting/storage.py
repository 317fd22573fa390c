"""Run folders on disk: ``run.json`` (the record) and ``per_user.csv.gz``, with the files
rendered from them.

Every file is written to a temporary file in the same folder and renamed into place, so a
reader never sees half a file; :func:`write_run_folder` builds the whole new folder beside
the old one and swaps it in, so the folder holds either the complete earlier run or the
complete new one.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from recbench.errors import RecbenchError

PER_USER_FLOAT_FORMAT = "%.8g"


def clean(value):
    """JSON has no NaN: write null; numpy scalars become Python numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return clean(value.item())
    return value


def record_json(record: dict) -> str:
    return json.dumps(clean(record), indent=2) + "\n"


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


def per_user_bytes(per_user: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    per_user.to_csv(buf, index=False, float_format=PER_USER_FLOAT_FORMAT,
                    compression={"method": "gzip", "mtime": 0})
    return buf.getvalue()


def canonical_per_user(per_user: pd.DataFrame) -> pd.DataFrame:
    """The per-user values exactly as ``per_user.csv.gz`` stores them (8 significant digits),
    so statistics computed in memory equal those recomputed from the file."""
    if per_user is None or per_user.empty:
        return per_user
    text = per_user.to_csv(index=False, float_format=PER_USER_FLOAT_FORMAT)
    return pd.read_csv(io.StringIO(text), dtype={"user": str, "fold": str, "algorithm": str})


def write_run_folder(folder: Path, files: dict[str, bytes]) -> Path:
    """Replace ``folder`` by one holding exactly ``files``: they are written into a temporary
    sibling folder, which is then renamed into place (the earlier folder, if any, is moved
    aside first and removed after)."""
    folder = Path(folder)
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.new-"))
    old = None
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o755)
        if folder.exists():
            old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.old-"))
            os.rmdir(old)
            os.replace(folder, old)
        os.replace(tmp, folder)
    except BaseException:
        if old is not None and not folder.exists():
            os.replace(old, folder)          # put the earlier run back
            old = None
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return folder


def read_run(path: str | Path) -> tuple[dict, pd.DataFrame | None]:
    """A run record from its folder or its ``run.json``; per-user values when saved."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    run_json = folder / "run.json"
    if not run_json.is_file():
        raise RecbenchError(f"{path} is not a run record: {run_json} does not exist.")
    record = read_json(run_json)
    for key in ("manifest", "results"):
        if not isinstance(record, dict) or key not in record:
            raise RecbenchError(f"{run_json} is not a recbench run record (no {key!r}); "
                                f"re-run the experiment to rewrite it.")
    per_user_path = folder / "per_user.csv.gz"
    per_user = None
    if per_user_path.is_file():
        try:
            per_user = pd.read_csv(per_user_path, dtype={"user": str, "fold": str, "algorithm": str})
        except Exception as exc:   # any unreadable file is one sentence, not a traceback
            raise RecbenchError(f"{per_user_path} cannot be read ({type(exc).__name__}: {exc}); "
                                f"re-run the experiment to rewrite it.") from None
    return record, per_user


def read_json(path: Path) -> dict:
    """A JSON record, with a one-line error naming the file when it is broken."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RecbenchError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg}).") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecbenchError(f"{path} cannot be read ({exc}).") from None
