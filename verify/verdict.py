"""The verdict vocabulary: ``proved`` (with a certificate), ``refuted`` (with an exact,
certified counterexample) or ``unknown`` (with a reason and a ``reason_kind``).

Values are frozen; :class:`Report` collects one verdict per axiom and serialises to the JSON
of ``design.md`` §6 (``schema_version`` 1, validated against ``verify/data/report.schema.json``).

>>> v = Verdict(axiom="identity", status="unknown", method="none", reason="not tried", reason_kind="unsupported")
>>> v.decided
False
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from skd.operators.errors import SkdError

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = [
    "Status",
    "ReasonKind",
    "Enclosure",
    "Counterexample",
    "Step",
    "Verdict",
    "Report",
    "InternalConsistencyError",
    "SCHEMA_VERSION",
    "STATUS_ORDER",
]

SCHEMA_VERSION = 1
Status = Literal["proved", "refuted", "unknown"]
ReasonKind = Literal["budget", "undecided", "unsupported"]
#: Ordered from best to worst for regression comparisons.
STATUS_ORDER: dict[str, int] = {"proved": 0, "unknown": 1, "refuted": 2}


class InternalConsistencyError(SkdError, RuntimeError):
    """A ``proved`` verdict was contradicted by a certified counterexample: a bug in skd."""


@dataclasses.dataclass(frozen=True)
class Enclosure:
    """A rigorous enclosure (Arb ball as text, ``[mid +/- rad]``) and a 50-digit decimal."""

    ball: str
    decimal: str

    def to_json(self) -> dict[str, str]:
        return {"ball": self.ball, "decimal": self.decimal}

    @classmethod
    def from_json(cls, d: Mapping[str, str]) -> Enclosure:
        return cls(ball=d["ball"], decimal=d["decimal"])


@dataclasses.dataclass(frozen=True)
class Counterexample:
    """Exact inputs violating an axiom, and both sides of the violated relation.

    ``p`` holds exact rationals as strings (``"7/10"``); ``T`` is a rational string, ``"0+"``
    / ``"oo"`` when the counterexample is about a limit, or an exact constant (``"sqrt(2)"``,
    ``"pi/2"``) for a point where ``F`` is undefined at an irrational temperature; ``T2`` is a second temperature (entropy
    decrease between two temperatures, or the other side of a discontinuity). ``lhs``/``rhs``
    are the two sides of ``relation`` (``"<"``, ``"<="``, ``"!="``...), certified by disjoint
    enclosures (or exact rational values, stated in ``certified_by``).
    """

    statement: str
    p: tuple[str, ...]
    V: int
    T: str | None
    lhs: Enclosure
    rhs: Enclosure
    relation: str
    reproduce: str
    certified_by: str
    T2: str | None = None
    i: int | None = None
    j: int | None = None
    values: tuple[tuple[str, str], ...] = ()
    limit: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "statement": self.statement,
            "p": list(self.p),
            "V": self.V,
            "T": self.T,
            "T2": self.T2,
            "i": self.i,
            "j": self.j,
            "values": dict(self.values),
            "limit": self.limit,
            "lhs": self.lhs.to_json(),
            "rhs": self.rhs.to_json(),
            "relation": self.relation,
            "certified_by": self.certified_by,
            "reproduce": self.reproduce,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Counterexample:
        return cls(
            statement=d["statement"],
            p=tuple(d["p"]),
            V=int(d["V"]),
            T=d.get("T"),
            T2=d.get("T2"),
            i=d.get("i"),
            j=d.get("j"),
            values=tuple(sorted((d.get("values") or {}).items())),
            limit=d.get("limit"),
            lhs=Enclosure.from_json(d["lhs"]),
            rhs=Enclosure.from_json(d["rhs"]),
            relation=d["relation"],
            certified_by=d["certified_by"],
            reproduce=d["reproduce"],
        )


@dataclasses.dataclass(frozen=True)
class Step:
    """One certificate step: readable text plus the machine-checkable facts ``recheck`` redoes.

    ``check`` names the rule (``"positive"``, ``"zero"``, ``"independent_of_x"``, ...); ``args``
    holds the expressions (as ``srepr`` strings) and substitutions it applies to.
    """

    text: str
    check: str
    args: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"step": self.text, "check": self.check, "args": dict(self.args)}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Step:
        return cls(text=d["step"], check=d["check"], args=tuple(sorted((d.get("args") or {}).items())))


@dataclasses.dataclass(frozen=True)
class Verdict:
    axiom: str
    status: Status
    method: str
    scope: str = "full"
    certificate: tuple[Step, ...] = ()
    counterexample: Counterexample | None = None
    reason: str | None = None
    reason_kind: ReasonKind | None = None
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.status not in STATUS_ORDER:
            raise ValueError(f"status={self.status!r}: must be one of {sorted(STATUS_ORDER)}")
        if self.status == "proved" and not self.certificate:
            raise ValueError(f"{self.axiom}: a proved verdict needs a certificate")
        if self.status == "refuted" and self.counterexample is None:
            raise ValueError(f"{self.axiom}: a refuted verdict needs a counterexample")
        if self.status == "unknown" and (not self.reason or self.reason_kind is None):
            raise ValueError(f"{self.axiom}: an unknown verdict needs a reason and a reason_kind")

    @property
    def decided(self) -> bool:
        return self.status != "unknown"

    @property
    def full(self) -> bool:
        return self.status == "proved" and self.scope == "full"

    def to_json(self) -> dict[str, Any]:
        return {
            "axiom": self.axiom,
            "status": self.status,
            "method": self.method,
            "scope": self.scope,
            "certificate": [s.to_json() for s in self.certificate],
            "counterexample": None if self.counterexample is None else self.counterexample.to_json(),
            "reason": self.reason,
            "reason_kind": self.reason_kind,
            "seconds": round(self.seconds, 3),
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Verdict:
        ce = d.get("counterexample")
        return cls(
            axiom=d["axiom"],
            status=d["status"],
            method=d["method"],
            scope=d.get("scope", "full"),
            certificate=tuple(Step.from_json(s) for s in d.get("certificate") or ()),
            counterexample=None if ce is None else Counterexample.from_json(ce),
            reason=d.get("reason"),
            reason_kind=d.get("reason_kind"),
            seconds=float(d.get("seconds", 0.0)),
        )


def tool_versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for dist, key in (("skd", "skd"), ("sympy", "sympy"), ("python-flint", "python_flint")):
        try:
            out[key] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[key] = "unknown"
    return out


@dataclasses.dataclass(frozen=True)
class Report:
    """All verdicts for one operator under one profile."""

    operator: Mapping[str, Any]
    profile: str
    verdicts: tuple[Verdict, ...]
    seed: int = 0

    @property
    def qualifies(self) -> bool:
        return bool(self.verdicts) and all(v.full for v in self.verdicts)

    @property
    def exit_code(self) -> int:
        """0 qualifies, 1 some axiom refuted, 3 nothing refuted but something undecided."""
        if any(v.status == "refuted" for v in self.verdicts):
            return 1
        return 0 if self.qualifies else 3

    def verdict(self, axiom: str) -> Verdict:
        for v in self.verdicts:
            if v.axiom == axiom:
                return v
        raise KeyError(axiom)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": tool_versions(),
            "operator": dict(self.operator),
            "profile": self.profile,
            "seed": self.seed,
            "qualifies": self.qualifies,
            "verdicts": [v.to_json() for v in self.verdicts],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Report:
        if d.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"schema_version={d.get('schema_version')!r}: this skd reads version {SCHEMA_VERSION}")
        return cls(
            operator=dict(d["operator"]),
            profile=d["profile"],
            seed=int(d.get("seed", 0)),
            verdicts=tuple(Verdict.from_json(v) for v in d["verdicts"]),
        )


def operator_json(op: Operator) -> dict[str, Any]:
    """The ``operator`` object of a report."""
    out: dict[str, Any] = {"name": op.name, "kind": op.kind, "definition": op.definition, "hash": op.hash}
    if op.params:
        out["params"] = {p.name: p.describe() for p in op.params}
    if op.kind == "vector":
        out["sizes"] = list(op.sizes)
    return out
