"""The records under a results folder and what each renders to: run folders
(``<name>/run.json``), transfer studies (``transfer/*.json``) and the speed page
(``speed/speed.json``). ``recbench tables`` re-renders or checks them."""

from __future__ import annotations

from pathlib import Path

from recbench.errors import ConfigError, RecbenchError
from recbench.reporting.files import render_files, sync_files
from recbench.reporting.layout import folder_lock
from recbench.reporting.speed import render_speed
from recbench.reporting.storage import not_written, read_json, read_run
from recbench.reporting.transfer import transfer_files


def run_folders(results_dir="results", runs=()) -> list[Path]:
    if runs:
        for r in runs:
            if not Path(r).exists():
                raise ConfigError(f"{r} does not exist; give a run folder (one holding "
                                  f"run.json) or its run.json.")
        return [Path(r) if Path(r).is_dir() else Path(r).parent for r in runs]
    return sorted(p.parent for p in Path(results_dir).glob("*/run.json"))


def rendered_outputs(results_dir="results", runs=()) -> list[tuple[Path, dict[str, bytes]]]:
    """(folder, {file name: bytes}) for every record found (or for ``runs`` only)."""
    out = [(folder, render_files(read_run(folder)[0])) for folder in run_folders(results_dir, runs)]
    if runs:
        return out
    for path in sorted(Path(results_dir).glob("transfer/*.json")):
        out.append((path.parent, transfer_files(_record(path, ("protocol", "summary", "manifest")))))
    speed = Path(results_dir) / "speed" / "speed.json"
    if speed.is_file():
        record = _record(speed, ("fold", "five_fold", "targets", "manifest"))
        out.append((speed.parent, {"speed.md": render_speed(record).encode()}))
    if not out:
        raise RecbenchError(f"no run records (*/run.json) under {results_dir}/; run "
                            f"`recbench run --suite` first.")
    return out


def _record(path: Path, keys) -> dict:
    record = read_json(path)
    if not isinstance(record, dict) or any(k not in record for k in keys):
        raise RecbenchError(f"{path} is not a readable record (it needs {', '.join(keys)}); "
                            f"re-run what wrote it.")
    return record


def rerender(results_dir="results", runs=(), check: bool = False) -> list[tuple[Path, list[str]]]:
    """(folder, names that differ from their record) for every output; rewritten unless
    ``check``. A run folder is re-read and rewritten holding its lock, so a run swapping in a
    new record meanwhile is named (exit 2) instead of getting the old record's tables."""
    try:
        return _rerender(results_dir, runs, check)
    except OSError as exc:           # a full or read-only disk while rewriting a table
        raise not_written(Path(exc.filename or results_dir), exc) from exc


def _rerender(results_dir, runs, check: bool) -> list[tuple[Path, list[str]]]:
    out = []
    for folder, files in rendered_outputs(results_dir, runs):
        if check or not (folder / "run.json").is_file():
            out.append((folder, sync_files(folder, files, write=not check)))
            continue
        with folder_lock(folder):
            fresh = render_files(read_run(folder)[0])       # the record as it is now
            out.append((folder, sync_files(folder, fresh)))
    return out
