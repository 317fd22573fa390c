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

from recbench.errors import RecbenchError, StorageError
from recbench.reporting.layout import check_replaceable

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
    return read_per_user(io.StringIO(text))


def read_per_user(source) -> pd.DataFrame:
    """Per-user values as written: ids stay text (a user called ``NA`` or ``null`` is not a
    missing value; only an empty field is)."""
    return pd.read_csv(source, dtype={"user": str, "fold": str, "algorithm": str},
                       keep_default_na=False, na_values=[""])


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False
    where the system cannot."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        if not hasattr(libc, "renameat2"):
            return False
        at_fdcwd, rename_exchange = -100, 2
        return libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b),
                              rename_exchange) == 0
    except (OSError, AttributeError):
        return False


def clean_leftovers(folder: Path) -> list[Path]:
    """Remove the temporary siblings an interrupted write may have left beside ``folder``
    (``.<name>.new-*`` and ``.<name>.old-*``); call only while holding the folder's lock."""
    folder = Path(folder)
    gone = []
    for pattern in (f".{folder.name}.new-*", f".{folder.name}.old-*"):
        for path in folder.parent.glob(pattern):
            shutil.rmtree(path, ignore_errors=True)
            gone.append(path)
    return gone


def not_written(path: Path, exc: OSError) -> StorageError:
    """The one sentence for a write that failed (a full or read-only disk, a quota)."""
    why = exc.strerror or type(exc).__name__
    return StorageError(f"{path} could not be written ({why}); nothing there was changed or "
                        f"lost - free space or make it writable, then run the command again.")


def write_run_folder(folder: Path, files: dict[str, bytes]) -> Path:
    """Replace ``folder`` by one holding exactly ``files``: they are written (and synced)
    into a temporary sibling folder, which is then swapped with the earlier folder in one
    atomic rename, so at every instant ``folder`` is the complete earlier run or the
    complete new one. (Where the system has no atomic swap, the earlier folder is moved
    aside first: a crash between the two renames leaves it in ``.<name>.old-*``.)"""
    folder = Path(folder)
    check_replaceable(folder, "the run folder")
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.new-"))
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o755)
        if not folder.exists():
            os.replace(tmp, folder)
        elif _exchange(tmp, folder):
            shutil.rmtree(tmp, ignore_errors=True)      # now holds the earlier run
        else:
            old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.old-"))
            os.rmdir(old)
            os.replace(folder, old)
            os.replace(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
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
    problem = record_problem(record)
    if problem:
        raise RecbenchError(f"{run_json} is not a readable recbench run record ({problem}); "
                            f"re-run the experiment to rewrite it.")
    per_user_path = folder / "per_user.csv.gz"
    per_user = None
    if per_user_path.is_file():
        try:
            per_user = read_per_user(per_user_path)
        except Exception as exc:   # any unreadable file is one sentence, not a traceback
            raise RecbenchError(f"{per_user_path} cannot be read ({type(exc).__name__}: {exc}); "
                                f"re-run the experiment to rewrite it.") from None
        problem = per_user_problem(per_user)
        if problem:
            raise RecbenchError(f"{per_user_path} {problem}; re-run the experiment to rewrite it.")
    return record, per_user


KEYS = ("algorithm", "fold", "user")


def per_user_problem(per_user: pd.DataFrame) -> str | None:
    """What makes ``per_user`` unusable as a run's per-user values (phrased to follow the
    file's name), or None: a missing key column, a key seen twice (the paired tests would
    count that user more than once) or a value that is not a number."""
    lacking = [c for c in KEYS if c not in per_user.columns]
    if lacking:
        return f"has no {lacking[0]!r} column, so it holds no per-user values of a run"
    for key in KEYS:
        if per_user[key].isna().any():
            line = int(per_user.index[per_user[key].isna()][0]) + 2
            return f"has no {key} at line {line}"
    twice = per_user.duplicated(list(KEYS), keep="first")
    if twice.any():
        i = int(per_user.index[twice][0])
        row = per_user.loc[i]
        return (f"holds {int(twice.sum())} duplicated (algorithm, fold, user) rows (the first "
                f"at line {i + 2}: {row['algorithm']}, {row['fold']}, {row['user']}), which the "
                f"paired tests would count more than once")
    for column in per_user.columns.drop(list(KEYS)):
        values = pd.to_numeric(per_user[column], errors="coerce")
        bad = values.isna() & per_user[column].notna() | values.isin([float("inf"), float("-inf")])
        if bad.any():
            i = int(per_user.index[bad][0])
            return (f"has {str(per_user[column][i])[:40]!r} at line {i + 2}, column {column!r}, "
                    f"where a finite number belongs")
        per_user[column] = values
    return None


def _is_num(v) -> bool:
    return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))


def record_problem(record) -> str | None:
    """What makes ``record`` unusable as a run record, or None."""
    if not isinstance(record, dict):
        return "the file holds no JSON object"
    m = record.get("manifest")
    if not isinstance(m, dict):
        return "no 'manifest' object"
    d = m.get("dataset")
    if not isinstance(d, dict) or not all(isinstance(d.get(k), str) for k in ("name", "sha256")):
        return "manifest.dataset needs 'name' and 'sha256' strings"
    if not isinstance(m.get("k"), list) or not m["k"] or \
            not all(isinstance(k, int) and not isinstance(k, bool) and k > 0 for k in m["k"]):
        return "manifest.k must be a list of positive whole numbers"
    if not isinstance(m.get("split"), str):
        return "manifest.split must be a string"
    results = record.get("results")
    if not isinstance(results, list):
        return "no 'results' list"
    for i, r in enumerate(results):
        if not isinstance(r, dict) or not isinstance(r.get("algorithm"), str) or \
                not isinstance(r.get("metric"), str):
            return f"results[{i}] needs 'algorithm' and 'metric' strings"
        if not all(_is_num(r.get(k)) for k in ("mean", "std", "ci_low", "ci_high")):
            return f"results[{i}] has a mean/std/interval that is not a number"
        if not isinstance(r.get("folds", []), list) or not all(_is_num(v) for v in r.get("folds", [])):
            return f"results[{i}].folds must be a list of numbers"
    for key in ("significance", "failures", "folds", "algorithms"):
        if not isinstance(record.get(key, []), list) or \
                not all(isinstance(x, dict) for x in record.get(key, [])):
            return f"'{key}' must be a list of objects"
    for i, row in enumerate(record.get("significance", [])):
        if not all(isinstance(row.get(k), str) for k in ("metric", "a", "b")) or \
                not all(_is_num(row.get(k)) for k in ("wilcoxon_p_holm",)):
            return f"significance[{i}] is malformed"
    for i, f in enumerate(record.get("failures", [])):
        if not all(isinstance(f.get(k), str) for k in ("algorithm", "fold", "error")):
            return f"failures[{i}] needs 'algorithm', 'fold' and 'error' strings"
    for key in ("experiment", "protocol"):
        if record.get(key) is not None and not isinstance(record[key], dict):
            return f"'{key}' must be an object"
    return _render_problem(record)


def _strings(v) -> bool:
    return v is None or (isinstance(v, list) and all(isinstance(x, str) for x in v))


def _render_problem(record: dict) -> str | None:
    """What the tables and pages read beyond the numbers, checked for its type."""
    m, d = record["manifest"], record["manifest"]["dataset"]
    for key in ("n_ratings", "n_users", "n_items"):
        if not isinstance(d.get(key, 0), int) or isinstance(d.get(key, 0), bool):
            return f"manifest.dataset.{key} must be a whole number"
    if not _strings(m.get("metrics")):
        return "manifest.metrics must be a list of metric names"
    for key in ("recbench_version", "python", "created", "platform", "command"):
        if not isinstance(m.get(key, ""), str):
            return f"manifest.{key} must be a string"
    if not isinstance(m.get("libraries", {}), dict) or not isinstance(m.get("machine", {}), dict):
        return "manifest.libraries and manifest.machine must be objects"
    protocol = record.get("protocol")
    if not isinstance(protocol, dict) or protocol.get("relevance_threshold") is None or \
            not _is_num(protocol["relevance_threshold"]):
        return "protocol.relevance_threshold must be a number"
    counts = protocol.get("counts", {})
    if not isinstance(counts, dict) or not all(isinstance(v, int) and not isinstance(v, bool)
                                               for v in counts.values()):
        return "protocol.counts must map names to whole numbers"
    exp = record.get("experiment") or {}
    if not (_strings(exp.get("metrics")) and _strings(exp.get("columns"))):
        return "experiment.metrics and experiment.columns must be lists of metric names"
    for key in ("name", "description", "baseline", "published_source", "file"):
        if not isinstance(exp.get(key, ""), (str, type(None))):
            return f"experiment.{key} must be a string"
    published = exp.get("published") or {}
    if not isinstance(published, dict) or not all(
            isinstance(v, dict) and all(_is_num(x) for x in v.values()) for v in published.values()):
        return "experiment.published must map algorithms to tables of numbers"
    if not _strings(record.get("warnings")):
        return "'warnings' must be a list of strings"
    return _groups_problem(record.get("groups"))


def _groups_problem(groups) -> str | None:
    """A grouped run's ``groups`` (what results.md's tables by group and
    ``Run.summary(by="group")`` read)."""
    if groups is None:
        return None
    if not isinstance(groups, dict) or not isinstance(groups.get("spec"), str) or \
            not isinstance(groups.get("definition", ""), str) or \
            not (isinstance(groups.get("names"), list) and _strings(groups["names"])):
        return "groups must hold a spec, a definition and a list of group names"
    edges = groups.get("edges", {})
    if not isinstance(edges, dict) or not all(
            isinstance(e, list) and all(_is_num(x) and x is not None for x in e)
            for e in edges.values()):
        return "groups.edges must map folds to lists of numbers"
    results = groups.get("results")
    if not isinstance(results, list):
        return "groups.results must be a list of objects"
    for i, r in enumerate(results):
        if not isinstance(r, dict) or not all(isinstance(r.get(k), str)
                                               for k in ("algorithm", "group", "metric")) or \
                not all(_is_num(r.get(k)) for k in ("mean", "std", "ci_low", "ci_high")) or \
                not (isinstance(r.get("folds", []), list) and all(_is_num(v) for v in r.get("folds", []))):
            return f"groups.results[{i}] needs algorithm, group and metric names and numbers"
    return None


MAX_DEPTH = 64          # a record nests a few levels; far deeper is not a record
MAX_DIGITS = 300        # about the longest whole number a float holds (1.8e308)


class _LongNumber(str):
    """A whole number too long to be a record's value, kept as its text to be reported."""


def _int(text: str):
    return _LongNumber(text) if len(text.lstrip("-")) > MAX_DIGITS else int(text)


def read_json(path: Path) -> dict:
    """A JSON record, with a one-line error naming the file (and the key) when it is broken,
    nested deeper than :data:`MAX_DEPTH` or holds a number longer than :data:`MAX_DIGITS`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecbenchError(f"{path} cannot be read ({exc}).") from None
    try:
        value = json.loads(text, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise RecbenchError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg}).") from None
    except (RecursionError, ValueError):   # too deep for the parser, or a number it refuses
        value = None
    problem = _deep_key(text) if value is None else _tree_problem(value)
    if value is None or problem:
        raise RecbenchError(f"{path}: {problem or 'not valid JSON'}; re-run what wrote it.")
    return value


def _key_path(keys) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys).lstrip(".") or "the top"


def _too_deep(keys) -> str:
    return (f"key {_key_path(keys[:3])} nests arrays or objects more than {MAX_DEPTH} levels "
            f"deep, which no record does")


def _tree_problem(value) -> str | None:
    """A parsed record's too-long number or too-deep nesting, naming its key (iterative, so a
    deep value cannot exhaust the stack)."""
    todo = [(value, ())]
    while todo:
        node, keys = todo.pop()
        if len(keys) > MAX_DEPTH:
            return _too_deep(keys)
        if isinstance(node, _LongNumber):
            return (f"key {_key_path(keys)} holds a {len(node.lstrip('-'))}-digit number, "
                    f"longer than any value of a run")
        if isinstance(node, dict):
            todo.extend((v, keys + (k,)) for k, v in node.items())
        elif isinstance(node, list):
            todo.extend((v, keys + (i,)) for i, v in enumerate(node))
    return None


def _deep_key(text: str) -> str | None:
    """Where ``text`` (JSON the parser gave up on) nests more than :data:`MAX_DEPTH` levels,
    read without recursion; None when it does not."""
    keys, string, escaped, start, last = [], False, False, 0, ""
    for i, ch in enumerate(text):
        if string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                string, last = False, text[start:i]
        elif ch == '"':
            string, start = True, i + 1
        elif ch in "[{":
            keys.append(0 if ch == "[" else "")
            if len(keys) > MAX_DEPTH:
                return _too_deep(keys)
        elif ch in "]}" and keys:
            keys.pop()
        elif ch == ":" and keys:
            keys[-1] = last
        elif ch == "," and keys and isinstance(keys[-1], int):
            keys[-1] += 1
    return None
