"""Time budgets: run an obligation in a worker process that is killed when its budget ends.

Signals do not interrupt SymPy or flint reliably, so every obligation that can hang runs in a
forked child. A kill becomes :class:`BudgetExceeded`, which the checker turns into an
``unknown`` verdict with ``reason_kind: budget`` — never a crash and never a guess.

>>> run_with_budget(sum, ([1, 2, 3],), seconds=5)
6
>>> import time
>>> run_with_budget(time.sleep, (10,), seconds=0.2)
Traceback (most recent call last):
...
skd.verify.budget.BudgetExceeded: killed after 0.2 s
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import time
import traceback
from collections.abc import Callable
from typing import Any

__all__ = ["BudgetExceeded", "WorkerError", "run_with_budget", "in_process"]

_CTX = mp.get_context("fork")


class BudgetExceeded(TimeoutError):
    """The obligation did not finish within its budget and its worker was killed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"killed after {seconds:g} s")


class WorkerError(RuntimeError):
    """The obligation raised inside the worker; ``kind`` and ``detail`` describe it."""

    def __init__(self, kind: str, detail: str) -> None:
        self.kind = kind
        self.detail = detail
        super().__init__(f"{kind}: {detail}")


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    try:
        result = ("ok", fn(*args, **kwargs))
    except BaseException as exc:  # noqa: BLE001 - everything is reported to the parent
        result = ("error", (type(exc).__name__, f"{exc}\n{traceback.format_exc(limit=6)}", exc))
    try:
        conn.send(result)
    except (pickle.PicklingError, TypeError, AttributeError):
        kind, detail, _ = result[1] if result[0] == "error" else ("PicklingError", "result not picklable", None)
        conn.send(("error", (kind, detail, None)))
    finally:
        conn.close()
        os._exit(0)


#: Set to True (e.g. by tests of pure functions) to run obligations in-process without budgets.
in_process = False


def run_with_budget(fn: Callable[..., Any], args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None,
                    *, seconds: float) -> Any:
    """``fn(*args, **kwargs)`` in a forked worker killed after ``seconds``.

    Exceptions raised by ``fn`` are re-raised in the parent when they can be pickled, else
    wrapped in :class:`WorkerError`. Called from inside a budget worker, ``fn`` runs in that
    worker, bounded by the enclosing budget (a killed worker takes its nested work with it).
    """
    kwargs = kwargs or {}
    if in_process or _CTX.current_process().daemon:
        # Inside a budget worker already (a daemonic process may not fork children): run here,
        # under the enclosing worker's budget, which kills this work with it.
        return fn(*args, **kwargs)
    parent, child = _CTX.Pipe(duplex=False)
    proc = _CTX.Process(target=_child, args=(child, fn, args, kwargs), daemon=True)
    start = time.monotonic()
    proc.start()
    child.close()
    try:
        if not parent.poll(seconds):
            raise BudgetExceeded(seconds)
        try:
            status, payload = parent.recv()
        except (TypeError, pickle.UnpicklingError, AttributeError) as exc:
            raise WorkerError("UnpicklingError", f"the worker's answer could not be read: {exc}") from None
        except EOFError:
            raise WorkerError("WorkerDied", f"worker exited with code {proc.exitcode} after {time.monotonic() - start:.2f} s") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(timeout=5)
        parent.close()
    if status == "ok":
        return payload
    kind, detail, exc = payload
    if isinstance(exc, BaseException):
        raise exc
    raise WorkerError(kind, detail)
