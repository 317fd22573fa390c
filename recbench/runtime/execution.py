"""The one execution seam: every parallel map of recbench goes through here.

``Execution`` holds the settings (how many jobs run at once, how many threads each job may
use, which backend runs them). ``map_jobs`` runs a function over tasks with them, each task
under its thread budget (:mod:`recbench.runtime.threads`), so that jobs x threads never
exceeds the cores. The backends: "local" (joblib processes, or this process for one job at a
time; with a ``timeout``, worker processes that are ended when a task runs out of time, see
:mod:`recbench.runtime.time_limit`) and "dask" (:mod:`recbench.runtime.dask_backend`). In
every worker process stdout goes to stderr (:func:`recbench.runtime.workers.stdout_to_stderr`).
"""

from __future__ import annotations

import importlib
import math
import os
from dataclasses import dataclass

from recbench.errors import ConfigError
from recbench.runtime import env, time_limit
from recbench.runtime.threads import cores, use_threads
from recbench.runtime.workers import stdout_to_stderr


@dataclass(frozen=True)
class Execution:
    """``n_jobs`` jobs at once (-1: one per core); ``threads`` per job (None: the cores
    divided among the jobs, at least one; ``RECBENCH_THREADS`` caps it). ``backend``: a name
    of :data:`BACKENDS` ("local": joblib in this machine; "dask": a Dask cluster, with
    ``scheduler`` local, local:N or tcp://HOST:PORT), checked here, before any work.
    ``timeout``: seconds a task may run (None: no limit), see :func:`check_timeout`."""

    n_jobs: int = 1
    threads: int | None = None
    backend: str = "local"
    scheduler: str | None = None
    timeout: float | None = None

    def __post_init__(self):
        if isinstance(self.n_jobs, bool) or not isinstance(self.n_jobs, int) or \
                (self.n_jobs < 1 and self.n_jobs != -1):
            raise ConfigError(f"n_jobs={self.n_jobs!r} is invalid; give a whole number >= 1 "
                              f"(or -1 for one job per core).")
        if self.threads is not None and (not isinstance(self.threads, int) or self.threads < 1):
            raise ConfigError(f"threads={self.threads!r} is invalid; give a whole number >= 1.")
        check_timeout(self.timeout)
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


def check_timeout(seconds) -> None:
    """A per-job time limit is None (none) or a positive, finite number of seconds: the one
    check of ``--job-timeout``, ``job_timeout`` in experiment files and ``recbench.run``."""
    if seconds is None:
        return
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or \
            not math.isfinite(seconds) or seconds <= 0:
        shown = repr(seconds) if isinstance(seconds, (bool, str)) else f"{seconds:g}"
        raise ConfigError(f"--job-timeout (job_timeout) {shown} is invalid; give the "
                          f"seconds a job may run as a positive number, e.g. 600.")


def _call(func, threads: int, args):
    with use_threads(threads):
        return func(*args)


def _call_in_worker(parent: int, func, threads: int, args):
    """:func:`_call` in a joblib worker process, whose stdout goes to stderr."""
    stdout_to_stderr(parent)
    return _call(func, threads, args)


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


def map_jobs(func, tasks: list[tuple], execution: Execution | None = None, progress=None,
             lost=None):
    """``func(*task)`` for every task, with ``execution.jobs()`` at once and each job's thread
    budget set (so jobs x threads stays within the cores); results in task order.
    ``progress(result)`` is called as each one finishes. The backend runs them. With
    ``execution.timeout``, ``lost(task, reason)`` is the result of a task that ran out of
    time or whose worker process died (the reason in words)."""
    execution = execution or Execution()
    if execution.timeout is not None and lost is None:
        raise ValueError("map_jobs with a timeout needs lost(task, reason)")
    return backend_module(execution.backend).map_tasks(func, tasks, execution, progress, lost)


def map_tasks(func, tasks: list[tuple], execution: Execution, progress=None, lost=None):
    """The local backend: joblib processes, or this process for one job at a time; with a
    timeout, worker processes ended when their task runs out of time."""
    from joblib import Parallel, delayed
    threads = execution.threads_per_job(len(tasks))
    n_jobs = execution.jobs(len(tasks))
    if execution.timeout is not None:
        return time_limit.map_tasks(func, tasks, n_jobs, threads, execution.timeout, lost,
                                    progress)
    if n_jobs == 1:
        out = []
        for task in tasks:
            out.append(_call(func, threads, task))
            if progress is not None:
                progress(out[-1])
        return out
    out = []
    calls = (delayed(_call_in_worker)(os.getpid(), func, threads, task) for task in tasks)
    try:
        for result in Parallel(n_jobs=n_jobs, return_as="generator")(calls):
            out.append(result)
            if progress is not None:
                progress(result)
    finally:
        _end_workers()
    return out


def _end_workers() -> None:
    """End joblib's worker processes once the jobs are done. Left idle they would live on
    for minutes (holding the caller's stdout and stderr open, so ``recbench run ... | cat``
    waited for them) and their manager thread would be taken for a plugin's at exit."""
    from joblib.externals.loky import get_reusable_executor
    get_reusable_executor().shutdown(wait=True)
