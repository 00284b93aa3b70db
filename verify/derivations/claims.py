"""The claim graph: one node per hypothesis or conclusion of a theorem, instantiated for an operator.

A **hypothesis** claim has the verdict vocabulary of the axioms: ``proved`` (with a
certificate), ``refuted`` (with a certified counterexample) or ``unknown`` (with a reason and a
``reason_kind``). A **conclusion** claim is ``established`` when every claim it depends on is
proved/established, else ``not_established`` with the reason naming the hypothesis that is
refuted (and its counterexample) or unknown; ``conditional`` when it additionally rests on
stated *assumptions* about the training process (which no tool can check for an operator).
Conclusions are built with ``status="pending"`` and settled by :func:`resolve`.

Constants (:class:`DerivedConstant`) are SymPy expressions, serialised as text that the safe
parser reads back (``skd derive --baseline`` never ``sympify``'s a stored file).

>>> h = Claim(id="demo.h", theorem="demo", role="hypothesis", status="refuted", statement="H",
...           method="exact", counterexample={"statement": "x = 0", "reproduce": "...", "certified_by": "exact"})
>>> c = Claim(id="demo.c", theorem="demo", role="conclusion", status="pending", statement="C", depends_on=("demo.h",))
>>> [x.status for x in resolve([h, c])]
['refuted', 'not_established']
>>> resolve([h, c])[1].reason
'hypothesis demo.h is refuted (x = 0)'
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import sympy as sp
from sympy.printing.str import StrPrinter

from skd.theory.theorems import ConstantKind

from ..budget import BudgetExceeded, WorkerError, run_with_budget

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = [
    "Claim",
    "DerivedConstant",
    "Context",
    "resolve",
    "budgeted",
    "Budgeted",
    "HYPOTHESIS_STATUSES",
    "CONCLUSION_STATUSES",
    "constant_text",
]

HYPOTHESIS_STATUSES = ("proved", "refuted", "unknown")
CONCLUSION_STATUSES = ("established", "conditional", "not_established", "pending")
Role = Literal["hypothesis", "assumption", "conclusion"]


class _ParserPrinter(StrPrinter):
    """``sstr`` with conditions written in the safe parser's grammar (``==``, ``and``, ``or``, ``not``)."""

    def _print_Equality(self, e: sp.Eq) -> str:
        return f"{self._print(e.lhs)} == {self._print(e.rhs)}"

    def _print_And(self, e: sp.And) -> str:
        return " and ".join(f"({self._print(a)})" for a in e.args)

    def _print_Or(self, e: sp.Or) -> str:
        return " or ".join(f"({self._print(a)})" for a in e.args)

    def _print_Not(self, e: sp.Not) -> str:
        return f"not ({self._print(e.args[0])})"


def constant_text(expr: sp.Basic) -> str:
    """Canonical text of an expression, in the grammar of the safe parser (which reads it back).

    >>> from skd.operators.symbols import T
    >>> constant_text(sp.Piecewise((1, sp.Eq(T, 1)), (T, sp.And(T > 1, T < 2)), (0, True)))
    'Piecewise((1, T == 1), (T, (T > 1) and (T < 2)), (0, True))'
    """
    return _ParserPrinter({"order": "lex"}).doprint(expr)


@dataclasses.dataclass(frozen=True)
class DerivedConstant:
    """A constant of a conclusion, instantiated for one operator.

    ``expr`` is exact where possible. ``enclosure`` holds a rigorous ball (``[mid +/- rad]``)
    for constants known only numerically (sharp Lipschitz constants); ``values`` holds sample
    evaluations ``({"T": "2", ...}, "decimal")`` for readers and numeric tests.
    """

    name: str
    expr: sp.Expr
    kind: ConstantKind
    meaning: str
    enclosure: str | None = None
    values: tuple[tuple[Mapping[str, str], str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "expr": constant_text(self.expr),
            "latex": sp.latex(self.expr),
            "symbols": sorted(s.name for s in self.expr.free_symbols),
            "kind": self.kind,
            "meaning": self.meaning,
            "enclosure": self.enclosure,
            "values": [{"at": dict(at), "value": v} for at, v in self.values],
        }


@dataclasses.dataclass(frozen=True)
class Claim:
    """One node of the claim graph (see the module docstring for the status vocabulary).

    ``counterexample`` is a JSON-ready mapping with at least ``statement``, ``reproduce`` (a
    Python one-liner a person can paste) and ``certified_by`` (``exact`` or ``arb``); the rest
    (``p``, ``T``, enclosures as ``{"ball", "decimal"}``) depends on the claim.
    """

    id: str
    theorem: str
    role: Role
    status: str
    statement: str
    method: str = ""
    scope: str = "full"
    certificate: tuple[str, ...] = ()
    counterexample: Mapping[str, Any] | None = None
    reason: str | None = None
    reason_kind: str | None = None
    depends_on: tuple[str, ...] = ()
    constants: tuple[DerivedConstant, ...] = ()

    def __post_init__(self) -> None:
        allowed = CONCLUSION_STATUSES if self.role == "conclusion" else HYPOTHESIS_STATUSES
        if self.status not in allowed:
            raise ValueError(f"Claim {self.id!r}: status {self.status!r} is not allowed for role {self.role!r}; use one of {allowed}")
        if self.status == "refuted" and not self.counterexample:
            raise ValueError(f"Claim {self.id!r}: a refuted claim needs a counterexample")
        if self.counterexample is not None:
            missing = {"statement", "reproduce", "certified_by"} - set(self.counterexample)
            if missing:
                raise ValueError(f"Claim {self.id!r}: counterexample lacks {sorted(missing)}")
        if self.status == "proved" and not self.certificate:
            raise ValueError(f"Claim {self.id!r}: a proved claim needs a certificate")
        if self.status == "unknown" and not self.reason:
            raise ValueError(f"Claim {self.id!r}: an unknown claim needs a reason")

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "theorem": self.theorem,
            "role": self.role,
            "status": self.status,
            "statement": self.statement,
            "method": self.method,
            "scope": self.scope,
            "certificate": list(self.certificate),
            "counterexample": dict(self.counterexample) if self.counterexample is not None else None,
            "reason": self.reason,
            "reason_kind": self.reason_kind,
            "depends_on": list(self.depends_on),
            "constants": [c.to_json() for c in self.constants],
        }


def resolve(claims: Sequence[Claim]) -> list[Claim]:
    """Settle every ``pending`` conclusion from the claims it depends on (in order of dependency).

    Raises ``ValueError`` on a dependency that names no claim or on a cycle.
    """
    by_id: dict[str, Claim] = {}
    for c in claims:
        if c.id in by_id:
            raise ValueError(f"claim id {c.id!r} appears twice")
        by_id[c.id] = c
    settled: dict[str, Claim] = {}

    def settle(cid: str, stack: tuple[str, ...]) -> Claim:
        if cid in settled:
            return settled[cid]
        if cid in stack:
            raise ValueError(f"claim dependency cycle: {' -> '.join(stack + (cid,))}")
        if cid not in by_id:
            raise ValueError(f"claim {stack[-1]!r} depends on {cid!r}, which is not in the graph")
        c = by_id[cid]
        if c.role == "conclusion" and c.status == "pending":
            deps = [settle(d, stack + (cid,)) for d in c.depends_on]
            blockers: list[str] = []
            conditional: list[str] = []
            for d in deps:
                if d.status in ("proved", "established"):
                    continue
                if d.role == "assumption" or d.status == "conditional":
                    conditional.append(d.id)
                elif d.status == "refuted":
                    ce = (d.counterexample or {}).get("statement", "")
                    blockers.append(f"hypothesis {d.id} is refuted" + (f" ({ce})" if ce else ""))
                elif d.status == "not_established":
                    blockers.append(f"{d.id} is not established")
                else:
                    blockers.append(f"hypothesis {d.id} is unknown" + (f" ({d.reason})" if d.reason else ""))
            if blockers:
                c = dataclasses.replace(c, status="not_established", reason="; ".join(blockers), reason_kind="hypothesis")
            else:
                # a conclusion holds only as far as its hypotheses do: a hypothesis proved on a
                # limited scope limits the conclusion's scope (unless the conclusion states it)
                limits = [f"{d.id}: {d.scope}" for d in deps
                          if d.status in ("proved", "established", "conditional") and d.scope != "full" and d.scope not in c.scope]
                if limits:
                    head = "" if c.scope == "full" else c.scope + "; "
                    c = dataclasses.replace(c, scope=head + "as far as its hypotheses hold — " + "; ".join(limits))
                if conditional:
                    c = dataclasses.replace(c, status="conditional", reason="conditional on " + ", ".join(conditional))
                else:
                    c = dataclasses.replace(c, status="established")
        settled[cid] = c
        return c

    return [settle(c.id, ()) for c in claims]


@dataclasses.dataclass(frozen=True)
class Budgeted:
    """Outcome of :func:`budgeted`: ``ok`` with ``value``, or not ok with a ``reason`` and ``reason_kind``."""

    ok: bool
    value: Any = None
    reason: str | None = None
    reason_kind: str | None = None


def budgeted(fn: Callable[..., Any], *args: Any, seconds: float, what: str = "", **kwargs: Any) -> Budgeted:
    """Run a SymPy-heavy ``fn(*args, **kwargs)`` in a worker killed after ``seconds``.

    A kill becomes ``reason_kind="budget"``; an exception inside becomes ``"undecided"`` with
    its text — never a crash and never a guess.

    >>> budgeted(sum, [1, 2], seconds=5).value
    3
    """
    label = what or getattr(fn, "__name__", "computation")
    try:
        return Budgeted(True, run_with_budget(fn, args, kwargs, seconds=seconds))
    except BudgetExceeded:
        return Budgeted(False, reason=f"{label}: time budget of {seconds:g} s exhausted", reason_kind="budget")
    except WorkerError as exc:
        return Budgeted(False, reason=f"{label}: {exc}", reason_kind="undecided")
    except Exception as exc:  # noqa: BLE001 - any failure of a symbolic step is an honest unknown
        return Budgeted(False, reason=f"{label}: {type(exc).__name__}: {exc}", reason_kind="undecided")


#: ``skd check`` reports computed for derivations in this process, by (content hash, name,
#: timeout): deriving one operator for several topics, or again, checks it once (the check is
#: about half the time of deriving a built-in for one topic). A report is what ``check`` returned
#: then; an axiom left ``unknown`` at its time budget stays so for that timeout in this process
#: (a larger timeout is another key). Bounded: emptied at :data:`_REPORTS_LIMIT` entries.
_REPORTS: dict[tuple[str, str, float], Any] = {}
_REPORTS_LIMIT = 256


def _checked(op: Operator, timeout: float) -> Any:
    """``check(op, timeout=timeout)``, once per process (:data:`_REPORTS`)."""
    key = (op.hash, op.name, float(timeout))
    report = _REPORTS.get(key)
    if report is None:
        from ..checker import check

        report = check(op, timeout=timeout)
        if len(_REPORTS) >= _REPORTS_LIMIT:
            _REPORTS.clear()
        _REPORTS[key] = report
    return report


@dataclasses.dataclass
class Context:
    """What a topic module gets for one operator: the operator, budgets, and lazy axiom verdicts.

    ``axiom(id)`` runs ``skd check`` once (per process: :func:`_checked`) and returns the verdict for that axiom; a
    derivation never re-proves an axiom itself. ``timeout`` is the budget of one symbolic step.
    """

    op: Operator
    timeout: float = 20.0
    report: Any = None
    progress: Callable[[str], None] | None = None
    _checker: Callable[..., Any] | None = None

    def axiom(self, axiom_id: str) -> Any:
        if self.report is None:
            if self._checker is not None:
                self.report = self._checker(self.op, timeout=self.timeout)
            else:
                self.report = _checked(self.op, self.timeout)
        return self.report.verdict(axiom_id)

    def note(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)

    def axiom_claim(self, claim_id: str, theorem: str, axiom_id: str, statement: str | None = None) -> Claim:
        """A hypothesis claim carrying the ``skd check`` verdict of an axiom."""
        v = self.axiom(axiom_id)
        ce = None
        if v.counterexample is not None:
            cj = v.counterexample.to_json()
            ce = {**cj, "certified_by": cj.get("certified_by", "exact")}
        return Claim(
            id=claim_id, theorem=theorem, role="hypothesis", status=v.status,
            statement=statement or f"axiom {axiom_id} (skd check)",
            method=f"skd check ({v.method})", scope=v.scope or "full",
            certificate=tuple(getattr(s, "text", str(s)) for s in v.certificate),
            counterexample=ce, reason=stable_reason(v.reason), reason_kind=v.reason_kind,
        )


_ELAPSED = re.compile(r"(seed \d+), \d+(?:\.\d+)? s of ")


def stable_reason(reason: str | None) -> str | None:
    """``reason`` without the refuter's elapsed seconds, which vary from run to run.

    Derivations are generated artefacts checked for drift; a reason must not change when only
    the machine's load does. The budget stays (it is part of what was searched).

    >>> stable_reason("strategies: Hypothesis; seed 0, 1.4 s of 10 s; closest: ...")
    'strategies: Hypothesis; seed 0, budget 10 s; closest: ...'
    """
    return _ELAPSED.sub(r"\1, budget ", reason) if reason else reason


def by_id(claims: Iterable[Claim]) -> dict[str, Claim]:
    return {c.id: c for c in claims}
