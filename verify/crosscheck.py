"""``skd crosscheck``: every derived quantity against an independent numeric computation.

For one operator, :func:`crosscheck` derives the claim graph (:mod:`skd.verify.derivations`),
then runs the ``crosscheck(d, cases)`` of every topic's own module in
:mod:`skd.verify.derivations.crosschecks` (listed in :mod:`skd.verify.derivations.registry`;
it imports nothing of the derivation it checks): the symbolic result
(a derived constant, evaluated) is compared with a computation that does **not** use it —
finite differences at high precision, exact multinomial enumeration, direct sums of KL
divergences, the NumPy/Numba reference kernel, or Monte Carlo with a stated confidence
interval. Inputs are drawn by the public Hypothesis strategies (derandomised, so a run is
reproducible) besides the fixed reference points of ``theory-notes.md`` §6.

A :class:`Check` reports the largest deviation over its cases, the tolerance, and on failure the
inputs that show it. A quantity whose conclusion is not established is *skipped* with the
reason — never counted as passed.

>>> from skd.operators import library
>>> result = crosscheck(library.power, topics=["entropy"], cases=3)
>>> all(c.passed for c in result.checks), len(result.checks) > 0
(True, True)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

from skd.operators import Operator
from skd.operators.errors import InvalidArgument
from skd.theory.theorems import TOPICS

from .budget import BudgetExceeded, run_parallel, run_with_budget
from .checks import Check, compare_values, draw

__all__ = ["Check", "CrosscheckResult", "crosscheck", "crosscheck_many", "draw", "compare_values", "DEFAULT_CASES", "TOPIC_BUDGET"]

DEFAULT_CASES = 20
#: Seconds the checks of one topic may take for one operator before their worker is killed.
TOPIC_BUDGET = 300.0


@dataclasses.dataclass(frozen=True)
class CrosscheckResult:
    operator: str
    checks: tuple[Check, ...]

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == "FAIL"]


def crosscheck(op: Operator, *, topics: Sequence[str] | None = None, cases: int = DEFAULT_CASES, timeout: float = 20.0,
               derivation: Any = None, progress: Callable[[str], None] | None = None,
               topic_budget: float = TOPIC_BUDGET, report: Any = None) -> CrosscheckResult:
    """Cross-check every derived quantity of ``op`` (topics default to all) on ``cases`` inputs each.
    ``derivation``: ``op``'s derivation, else it is derived here — from ``report`` (its stored
    ``skd check`` report, matched to its definition by the caller) when given, instead of checking.

    Each topic's checks run in a worker killed after ``topic_budget`` seconds (they re-derive
    symbolic forms and evaluate at high precision); a kill is reported as a skipped check with
    the reason — never as a pass.
    """
    from .derivations import derive

    if not isinstance(cases, int) or cases < 1:
        raise InvalidArgument("cases", cases, "must be a positive integer")
    chosen = list(TOPICS if topics is None else topics)
    for t in chosen:
        if t not in TOPICS:
            raise InvalidArgument("topics", t, f"unknown topic; choose from {list(TOPICS)}")
    d = derivation if derivation is not None else derive(op, topics=chosen, timeout=timeout, report=report)
    checks: list[Check] = []
    from .derivations.registry import CROSSCHECKS

    for t in chosen:
        fn = CROSSCHECKS[t]
        if progress is not None:
            progress(f"{op.name}: {t}")
        try:
            checks.extend(run_with_budget(fn, (d, cases), seconds=topic_budget))
        except BudgetExceeded:
            checks.append(Check(f"{t}.*", "cross-checks of the topic", 0, math.nan, 0.0,
                                skipped=f"time budget of {topic_budget:g} s exhausted before the checks of topic {t!r} finished"))
    return CrosscheckResult(op.name, tuple(checks))


def _one(op: Operator, options: dict[str, Any]) -> CrosscheckResult:
    """One operator of :func:`crosscheck_many` (a worker's job: positional arguments)."""
    return crosscheck(op, **options)


def crosscheck_many(ops: Sequence[Operator], *, topics: Sequence[str] | None = None, cases: int = DEFAULT_CASES,
                    timeout: float = 20.0, reports: dict[str, Any] | None = None, jobs: int = 1,
                    on_done: Callable[[CrosscheckResult], None] | None = None) -> list[CrosscheckResult]:
    """:func:`crosscheck` of every operator of ``ops``, ``jobs`` operators at a time (each in its own
    worker process, :func:`skd.verify.budget.run_parallel`); results in the order of ``ops``.
    ``reports``: stored ``skd check`` reports by operator name (the caller matched each to its
    operator's definition), which the derivations use instead of checking again. ``on_done`` is
    called with each result as it arrives.

    >>> from skd.operators import library
    >>> [r.operator for r in crosscheck_many([library.power, library.power_T2], topics=["entropy"], cases=2, jobs=2)]
    ['power', 'power_T2']
    """
    if not isinstance(jobs, int) or jobs < 1:
        raise InvalidArgument("jobs", jobs, "must be a positive integer")
    given = reports or {}
    work = [(_one, (op, {"topics": topics, "cases": cases, "timeout": timeout, "report": given.get(op.name)})) for op in ops]
    done = (lambda i, r: on_done(r)) if on_done is not None else None
    return run_parallel(work, workers=jobs, on_done=done)
