"""The worker-process side of the execution seam.

:func:`stdout_to_stderr` is run once in every worker process recbench starts (the joblib
processes of ``n_jobs > 1`` and the processes of a time-limited run): a plugin's ``print``,
or a C library writing to file descriptor 1, then lands on stderr, as it does in a job run
in-process (``recbench run`` sends stdout to stderr around the jobs), and cannot corrupt a
table printed on stdout (``--format csv > file``). It never runs in the calling process.

:func:`serve` is the loop of a time-limited worker (:mod:`recbench.runtime.time_limit`):
it takes one pickled task at a time from its pipe, says it has started it, runs it and
sends the result back, until
the pipe closes. It ignores Ctrl-C (the parent ends its workers) and ends itself when the
parent process is gone, so a killed run leaves no worker behind.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time

from recbench.runtime.threads import use_threads

_redirected_in: int | None = None          # the pid whose stdout was redirected


def stdout_to_stderr(parent: int | None = None) -> None:
    """In a worker process (not ``parent``, the pid of the caller that started it), send
    ``sys.stdout`` and file descriptor 1 to stderr; once per process."""
    global _redirected_in
    pid = os.getpid()
    if pid == parent or _redirected_in == pid:
        return
    _redirected_in = pid
    try:
        sys.stdout.flush()
        os.dup2(2, 1)
    except (OSError, ValueError, AttributeError):     # no fd 1 or 2 (a detached process)
        pass
    sys.stdout = sys.stderr


def dumps(value) -> bytes:
    """``value`` pickled as joblib's processes do: with cloudpickle when it is installed (so
    a plugin class defined in ``__main__`` or a notebook travels too), else with pickle."""
    try:
        import cloudpickle
    except ImportError:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return cloudpickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _watch_parent(parent: int) -> None:
    """End this process when ``parent`` is gone (this process is then re-parented)."""
    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)
    threading.Thread(target=watch, name="recbench-parent-watch", daemon=True).start()


def serve(conn, parent: int) -> None:
    """Run tasks ``(func, threads, args)`` from ``conn`` until it closes; send back
    ``("ok", result)`` or ``("error", exception)`` for each."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdout_to_stderr(parent)
    _watch_parent(parent)
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            func, threads, args = pickle.loads(data)
        except Exception as exc:                # e.g. a class this process cannot import
            conn.send_bytes(pickle.dumps(("lost", f"its task could not be loaded in a worker "
                                                  f"process ({type(exc).__name__}: {exc})")))
            continue
        conn.send_bytes(pickle.dumps(("started", None)))        # the job's clock starts
        try:
            with use_threads(threads):
                reply = ("ok", func(*args))
        except BaseException as exc:            # the parent raises it, as joblib would
            reply = ("error", exc)
        try:
            data = dumps(reply)
        except Exception as exc:                # an unpicklable result or exception
            data = dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        try:
            conn.send_bytes(data)
        except (EOFError, OSError):
            return
