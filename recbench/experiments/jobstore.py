"""The job store of resumable runs: each finished (algorithm, fold) job is kept on disk as
soon as it ends, under a key made of everything that determines its result, so a run that
was interrupted (even by kill -9) can reuse it with ``resume``.

The key is the SHA-256 of: the dataset's file SHA-256 and the digest of the ratings and items
as loaded (so a reading option such as ``--duplicates`` that changes the data changes the
key), the split and its options, the fold name, the algorithm's label, name, class and
parameters, the SHA-256 of the source file of every algorithm class from outside recbench
(a plugin whose code changed is run again), the root seed, the relevance threshold, the
rating scale, the metrics computed and recbench's version, and for a tuned job its tuning
(budget, objective, validation share, sampler, search space, fixed parameters). A tuned job
also keeps its trials, as each finishes, in an Optuna journal beside its entry
(``<key>.trials.journal``), so that it resumes at the trial it had reached. Only jobs that
finished without error are stored (a failed job is retried; so is one that ran out of time
under ``--job-timeout``). The time limit is not part of the key: it changes no number.

**What the store trusts.** An entry (``<key>.job``) is data, never code: a JSON header (its
own key, the job's label and fold, its fold-level values, counts, parameters, seed, kernel,
tuning record, and the SHA-256 of everything after the header) followed by the per-user
values and kept lists as Parquet. It is reused only when its header parses, names the key
it is filed under, the job's label and fold, and its checksum matches; anything else (a
torn write, an entry copied over another's, a planted or edited file, a folder) counts as
missing, the job runs again and the record's warnings say so. Nothing in the store is
unpickled or imported. The checksum catches accidents, not forgery: whoever can write the
store can change the numbers, as they could edit ``run.json``. Entries are written
atomically (temporary file + rename). ``recbench run`` keeps its store in
``.<folder name>.jobs/`` beside the output folder and removes it once the run folder is
written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from recbench._version import __version__
from recbench.algorithms.base import Algorithm
from recbench.algorithms.spec import describe_params, spec_class
from recbench.experiments.job import JobResult

FORMAT = "recbench-job/1"
_FRAMES = ("per_user", "recommendations")


def code_digests(spec) -> dict[str, str]:
    """``module:Class`` -> SHA-256 of its source file, for the spec's class and any algorithm
    instances among its parameters that come from outside recbench (plugins, scripts)."""
    classes = [spec_class(spec)]
    stack = list(spec.params.values()) + ([] if spec.instance is None else
                                          list(spec.instance.get_params().values()))
    while stack:
        v = stack.pop()
        if isinstance(v, Algorithm):
            classes.append(type(v))
            stack.extend(v.get_params().values())
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
    out = {}
    for cls in classes:
        if cls is None or cls.__module__.split(".")[0] == "recbench":
            continue
        name = f"{cls.__module__}:{cls.__qualname__}"
        try:
            source = Path(inspect.getsourcefile(cls) or "").read_bytes()
            out[name] = hashlib.sha256(source).hexdigest()
        except (OSError, TypeError):      # defined in a notebook or by exec: its source text
            try:
                out[name] = hashlib.sha256(inspect.getsource(cls).encode()).hexdigest()
            except (OSError, TypeError):
                out[name] = "unknown"
    return out


def job_key(exp, spec, fold_name: str) -> str:
    settings = {
        "dataset": exp.dataset.provenance.sha256, "data": exp.dataset.content_digest(),
        **exp.splitting.describe(), "fold": fold_name,
        "label": spec.label, "name": spec.name,
        "class": None if spec.instance is None else
        f"{type(spec.instance).__module__}:{type(spec.instance).__qualname__}",
        "params": describe_params(spec.params), "seed": exp.seed,
        "threshold": exp.relevance_threshold, "scale": list(exp.dataset.rating_scale),
        "metrics": [m.name for m in exp.metric_specs()], "version": __version__,
        **({"preprocessing": [dict(s) for s in exp.dataset.preprocessing],
            "feedback": exp.dataset.feedback, "weight": exp.dataset.weight}
           if exp.dataset.preprocessing or exp.dataset.interactions else {}),
        **({"head_share": exp.head_share} if exp.head_share != 0.2 else {}),
        "code": code_digests(spec),
    }
    if getattr(spec, "tuning", None) is not None:       # budget, objective, space, sampler...
        settings["tuning"] = spec.describe_tuning()
    text = json.dumps(settings, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def _frame_bytes(frame: pd.DataFrame | None) -> bytes:
    if frame is None:
        return b""
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def encode(key: str, result: JobResult) -> bytes:
    """An entry: one JSON header line, then the frames' Parquet bytes."""
    blobs = [_frame_bytes(getattr(result, name)) for name in _FRAMES]
    payload = b"".join(blobs)
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(JobResult)
              if f.name not in _FRAMES}
    header = {"format": FORMAT, "key": key, "fields": fields,
              "frames": {n: len(b) for n, b in zip(_FRAMES, blobs)},
              "sha256": hashlib.sha256(payload).hexdigest()}
    head = json.dumps(header, default=str).encode()       # keeps the order of values
    return head + b"\n" + payload


def decode(data: bytes, key: str) -> JobResult:
    """The job an entry holds; ValueError saying why when it is not the entry of ``key``."""
    head, sep, payload = data.partition(b"\n")
    if not sep:
        raise ValueError("it has no header")
    header = json.loads(head)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError("it is not a recbench job entry")
    if header.get("key") != key:
        raise ValueError("it holds another job (its key differs from its file name)")
    if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        raise ValueError("its checksum does not match its contents")
    fields = header["fields"]
    known = {f.name for f in dataclasses.fields(JobResult)} - set(_FRAMES)
    if not isinstance(fields, dict) or set(fields) != known:
        raise ValueError("its fields are not a job's")
    result = JobResult(**fields)
    offset = 0
    for name in _FRAMES:
        size = int(header["frames"][name])
        blob = payload[offset:offset + size]
        offset += size
        setattr(result, name, pd.read_parquet(io.BytesIO(blob)) if size else None)
    if offset != len(payload):
        raise ValueError("its frames do not add up to its contents")
    return result


class JobStore:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.rejected: list[str] = []        # why entries were not reused, in words

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.job"

    def get(self, key: str, label: str | None = None, fold: str | None = None):
        """The stored job of ``key`` (and of ``label`` on ``fold``), or None: missing, or not
        trustworthy (the reason is added to :attr:`rejected`)."""
        path = self._path(key)
        if not path.exists():
            return None
        try:
            if not path.is_file():
                raise ValueError("it is not a file")
            result = decode(path.read_bytes(), key)
            if (label, fold) != (None, None) and (result.algorithm, result.fold) != (label, fold):
                raise ValueError(f"it holds {result.algorithm} on {result.fold}")
            if result.error is not None:
                raise ValueError("it holds a failed job")
        except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
            what = f"{label} on {fold}" if label else key[:12]
            self.rejected.append(f"the stored job {what} ({path.name}) was run again: "
                                 f"{exc if isinstance(exc, ValueError) else 'it is unreadable'}.")
            return None
        return result

    def put(self, key: str, result) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        data = encode(key, result)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".job-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._path(key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def discard(self, key: str) -> None:
        """Forget the job of ``key`` (a job that ran out of time is not a result)."""
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError:
            pass

    def journal(self, key: str) -> Path:
        """The Optuna journal of a tuned job: its trials, kept as each one finishes."""
        return self.folder / f"{key}.trials.journal"

    def keys(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.job")) if self.folder.is_dir() else []

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def run_and_store(store: JobStore | None, key: str, func, *args):
    """``func(*args)``; a result without error is stored under ``key`` before returning."""
    result = func(*args)
    if store is not None and result.error is None:
        try:
            store.put(key, result)
        except OSError:       # a full disk, or a folder planted at the entry's name: the job
            pass              # is simply not kept (a resume runs it again); the run goes on
    return result
