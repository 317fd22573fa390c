"""The one execution seam: every parallel map of recbench goes through here.

``Execution`` holds the settings (how many jobs run at once, how many threads each job may
use, which backend runs them). ``map_jobs`` runs a function over tasks with them, each task
under its thread budget (:mod:`recbench.runtime.threads`), so that jobs x threads never
exceeds the cores. The backends: "local" (joblib processes, or this process for one job at a
time) and "dask" (:mod:`recbench.runtime.dask_backend`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from recbench.errors import ConfigError
from recbench.runtime import env
from recbench.runtime.threads import cores, use_threads


@dataclass(frozen=True)
class Execution:
    """``n_jobs`` jobs at once (-1: one per core); ``threads`` per job (None: the cores
    divided among the jobs, at least one; ``RECBENCH_THREADS`` caps it). ``backend``: a name
    of :data:`BACKENDS` ("local": joblib in this machine; "dask": a Dask cluster, with
    ``scheduler`` local, local:N or tcp://HOST:PORT), checked here, before any work."""

    n_jobs: int = 1
    threads: int | None = None
    backend: str = "local"
    scheduler: str | None = None

    def __post_init__(self):
        if isinstance(self.n_jobs, bool) or not isinstance(self.n_jobs, int) or \
                (self.n_jobs < 1 and self.n_jobs != -1):
            raise ConfigError(f"n_jobs={self.n_jobs!r} is invalid; give a whole number >= 1 "
                              f"(or -1 for one job per core).")
        if self.threads is not None and (not isinstance(self.threads, int) or self.threads < 1):
            raise ConfigError(f"threads={self.threads!r} is invalid; give a whole number >= 1.")
        backend_module(self.backend).check(self)

    def jobs(self, n_tasks: int | None = None) -> int:
        n = cores() if self.n_jobs == -1 else self.n_jobs
        return max(1, min(n, n_tasks)) if n_tasks else n

    def threads_per_job(self, n_tasks: int | None = None) -> int:
        if self.threads is not None:
            return self.threads
        budget = max(1, cores() // self.jobs(n_tasks))
        cap = env.threads()
        return min(budget, cap) if cap else budget


def _call(func, threads: int, args):
    with use_threads(threads):
        return func(*args)


#: backend name -> the module that runs map_jobs' tasks: ``check(execution)`` (before any
#: work) and ``map_tasks(func, tasks, execution, progress)``, imported when used
BACKENDS = {"local": __name__, "dask": "recbench.runtime.dask_backend"}


def backend_module(name: str):
    if name not in BACKENDS:
        raise ConfigError(f"execution backend {name!r} is unknown; use one of "
                          f"{', '.join(BACKENDS)}.")
    return importlib.import_module(BACKENDS[name])


def check(execution: Execution) -> None:
    """The local backend takes no scheduler."""
    if execution.scheduler is not None:
        raise ConfigError(f"scheduler={execution.scheduler!r} needs backend='dask'.")


def map_jobs(func, tasks: list[tuple], execution: Execution | None = None, progress=None):
    """``func(*task)`` for every task, with ``execution.jobs()`` at once and each job's thread
    budget set (so jobs x threads stays within the cores); results in task order.
    ``progress(result)`` is called as each one finishes. The backend runs them."""
    execution = execution or Execution()
    return backend_module(execution.backend).map_tasks(func, tasks, execution, progress)


def map_tasks(func, tasks: list[tuple], execution: Execution, progress=None):
    """The local backend: joblib processes, or this process for one job at a time."""
    from joblib import Parallel, delayed
    threads = execution.threads_per_job(len(tasks))
    n_jobs = execution.jobs(len(tasks))
    if n_jobs == 1:
        out = []
        for task in tasks:
            out.append(_call(func, threads, task))
            if progress is not None:
                progress(out[-1])
        return out
    out = []
    calls = (delayed(_call)(func, threads, task) for task in tasks)
    for result in Parallel(n_jobs=n_jobs, return_as="generator")(calls):
        out.append(result)
        if progress is not None:
            progress(result)
    return out
