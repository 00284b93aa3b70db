"""What a cross-check is made of: one :class:`Check` per derived quantity, and the helpers every topic uses.

Shared by the cross-check engine (:mod:`skd.verify.crosscheck`) and the topic modules of
:mod:`skd.verify.derivations`; it imports neither, so no topic imports the engine that runs it.

>>> one_sided([({"n": "1"}, 1.0, 0.5), ({"n": "2"}, 1.0, 1.5)])[0]
0.5
>>> skip("demo.conclusion:k", "direct sums", "conclusion unknown").status
'skipped'
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from skd.operators.errors import InvalidArgument

__all__ = ["Check", "draw", "compare_values", "one_sided", "in_interval", "skip", "gate"]

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
        finite = math.isfinite(a) and math.isfinite(b)
        dev = abs(a - b) / (max(abs(b), floor) if relative else 1.0) if finite else math.inf
        if dev > worst or (count == 1 and dev == worst):
            worst, where = dev, {**inputs, "symbolic": repr(a), "numeric": repr(b)}
    return worst, where, count


def one_sided(rows: Sequence[tuple[dict[str, str], Any, Any]]) -> tuple[float, dict[str, str], int]:
    """Largest ``max(0, value − bound)/|bound|`` over ``(inputs, bound, value)`` rows (upper-bound checks)."""
    worst, where, count = 0.0, {}, 0
    for at, bound, val in rows:
        count += 1
        b, v = float(bound), float(val)
        dev = max(0.0, v - b) / max(abs(b), 1e-300) if math.isfinite(b) and math.isfinite(v) else math.inf
        if count == 1 or dev > worst:
            worst, where = dev, {**at, "bound": repr(b), "numeric": repr(v)}
    return worst, where, count


def in_interval(rows: Sequence[tuple[dict[str, str], Any, Any, Any]]) -> tuple[float, dict[str, str], int]:
    """Largest relative distance of ``value`` outside ``[lo, hi]`` over ``(inputs, lo, hi, value)`` rows."""
    worst, where, count = 0.0, {}, 0
    for at, lo, hi, val in rows:
        count += 1
        lo_f, hi_f, v = float(lo), float(hi), float(val)
        dev = math.inf if not all(map(math.isfinite, (lo_f, hi_f, v))) else max(0.0, lo_f - v, v - hi_f) / max(abs(v), 1e-300)
        if count == 1 or dev > worst:
            worst, where = dev, {**at, "enclosure": f"[{lo}, {hi}]", "numeric": repr(v)}
    return worst, where, count


def skip(quantity: str, method: str, why: str) -> Any:
    return Check(quantity, method, 0, math.nan, 0.0, skipped=why)


def gate(d: Any, claim_id: str) -> str | None:
    """``None`` when the conclusion is established or conditional, else the reason to skip."""
    c = d.claim(claim_id)
    if c.status in ("established", "conditional"):
        return None
    return f"conclusion {c.status}: {c.reason or 'not established'}"
