"""The manifest of a run: what was run, on what, with which versions."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version

from recbench._version import __version__
from recbench.runtime import env

LIBRARIES = ["scikit-surprise", "numpy", "pandas", "scikit-learn", "scipy", "joblib", "tabulate", "matplotlib",
             "numba", "implicit", "optuna"]


def library_versions() -> dict:
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def run_environment() -> dict:
    """Version, date and machine: the part of a manifest every kind of run shares."""
    return {
        "recbench_version": __version__,
        "created": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": {"processor": platform.machine(), "cpus": os.cpu_count()},
    }


def build_manifest(dataset, exp, command: str, n_folds: int | None = None) -> dict:
    return {
        **run_environment(),
        "command": command,
        "dataset": dataset.provenance.to_dict() | {"rating_scale": list(dataset.rating_scale),
                                                   "content_sha256": dataset.content_digest()},
        "split": exp.split,
        "n_folds": n_folds,
        "split_options": dict(sorted(exp.splitting.options.items())),
        "test_size": exp.splitting.options.get("test_size"),       # as records before 0.2 had them
        "leave_out": exp.splitting.options.get("leave_out"),
        "seed": exp.seed,
        "k": list(exp.cutoffs),
        "metrics": None if exp.metrics is None else
        [m.name for m in exp.metric_specs() if not m.is_timing],
        "n_jobs": exp.execution.n_jobs,
        "threads_per_job": exp.execution.threads_per_job(),
        "job_timeout_s": exp.execution.timeout,
        **({"scheduler": exp.execution.scheduler} if exp.execution.scheduler else {}),
        "ranking_kernel": env.ranking_kernel(),
        "libraries": library_versions(),
    }
