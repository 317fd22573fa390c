"""The Dask backend of the execution seam (the optional extra ``recbench[dask]``).

``Execution(backend="dask", scheduler=...)`` runs every task of :func:`recbench.runtime.execution.map_jobs`
as one Dask task: ``scheduler="local"`` or ``"local:N"`` starts a ``distributed.LocalCluster``
of N worker processes (default 2, one thread each) bound to 127.0.0.1 and closes it at the end;
``"tcp://HOST:PORT"`` joins a running cluster (started by ``dask scheduler``/``dask worker``,
dask-ssh, dask-jobqueue or dask-kubernetes) and leaves it running.

Arguments that several tasks share (the item frame, each fold, the settings) are scattered to
every worker once (``broadcast=True``), so a fold travels once, not once per algorithm. Each
task runs under its thread budget (``use_threads``): ``threads`` when given, else the cores
divided among the local workers, or 1 on a remote cluster (whose cores recbench cannot see).
Results come back in task order and do not depend on where the tasks ran.
"""

from __future__ import annotations

import contextlib
import queue
import re

from recbench.errors import ConfigError
from recbench.runtime import env
from recbench.runtime.threads import cores, use_threads

INSTALL = ("--scheduler needs Dask, which is not installed; run pip install 'recbench[dask]' "
           "(dask[distributed]).")
DEFAULT_WORKERS = 2
_LOCAL = re.compile(r"local(?::(\d+))?")
_REMOTE = re.compile(r"(tcp|tls)://[^\s/:]+:\d+")


def _import_distributed():
    import distributed
    return distributed


def parse_scheduler(scheduler: str) -> int | None:
    """The number of local workers (``local[:N]``), or None for a cluster address."""
    text = str(scheduler).strip()
    if m := _LOCAL.fullmatch(text):
        n = int(m.group(1)) if m.group(1) else DEFAULT_WORKERS
        if n >= 1:
            return n
    elif _REMOTE.fullmatch(text):
        return None
    raise ConfigError(f"--scheduler {scheduler!r} is invalid; give local, local:N (N workers on "
                      f"this machine) or a running cluster's address, e.g. tcp://HOST:8786.")


def check(execution) -> None:
    """Before any work: the scheduler is well-formed and Dask is installed."""
    if execution.scheduler is None:
        raise ConfigError("the dask backend needs a scheduler: local, local:N or tcp://HOST:8786.")
    parse_scheduler(execution.scheduler)
    if execution.timeout is not None:
        raise ConfigError("--job-timeout cannot stop a job on a Dask worker; run without "
                          "--scheduler (the local backend ends a job out of time) or without "
                          "--job-timeout.")
    try:
        _import_distributed()
    except ImportError:
        raise ConfigError(INSTALL) from None


@contextlib.contextmanager
def _process_state_kept():
    """Dask's worker launcher writes thread and hash variables into ``os.environ`` and sets
    its loggers' levels; put both back as they were when the cluster is done."""
    import logging
    import os
    environ = dict(os.environ)
    names = ("distributed", "tornado", "bokeh")
    levels = {n: logging.getLogger(n).level for n in names}
    try:
        yield
    finally:
        for key in set(os.environ) - set(environ):
            del os.environ[key]
        os.environ.update(environ)
        for n, level in levels.items():
            logging.getLogger(n).setLevel(level)


@contextlib.contextmanager
def client_for(scheduler: str):
    """A ``distributed.Client`` for ``scheduler``; a local cluster is closed on exit."""
    distributed = _import_distributed()
    n_workers = parse_scheduler(scheduler)
    with _process_state_kept():
        if n_workers is None:
            try:
                client = distributed.Client(scheduler, set_as_default=False, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise ConfigError(f"--scheduler {scheduler}: no Dask scheduler answered there "
                                  f"({type(exc).__name__}); start one (dask scheduler) or check "
                                  f"the address.") from None
            with client:
                yield client, None
            return
        with distributed.LocalCluster(host="127.0.0.1", n_workers=n_workers,
                                      threads_per_worker=1, processes=True,
                                      dashboard_address=None, scheduler_port=0) as cluster, \
                distributed.Client(cluster, set_as_default=False) as client:
            yield client, n_workers


def _run(func, threads, *args):
    with use_threads(threads):
        return func(*args)


def _shared(tasks: list[tuple]) -> dict[int, object]:
    """Arguments (by identity) that more than one task passes: the ones worth scattering."""
    seen: dict[int, object] = {}
    counts: dict[int, int] = {}
    for task in tasks:
        for arg in task:
            if arg is None or isinstance(arg, (str, bytes, int, float, bool)) or callable(arg):
                continue
            seen[id(arg)] = arg
            counts[id(arg)] = counts.get(id(arg), 0) + 1
    return {k: v for k, v in seen.items() if counts[k] > 1}


def map_tasks(func, tasks: list[tuple], execution, progress=None, lost=None):
    """``func(*task)`` for every task on the cluster; results in task order. (A timeout is
    refused by :func:`check`, so ``lost`` is never called.)"""
    if not tasks:
        return []
    threads = execution.threads
    with client_for(execution.scheduler) as (client, n_workers):
        if threads is None:
            threads = max(1, cores() // n_workers) if n_workers else 1
            cap = env.threads()
            threads = min(threads, cap) if cap else threads
        shared = _shared(tasks)
        futures_of = dict(zip(shared, client.scatter(list(shared.values()), broadcast=True,
                                                     hash=False))) if shared else {}
        futures = [client.submit(_run, func, threads,
                                 *(futures_of.get(id(a), a) for a in task), pure=False)
                   for task in tasks]
        finished: queue.Queue = queue.Queue()      # filled from the client's event loop
        for i, future in enumerate(futures):
            future.add_done_callback(lambda _, i=i: finished.put(i))
        out: list = [None] * len(tasks)
        for _ in futures:
            i = finished.get()
            out[i] = result = futures[i].result()
            if progress is not None:
                progress(result)
        return out
