"""The job store of resumable runs: each finished (algorithm, fold) job is kept on disk as
soon as it ends, under a key made of everything that determines its result, so a run that
was interrupted (even by kill -9) can reuse it with ``resume``.

The key is the SHA-256 of: the dataset's file SHA-256 and the digest of the ratings and items
as loaded (so a reading option such as ``--duplicates`` that changes the data changes the
key), the split and its options, the fold name,
the algorithm's label, name and parameters, the root seed, the relevance threshold, the
rating scale, the metrics computed and recbench's version, and for a tuned job its tuning
(budget, objective, validation share, sampler, search space, fixed parameters). A tuned job
also keeps its trials, as each finishes, in an Optuna journal beside its entry
(``<key>.trials.journal``), so that it resumes at the trial it had reached. Only jobs that
finished without error are stored (a failed job is retried). Entries are pickles written atomically
(temporary file + rename); an unreadable entry counts as missing. ``recbench run`` keeps its
store in ``.<folder name>.jobs/`` beside the output folder and removes it once the run
folder is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
from pathlib import Path

from recbench._version import __version__
from recbench.algorithms.spec import describe_params


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
    }
    if getattr(spec, "tuning", None) is not None:       # budget, objective, space, sampler...
        settings["tuning"] = spec.describe_tuning()
    text = json.dumps(settings, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


class JobStore:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.pkl"

    def get(self, key: str):
        try:
            with open(self._path(key), "rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return None

    def put(self, key: str, result) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".job-")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._path(key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def journal(self, key: str) -> Path:
        """The Optuna journal of a tuned job: its trials, kept as each one finishes."""
        return self.folder / f"{key}.trials.journal"

    def keys(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.pkl")) if self.folder.is_dir() else []

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def run_and_store(store: JobStore | None, key: str, func, *args):
    """``func(*args)``; a result without error is stored under ``key`` before returning."""
    result = func(*args)
    if store is not None and result.error is None:
        store.put(key, result)
    return result
