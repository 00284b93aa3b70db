"""``skd crosscheck``: every derived quantity against an independent numeric computation.

For one operator, :func:`crosscheck` derives the claim graph (:mod:`skd.verify.derivations`),
then asks every topic module for its ``crosscheck(d, cases)`` checks: the symbolic result
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
import importlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from skd.operators import Operator
from skd.operators.errors import InvalidArgument
from skd.theory.theorems import TOPICS

from .budget import BudgetExceeded, run_with_budget

__all__ = ["Check", "CrosscheckResult", "crosscheck", "draw", "compare_values", "DEFAULT_CASES", "TOPIC_BUDGET"]

DEFAULT_CASES = 20
#: Seconds the checks of one topic may take for one operator before their worker is killed.
TOPIC_BUDGET = 300.0
X = TypeVar("X")


@dataclasses.dataclass(frozen=True)
class Check:
    """One derived quantity against one independent computation.

    ``deviation`` is the largest ``|symbolic − numeric|`` (relative where ``relative``) over the
    ``cases``; ``worst`` holds the inputs and both values at that case, so a failure can be
    reproduced. ``skipped`` carries the reason a quantity could not be checked.
    """

    quantity: str
    method: str
    cases: int
    deviation: float
    tolerance: float
    relative: bool = True
    worst: Mapping[str, str] = dataclasses.field(default_factory=dict)
    skipped: str | None = None

    @property
    def passed(self) -> bool:
        return self.skipped is None and self.cases > 0 and self.deviation <= self.tolerance

    @property
    def status(self) -> str:
        return "skipped" if self.skipped is not None else ("pass" if self.passed else "FAIL")

    def to_json(self) -> dict[str, Any]:
        return {"quantity": self.quantity, "method": self.method, "cases": self.cases,
                "deviation": self.deviation, "tolerance": self.tolerance, "relative": self.relative,
                "status": self.status, "worst": dict(self.worst), "skipped": self.skipped}


@dataclasses.dataclass(frozen=True)
class CrosscheckResult:
    operator: str
    checks: tuple[Check, ...]

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == "FAIL"]


def draw(strategy: st.SearchStrategy[X], n: int, *, seed: int = 0) -> list[X]:
    """``n`` examples of a Hypothesis strategy, reproducibly (derandomised, no database).

    >>> from skd.verify.strategies import rational_distributions
    >>> len(draw(rational_distributions(max_size=3), 4))
    4
    """
    if not isinstance(n, int) or n < 1:
        raise InvalidArgument("n", n, "must be a positive integer")
    out: list[X] = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(x: X) -> None:
        if len(out) < n:
            out.append(x)

    collect()
    return out


def compare_values(pairs: Iterable[tuple[Mapping[str, str], float, float]], *, relative: bool = True,
                   floor: float = 1e-300) -> tuple[float, Mapping[str, str], int]:
    """Largest deviation over ``(inputs, symbolic, numeric)`` triples, the worst inputs, and the count.

    Relative deviations divide by ``max(|numeric|, floor)``; a NaN or infinity on either side is an
    infinite deviation (it fails, it is never skipped).
    """
    worst, where, count = 0.0, {}, 0
    for inputs, a, b in pairs:
        count += 1
        if not (math.isfinite(a) and math.isfinite(b)):
            dev = math.inf
        else:
            dev = abs(a - b) / (max(abs(b), floor) if relative else 1.0)
        if dev > worst or (count == 1 and dev == worst):
            worst, where = dev, {**inputs, "symbolic": repr(a), "numeric": repr(b)}
    return worst, where, count


def crosscheck(op: Operator, *, topics: Sequence[str] | None = None, cases: int = DEFAULT_CASES, timeout: float = 20.0,
               derivation: Any = None, progress: Callable[[str], None] | None = None,
               topic_budget: float = TOPIC_BUDGET) -> CrosscheckResult:
    """Cross-check every derived quantity of ``op`` (topics default to all) on ``cases`` inputs each.

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
    d = derivation if derivation is not None else derive(op, topics=chosen, timeout=timeout)
    checks: list[Check] = []
    for t in chosen:
        module = importlib.import_module(f"skd.verify.derivations.{t}")
        fn = getattr(module, "crosscheck", None)
        if fn is None:
            checks.append(Check(f"{t}.*", "none", 0, math.nan, 0.0, skipped=f"topic {t!r} has no cross-checks yet"))
            continue
        if progress is not None:
            progress(f"{op.name}: {t}")
        try:
            checks.extend(run_with_budget(fn, (d, cases), seconds=topic_budget))
        except BudgetExceeded:
            checks.append(Check(f"{t}.*", "cross-checks of the topic", 0, math.nan, 0.0,
                                skipped=f"time budget of {topic_budget:g} s exhausted before the checks of topic {t!r} finished"))
    return CrosscheckResult(op.name, tuple(checks))
