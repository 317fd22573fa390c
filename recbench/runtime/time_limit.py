"""Tasks under a time limit (``Execution(timeout=SECONDS)``, ``--job-timeout``).

A thread cannot be stopped, so every task of a time-limited run runs in a worker process,
even with one job at a time: ``n`` workers (``spawn``ed, each serving one task at a time, see
:func:`recbench.runtime.workers.serve`). A task that is still running when its time is up has
its worker terminated (SIGTERM, then SIGKILL after 2 s) and joined, so it uses no more CPU;
a fresh worker takes the next task. So does a worker that dies during a task (a plugin's
``os._exit`` or a crash). Either way ``lost(task, reason)`` gives that task's result, and
the other tasks go on. When the map ends, or is interrupted, every worker is ended and
joined: none is left behind.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import pickle
import time
from collections import deque
from multiprocessing.connection import wait

from recbench.runtime.workers import dumps, serve

_GRACE = 2.0          # seconds between SIGTERM and SIGKILL
_STARTED = "started"


class _Worker:
    def __init__(self, ctx):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=serve, args=(child, os.getpid()),
                                   name="recbench-job", daemon=True)
        self.process.start()
        child.close()             # so that the worker's death reads as EOF here
        self.task: int | None = None
        self.deadline = 0.0

    def stop(self) -> None:
        """End the worker and wait for it (reaped: no zombie, no orphan)."""
        self.conn.close()
        self.process.join(0.2 if self.task is None else 0)   # an idle one leaves on EOF
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(_GRACE)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def map_tasks(func, tasks: list[tuple], n_workers: int, threads: int, timeout: float,
              lost, progress=None) -> list:
    """``func(*task)`` for every task in at most ``n_workers`` worker processes, each task
    given ``timeout`` seconds; results in task order. ``lost(task, reason)`` is the result
    of a task that ran out of time or whose worker died; ``progress(result)`` as each ends."""
    ctx = multiprocessing.get_context("spawn")
    out: list = [None] * len(tasks)
    pending = deque(range(len(tasks)))
    idle: list[_Worker] = []
    busy: list[_Worker] = []
    try:
        for _ in range(min(n_workers, len(tasks))):
            idle.append(_Worker(ctx))
        while pending or busy:
            while idle and pending:
                w = idle.pop()
                w.task = pending.popleft()
                w.conn.send_bytes(dumps((func, threads, tasks[w.task])))
                w.deadline = math.inf       # the clock starts when the worker starts it
                busy.append(w)
            soonest = min(w.deadline for w in busy)
            ready = wait([w.conn for w in busy],
                         None if soonest == math.inf else max(0.0, soonest - time.monotonic()))
            now = time.monotonic()
            for w in list(busy):
                if w.conn in ready:
                    result, problem = _receive(w)
                    if problem == _STARTED:
                        w.deadline = time.monotonic() + timeout
                        continue
                elif now >= w.deadline:
                    result, problem = None, f"exceeded --job-timeout {timeout:g} s"
                else:
                    continue
                busy.remove(w)
                i = w.task
                if problem is None:
                    w.task = None
                    idle.append(w)
                else:                       # end it (no more CPU), start a fresh one
                    w.stop()
                    result = lost(tasks[i], problem)
                    if pending:
                        idle.append(_Worker(ctx))
                out[i] = result
                if progress is not None:
                    progress(result)
    finally:
        for w in busy + idle:
            w.stop()
    return out


def _receive(w: _Worker):
    """(result, None); (None, _STARTED) when the worker has begun its task; or (None, why
    the worker gave no result)."""
    try:
        status, value = pickle.loads(w.conn.recv_bytes())
        if status in ("started", "lost"):
            return None, _STARTED if status == "started" else value
    except (EOFError, OSError):
        w.process.join(_GRACE)
        code = w.process.exitcode
        return None, f"its worker process ended during the job (exit code {code})"
    if status == "error":
        raise value
    return value, None
