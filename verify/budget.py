"""Time budgets: run an obligation in a worker process that is killed when its budget ends.

Signals do not interrupt SymPy or flint reliably, so every obligation that can hang runs in a
child process. A kill becomes :class:`BudgetExceeded`, which the checker turns into an
``unknown`` verdict with ``reason_kind: budget`` — never a crash and never a guess.

**No worker is forked from a multi-threaded process.** Forking copies only the calling thread;
a lock another thread holds at that moment (the import lock, a logging lock) stays held forever
in the child, which then stalls until its budget kills it — a verdict that changes from run to
run. So:

* the checker never runs obligations on threads: :func:`run_parallel` starts its workers from
  the calling thread and waits for them with ``multiprocessing.connection.wait``;
* :func:`run_with_budget` forks only when the process has a single Python thread; in a
  multi-threaded caller (a GUI, a web server, a rich progress bar) it starts the worker from a
  ``forkserver`` (a clean single-threaded server started by fork + exec), which needs the
  job to be picklable. A job that cannot be pickled (a function defined in a test, an operator
  from a file loaded with ``--file`` in a threaded host) falls back to ``fork``; this is the
  only case left, and :data:`unsafe_forks` counts it. The NumPy kernels' own thread pool
  (``skd.operators.kernels``, idle between calls) does not count: when its threads are the only
  others, they are joined first (:func:`skd.operators.kernels.release_threads`) and the worker is
  forked, warm, instead of started cold from the server.

Workers ask the kernel to kill them when their parent dies (``PR_SET_PDEATHSIG`` on Linux), so
a killed worker takes its nested work with it.

>>> run_with_budget(sum, ([1, 2, 3],), seconds=5)
6
>>> import time
>>> run_with_budget(time.sleep, (10,), seconds=0.2)
Traceback (most recent call last):
...
skd.verify.budget.BudgetExceeded: killed after 0.2 s
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing as mp
import multiprocessing.connection as mpc
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import sympy.core.random as sympy_random

from skd.operators.errors import SkdError
from skd.operators.kernels import THREAD_PREFIX, release_threads

__all__ = ["BudgetExceeded", "WorkerError", "run_with_budget", "run_parallel", "in_process", "MAX_SECONDS",
           "worker_context", "publish", "Memo", "MEMOS"]

_CTX = mp.get_context("fork")
_SERVER_CTX = mp.get_context("forkserver")
_SERVER_CTX.set_forkserver_preload(["skd.verify.checker", "skd.verify.prove", "skd.verify.refute"])

#: The largest budget accepted (seconds): ``select``/``poll`` take a 32-bit millisecond timeout.
MAX_SECONDS = 1_000_000.0

#: Workers started by ``fork`` from a multi-threaded process (unpicklable jobs only); see above.
unsafe_forks = 0


class BudgetExceeded(SkdError, TimeoutError):
    """The obligation did not finish within its budget and its worker was killed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"killed after {seconds:g} s")

    def __reduce__(self) -> Any:
        return (BudgetExceeded, (self.seconds,))


class WorkerError(SkdError, RuntimeError):
    """The obligation raised inside the worker; ``kind`` and ``detail`` describe it."""

    def __init__(self, kind: str, detail: str) -> None:
        self.kind = kind
        self.detail = detail
        super().__init__(f"{kind}: {detail}")

    def __reduce__(self) -> Any:
        return (WorkerError, (self.kind, self.detail))


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except Exception:  # noqa: BLE001 - best effort
            pass


#: In a :func:`run_parallel` worker: sends ``("publish", payload)`` to the parent (see
#: :func:`publish`); None everywhere else (the parent, budget workers, in-process runs).
_publisher: Callable[[Any], None] | None = None


def publish(payload: Any) -> bool:
    """Hand ``payload`` to the parent of this :func:`run_parallel` worker *before* the job ends
    (its ``on_message`` callback receives it); False (and nothing sent) anywhere else.

    The checker uses it to pass a prover outcome to the axioms started after it, so that they do
    not prove it again (the outcome is what they would compute: it only saves time)."""
    if _publisher is None:
        return False
    _publisher(payload)
    return True


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
           publishing: bool = False) -> None:
    global _publisher
    _die_with_parent()
    # a budget worker forked from a run_parallel worker inherits its pipe: never publish there
    _publisher = (lambda payload: conn.send(("publish", payload))) if publishing else None
    # SymPy draws random numbers from a generator seeded at import (Wang's multivariate
    # factorisation picks random evaluation points, Expr.equals/is_constant test at random
    # points): seeded here, every job takes the same path, in the same time, in every run,
    # whatever ran before it in the parent
    sympy_random.seed(0)
    try:
        result = ("ok", fn(*args, **kwargs))
    except BaseException as exc:  # noqa: BLE001 - everything is reported to the parent
        result = ("error", (type(exc).__name__, f"{exc}\n{traceback.format_exc(limit=6)}", exc))
    try:
        conn.send(result)
    except Exception:  # noqa: BLE001 - an unpicklable result or exception: report it as text
        kind, detail, _ = result[1] if result[0] == "error" else ("PicklingError", "result not picklable", None)
        with contextlib.suppress(Exception):
            conn.send(("error", (kind, detail, None)))
    finally:
        conn.close()
        os._exit(0)


#: Set to True (e.g. by tests of pure functions) to run obligations in-process without budgets.
in_process = False


def _inside_worker() -> bool:
    return bool(mp.current_process().daemon)


def _only_kernel_threads() -> bool:
    """Every thread but this one is a worker of the kernels' pool (whose threads are idle
    whenever no kernel call is running, and none can be: no other thread exists to make one)."""
    me = threading.current_thread()
    return all(t is me or t.name.startswith(THREAD_PREFIX) for t in threading.enumerate())


def worker_context(job: tuple[Any, ...]) -> Any:
    """The multiprocessing context to start a worker for ``job`` (see the module docstring)."""
    global unsafe_forks
    if threading.active_count() > 1 and _only_kernel_threads():
        # the NumPy kernels' idle pool (skd.operators.kernels) is the only other thread: joined
        # here (the next kernel call starts it again), so that the worker is forked from a
        # single-threaded process: a forkserver worker starts cold (no SymPy cache, the job's
        # modules imported again), ~25 % slower on a derivation (AMD EPYC, 2026-12-07)
        release_threads()
    if threading.active_count() == 1:
        return _CTX
    try:
        pickle.dumps(job)
    except Exception:  # noqa: BLE001 - not picklable: fork is the only way left
        unsafe_forks += 1
        return _CTX
    return _SERVER_CTX


def _start(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], *, daemon: bool,
           publishing: bool = False) -> tuple[Any, Any]:
    ctx = worker_context((fn, args, kwargs))
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args, kwargs, publishing), daemon=daemon)
    # The worker's garbage collector need not walk what it inherits: every object alive now is
    # moved to the permanent generation for the fork (a full collection in the worker would
    # otherwise traverse them all, ~0.05 s each time, and copy their pages) and back right after
    # in this process, whose collector behaves as before. No object changes; only what the
    # worker's collector looks at.
    frozen = ctx is _CTX and gc.get_freeze_count() == 0  # (a caller that froze itself is left alone)
    if frozen:
        gc.freeze()
    try:
        proc.start()
    finally:
        if frozen:
            gc.unfreeze()
    child.close()
    return proc, parent


def _receive(proc: Any, parent: Any, start: float) -> tuple[str, Any]:
    try:
        return parent.recv()
    except (TypeError, pickle.UnpicklingError, AttributeError, ImportError) as exc:
        raise WorkerError("UnpicklingError", f"the worker's answer could not be read: {exc}") from None
    except EOFError:
        proc.join(timeout=5)
        raise WorkerError("WorkerDied", f"worker exited with code {proc.exitcode} after {time.monotonic() - start:.2f} s") from None


def _stop(proc: Any, parent: Any) -> None:
    if proc.is_alive():
        proc.kill()
    proc.join(timeout=5)
    parent.close()


def _result(status: str, payload: Any) -> Any:
    if status == "ok":
        return payload
    kind, detail, exc = payload
    if isinstance(exc, BaseException):
        raise exc
    raise WorkerError(kind, detail)


def run_with_budget(fn: Callable[..., Any], args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None,
                    *, seconds: float) -> Any:
    """``fn(*args, **kwargs)`` in a worker process killed after ``seconds``.

    Exceptions raised by ``fn`` are re-raised in the parent when they can be pickled, else
    wrapped in :class:`WorkerError`. Called from inside a budget worker, ``fn`` runs in that
    worker, bounded by the enclosing budget (a killed worker takes its nested work with it).
    """
    kwargs = kwargs or {}
    if in_process or _inside_worker():
        # Inside a budget worker already (a daemonic process may not start children): run here,
        # under the enclosing worker's budget, which kills this work with it.
        return fn(*args, **kwargs)
    seconds = min(float(seconds), MAX_SECONDS)
    start = time.monotonic()
    proc, parent = _start(fn, args, kwargs, daemon=True)
    try:
        if not parent.poll(seconds):
            raise BudgetExceeded(seconds)
        status, payload = _receive(proc, parent, start)
    finally:
        _stop(proc, parent)
    return _result(status, payload)


def run_parallel(jobs: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]], *, workers: int = 2,
                 on_start: Callable[[int], None] | None = None,
                 on_done: Callable[[int, Any], None] | None = None,
                 on_message: Callable[[int, Any], None] | None = None,
                 ready: Callable[[int], bool] | None = None) -> list[Any]:
    """Run ``fn(*args)`` for every job, at most ``workers`` at a time, each in its own process.

    The processes are started from the calling thread (no thread pool: see the module
    docstring) and are not daemonic, so each may run its own obligations under
    :func:`run_with_budget`. Results come back in job order; the first exception raised by a job
    is re-raised (after the other workers are stopped). In-process (``in_process``, or inside a
    worker already) the jobs run one after the other.

    A job may call :func:`publish` while it runs: ``on_message(i, payload)`` is then called here,
    in the calling thread, before any job that starts later is started (so a job's arguments
    can carry what earlier jobs published). In-process there is nothing to publish: the jobs
    share this process.

    ``ready(i)``: whether pending job ``i`` may start now (e.g. once a job it would otherwise
    repeat the work of has finished). A free worker starts the first pending job that is ready;
    when none is and no job is running, the first pending one starts anyway (never a deadlock).
    Jobs start in list order when ``ready`` is not given.
    """
    results: list[Any] = [None] * len(jobs)
    if in_process or _inside_worker() or workers <= 1 or len(jobs) <= 1:
        for i, (fn, args) in enumerate(jobs):
            if on_start:
                on_start(i)
            results[i] = fn(*args)
            if on_done:
                on_done(i, results[i])
        return results
    pending = list(range(len(jobs)))
    running: dict[Any, tuple[int, Any, float]] = {}
    try:
        while pending or running:
            while pending and len(running) < workers:
                choice = next((i for i in pending if ready is None or ready(i)), None)
                if choice is None:
                    if running:
                        break  # wait for a running job to finish (or publish)
                    choice = pending[0]
                pending.remove(choice)
                i = choice
                fn, args = jobs[i]
                if on_start:
                    on_start(i)
                proc, parent = _start(fn, args, {}, daemon=False, publishing=True)
                running[parent] = (i, proc, time.monotonic())
            for conn in mpc.wait(list(running)):
                i, proc, start = running[conn]
                try:
                    status, payload = _receive(proc, conn, start)
                except BaseException:
                    running.pop(conn)
                    _stop(proc, conn)
                    raise
                if status == "publish":
                    if on_message is not None:
                        on_message(i, payload)
                    continue
                running.pop(conn)
                _stop(proc, conn)
                results[i] = _result(status, payload)
                if on_done:
                    on_done(i, results[i])
    finally:
        for conn, (_, proc, _) in running.items():
            _stop(proc, conn)
    return results


# -- bounded in-process memos (time only: what they store is what the function computes) ------

#: every :class:`Memo` by name (tests clear them and read their counters)
MEMOS: dict[str, Memo] = {}


class Memo:
    """A bounded in-process memo for a *pure* function of hashable, exactly compared arguments
    (SymPy expressions compare structurally, assumptions included: ``Symbol('t')`` and
    ``Symbol('t', positive=True)``, ``Float(2)`` and ``Integer(2)`` are different keys).

    Only values are stored, never exceptions: a call that raises is recomputed (and raises)
    the next time. When ``limit`` entries are reached the memo is emptied (bounded memory; the
    results do not depend on what is cached, only the time does). ``hits``/``misses`` count
    lookups (for tests and benchmarks)."""

    def __init__(self, name: str, limit: int = 20_000) -> None:
        self.name = name
        MEMOS[name] = self
        self.limit = limit
        self.data: dict[Any, Any] = {}
        self.hits = 0
        self.misses = 0

    def lookup(self, key: Any) -> tuple[bool, Any]:
        try:
            value = self.data[key]
        except KeyError:
            self.misses += 1
            return False, None
        except TypeError:  # an unhashable argument: not cached
            self.misses += 1
            return False, None
        self.hits += 1
        return True, value

    def store(self, key: Any, value: Any) -> None:
        try:
            if len(self.data) >= self.limit:
                self.data.clear()
            self.data[key] = value
        except TypeError:
            pass

    def clear(self) -> None:
        self.data.clear()
        self.hits = self.misses = 0
