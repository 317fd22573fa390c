"""How many threads the code running now may use, and splitting work over them.

A job learns its budget from the execution settings it runs under (:func:`use_threads` sets it
for the current thread while a job runs); outside a run the budget is every core, or
``RECBENCH_THREADS`` when set. Code that starts threads of its own (the compiled kernels, BLAS,
the ``implicit`` package) asks :func:`thread_budget`, so jobs x threads never exceeds the cores.
"""

from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from recbench.runtime import env

_local = threading.local()


def cores() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:                      # not on Linux
        return max(1, os.cpu_count() or 1)


def thread_budget() -> int:
    """How many threads the code running now may start."""
    budget = getattr(_local, "threads", None)
    if budget is not None:
        return budget
    return env.threads() or cores()


@contextlib.contextmanager
def use_threads(n: int):
    """Within the block, :func:`thread_budget` answers ``n`` in this thread."""
    before = getattr(_local, "threads", None)
    _local.threads = n
    try:
        yield
    finally:
        _local.threads = before


def in_threads(run, n: int, min_chunk: int = 16) -> None:
    """``run(slice)`` over 0..n in one contiguous slice per thread, as many threads as
    :func:`thread_budget` allows (the compiled kernels release the GIL; each slice writes
    only its own rows, so the result does not depend on the number of threads)."""
    wanted = thread_budget()
    n_threads = max(1, min(wanted, n // min_chunk))
    bounds = np.linspace(0, n, n_threads + 1).astype(int)
    slices = [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
    if n_threads == 1:
        run(slices[0])
        return
    with ThreadPoolExecutor(n_threads) as pool:
        list(pool.map(run, slices))


def blas_threads():
    """A context in which BLAS uses at most the job's thread budget (restored on exit)."""
    from threadpoolctl import threadpool_limits
    return threadpool_limits(limits=thread_budget(), user_api="blas")
