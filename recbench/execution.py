"""The one execution seam: every parallel map of recbench goes through here.

``Execution`` holds the settings (how many jobs run at once, how many threads each job may
use, which backend runs them). ``map_jobs`` runs a function over tasks with them; code that
starts threads of its own (the compiled KNN kernels, BLAS, the ``implicit`` package) asks
:func:`thread_budget` how many it may use, so that jobs x threads never exceeds the cores.

A job learns its budget from the settings it runs under (``use`` sets it for the current
thread/process while a job runs); outside a run the budget is every core, or
``RECBENCH_THREADS`` when set.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
from dataclasses import dataclass

from recbench.errors import ConfigError

_local = threading.local()


def cores() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:                      # not on Linux
        return max(1, os.cpu_count() or 1)


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
        env = os.environ.get("RECBENCH_THREADS")
        if env and env.isdigit() and int(env) >= 1:
            budget = min(budget, int(env))
        return budget


def thread_budget() -> int:
    """How many threads the code running now may start."""
    budget = getattr(_local, "threads", None)
    if budget is not None:
        return budget
    env = os.environ.get("RECBENCH_THREADS")
    if env and env.isdigit() and int(env) >= 1:
        return int(env)
    return cores()


@contextlib.contextmanager
def use_threads(n: int):
    """Within the block, :func:`thread_budget` answers ``n`` in this thread."""
    before = getattr(_local, "threads", None)
    _local.threads = n
    try:
        yield
    finally:
        _local.threads = before


def _call(func, threads: int, args):
    with use_threads(threads):
        return func(*args)


#: backend name -> the module that runs map_jobs' tasks: ``check(execution)`` (before any
#: work) and ``map_tasks(func, tasks, execution, progress)``, imported when used
BACKENDS = {"local": __name__, "dask": "recbench.execution_dask"}


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


def check_environment() -> None:
    """Refuse, before any work, a malformed ``RECBENCH_*`` setting a run would read later:
    ``RECBENCH_THREADS``, ``RECBENCH_MEMORY_BUDGET``, ``RECBENCH_BATCH_CELLS`` and
    ``RECBENCH_RANKING_KERNEL`` (each a ConfigError naming the variable and the fix)."""
    from recbench.algorithms.memory import evaluation_batch_cells, memory_budget
    from recbench.errors import ConfigError
    from recbench.evaluation.ranking import KERNELS, default_kernel
    env = os.environ.get("RECBENCH_THREADS")
    if env and not (env.isdigit() and int(env) >= 1):
        raise ConfigError(f"RECBENCH_THREADS={env!r} is invalid; give a whole number of threads "
                          f">= 1, e.g. 2, or unset it.")
    memory_budget()
    evaluation_batch_cells()
    if default_kernel() not in KERNELS:
        raise ConfigError(f"RECBENCH_RANKING_KERNEL={default_kernel()!r} is invalid; give "
                          f"{' or '.join(map(repr, KERNELS))}, or unset it (fused).")
